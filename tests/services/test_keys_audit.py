"""Keys created once and checked everywhere; the key bundle; the audit tamper matrix (SQLite)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.domain.i18n import install_translator
from app.services import audit as reasons
from app.services.app_core import build_services
from app.services.bootstrap import build_core
from app.services.cases import Decision, NikSource
from app.services.first_run import (
    FirstOfficer,
    FirstRunError,
    FirstRunPlan,
    apply_first_run,
    setup_first_run_keys,
    validate_plan,
)
from app.services.key_admin import (
    BundleForOtherDatabase,
    KeysAlreadyExist,
    export_keys,
    import_keys,
    init_keys,
)
from app.services.key_bundle import BundlePassphraseWrong, PassphraseTooShort
from app.services.keys import KeyRing, KeysMismatch, KeysMissing, KeysNotSetUp
from app.services.officers import Role
from app.services.persistence.db import create_db_engine
from app.services.persistence.models import AuditRecord, CaseRow, MetaValue
from app.services.secrets import ENCRYPTION_KEY, HMAC_KEY, MemorySecretStore
from app.services.settings import load_settings
from tests.conftest import MemoryKeyring
from tests.services import audit_tamper
from tests.services.cases.conftest import World, make_world

PASSPHRASE = "frasa-sandi-contoh-panjang"
ADMIN = """
mode = "production"
counter_id = "LOKET-9"
[agency]
id_lembaga = "330301"
name = "Dinas Contoh"
[agreement]
access_method = "web_portal"
portal_url = "https://portal.example.invalid/"
start = 2025-01-01
end = 2027-09-16
"""


def _english() -> None:
    install_translator("en", lambda message: message)


def run(*argv: str) -> int:
    """``loket ARGV`` as the shell would see it: its exit status, never an exception."""
    try:
        return main(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.fixture
def configured(isolated_environment: Path) -> Path:
    """A production counter on a SQLite file, keys created, a supervisor account."""
    admin = isolated_environment / "admin" / "loket.toml"
    admin.parent.mkdir(parents=True)
    admin.write_text(ADMIN, encoding="utf-8")
    assert run("keys", "init") == 0
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    core.close()
    _english()
    return isolated_environment / "data" / "loket.sqlite3"


def _database_snapshot(path: Path) -> str:
    """A digest of every row of every table (the database's whole content)."""
    connection = sqlite3.connect(path)
    digest = hashlib.sha256()
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in sorted(tables):
        for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY 1'):
            digest.update(repr(row).encode())
    connection.close()
    return digest.hexdigest()


COMMANDS: list[tuple[str, ...]] = [
    ("balikan", "status"),
    ("balikan", "params"),
    ("balikan", "send", "--once"),
    ("balikan", "export", "--format", "csv", "--out", "{tmp}/owed.csv", "--user", "kepala"),
    ("balikan", "confirm", "--all-exported", "--user", "kepala"),
    ("balikan", "requeue", "--user", "kepala"),
    ("audit", "verify"),
    ("audit", "verify", "--incremental"),
    ("audit", "checkpoint"),
    ("audit", "subject", "--user", "kepala", "--out", "{tmp}/subject.pdf"),
    ("report", "daily", "--user", "kepala", "--out", "{tmp}/daily.pdf"),
    ("report", "semester", "--user", "kepala", "--out", "{tmp}/semester.pdf"),
    ("keys", "export", "--out", "{tmp}/bundle.json"),
    ("keys", "status"),
    ("keys", "init"),
    ("db", "upgrade"),
    ("secrets", "status"),
]


@pytest.mark.parametrize("lost", [ENCRYPTION_KEY, HMAC_KEY])
def test_a_deleted_key_is_refused_by_every_command_and_never_recreated(
    configured: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    lost: str,
) -> None:
    monkeypatch.setenv("LOKET_KEYS_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    del memory_keyring.values[("loket-ktpel", lost)]
    before = _database_snapshot(configured)
    capsys.readouterr()
    for command in COMMANDS:
        argv = [part.format(tmp=tmp_path) for part in command]
        assert run(*argv) == 2, argv
        captured = capsys.readouterr()
        assert "loket keys import" in captured.err, argv  # the way out is named
        assert "Traceback" not in captured.err + captured.out
        assert ("loket-ktpel", lost) not in memory_keyring.values, argv  # not recreated
        _english()
    assert _database_snapshot(configured) == before  # nothing was written
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob("*.csv"))
    assert not (tmp_path / "bundle.json").exists()


def test_keys_of_another_installation_are_refused_at_start(
    configured: Path, memory_keyring: MemoryKeyring
) -> None:
    KeyRing.generate().save(MemorySecretStore())  # unrelated
    other = KeyRing.generate()
    memory_keyring.values[("loket-ktpel", HMAC_KEY)] = other.hmac_key.hex()
    memory_keyring.values[("loket-ktpel", ENCRYPTION_KEY)] = other.encryption_key.hex()
    before = _database_snapshot(configured)
    with pytest.raises(KeysMismatch) as refused:
        build_core(load_settings())
    assert "loket keys import" in refused.value.message
    assert _database_snapshot(configured) == before


def test_keys_init_happens_once_and_a_new_database_without_keys_is_refused(
    tmp_path: Path,
) -> None:
    engine = create_db_engine(f"sqlite+pysqlite:///{tmp_path / 'new.sqlite3'}")
    store = MemorySecretStore()
    with pytest.raises(KeysMissing):
        build_core(load_settings(), secrets=store, database_url=str(engine.url))
    KeyRing.generate().save(store)  # keys typed in by hand, never recorded by the database
    with pytest.raises(KeysNotSetUp):
        build_core(load_settings(), secrets=store, database_url=str(engine.url))
    for name in (HMAC_KEY, ENCRYPTION_KEY):
        store.delete(name)
    ring = init_keys(engine, store, "admin", "LOKET-1")
    assert KeyRing.load(store) == ring
    with pytest.raises(KeysAlreadyExist):
        init_keys(engine, store, "admin", "LOKET-1")
    assert KeyRing.load(store) == ring  # the second init changed nothing
    core = build_core(load_settings(), secrets=store, database_url=str(engine.url))
    assert core.keys == ring
    with core.sessions() as session:
        ids = session.get(MetaValue, "key_ids")
        first = session.execute(select(AuditRecord).where(AuditRecord.seq == 1)).scalar_one()
    assert ids is not None and json.loads(ids.value) == ring.ids
    assert first.action == "keys.initialised"
    core.close()
    engine.dispose()


def test_bundle_moves_the_keys_and_refuses_wrong_passphrase_and_other_databases(
    tmp_path: Path,
) -> None:
    engine = create_db_engine(f"sqlite+pysqlite:///{tmp_path / 'a.sqlite3'}")
    store_a, store_b = MemorySecretStore(), MemorySecretStore()
    ring = init_keys(engine, store_a, "admin", "LOKET-A")
    with pytest.raises(PassphraseTooShort):
        export_keys(engine, store_a, "pendek")
    bundle = export_keys(engine, store_a, PASSPHRASE, agency="Dinas Contoh")
    assert ring.hmac_key.hex() not in bundle.decode() and ring.encryption_key.hex() not in (
        bundle.decode()
    )
    with pytest.raises(BundlePassphraseWrong):
        import_keys(engine, store_b, bundle, PASSPHRASE + "x")
    assert store_b.get(HMAC_KEY) is None
    tampered = json.loads(bundle)
    tampered["key_ids"]["hmac"] = "h-0000000000000000"
    with pytest.raises(BundlePassphraseWrong):  # the header is authenticated
        import_keys(engine, store_b, json.dumps(tampered).encode(), PASSPHRASE)
    assert import_keys(engine, store_b, bundle, PASSPHRASE) == ring
    assert KeyRing.load(store_b) == ring
    other = create_db_engine(f"sqlite+pysqlite:///{tmp_path / 'b.sqlite3'}")
    init_keys(other, MemorySecretStore(), "admin", "LOKET-X")
    with pytest.raises(BundleForOtherDatabase):
        import_keys(other, MemorySecretStore(), bundle, PASSPHRASE)
    engine.dispose()
    other.dispose()


def test_keys_cli_round_trip_with_a_passphrase_file(
    configured: Path,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    bundle = tmp_path / "agency.loketkeys"
    assert run("keys", "export", "--out", str(bundle), "--passphrase-file", str(secret)) == 0
    assert bundle.stat().st_mode & 0o077 == 0
    held = dict(memory_keyring.values)
    memory_keyring.values.clear()  # a second counter: an empty keyring
    assert run("keys", "status") == 2
    assert run("keys", "import", str(bundle), "--passphrase-file", str(secret)) == 0
    assert memory_keyring.values[("loket-ktpel", HMAC_KEY)] == held[("loket-ktpel", HMAC_KEY)]
    _english()
    assert run("keys", "status") == 0
    assert run("audit", "verify") == 0
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("bukan-frasa-yang-benar", encoding="utf-8")
    capsys.readouterr()
    assert run("keys", "import", str(bundle), "--passphrase-file", str(wrong)) == 2
    assert "Traceback" not in capsys.readouterr().err


# --- the tamper matrix on one SQLite PC ------------------------------------------------------


def _serve(world: World, count: int) -> list[str]:
    numbers = []
    kinds = ["found", "deceased", "found"]
    for index in range(count):
        world.clock.advance(600)
        cases = world.services.cases
        case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
        cases.check_documents(case, world.officer, {"KTP-el": True})
        kind = kinds[index % len(kinds)]
        cases.look_up(case, world.officer, world.examples()[kind], NikSource.TYPED)
        if kind == "found":
            cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
            cases.issue(case, world.officer, f"SK-{index}")
            cases.record_printed(case, world.officer)
            cases.hand_over(case, world.officer, "REG-1")
        else:
            cases.decide(case, world.officer, Decision.REFUSE, "rujuk ke Dukcapil")
        cases.close(case, world.officer)
        numbers.append(case.number)
    return numbers


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[World, list[str]]]:
    world = make_world(tmp_path / "data")
    numbers = _serve(world, 3)
    yield world, numbers
    world.services.core.close()


def _examine(world: World, codes: tuple[str, ...] = ()) -> str | None:
    trail = world.services.audit
    with world.services.core.sessions.begin() as session:
        parsed = [trail.parse_checkpoint(code) for code in codes]
        problem = trail.examine(session, checkpoints=parsed).problem
    return None if problem is None else problem.reason


Matrix = list[tuple[str, Callable[[list[str]], audit_tamper.Tamper], str | None, str]]
MATRIX: Matrix = [
    ("erase all records and the head", lambda n: audit_tamper.erase_all, reasons.ERASED,
     reasons.ERASED),
    ("delete the head", lambda n: audit_tamper.delete_head, reasons.HEAD_MISSING,
     reasons.HEAD_MISSING),
    ("truncate the newest 3, rewrite the head", lambda n: audit_tamper.truncate_newest(3), None,
     reasons.CHECKPOINT_TRUNCATED),
    ("delete one case's records, re-chain with the key",
     lambda n: audit_tamper.remove_case_and_rechain(n[1]), reasons.CASE_RECORDS_REMOVED,
     reasons.CHECKPOINT_TRUNCATED),
    ("delete one case's records, re-chain with the key, pad to the old length",
     lambda n: audit_tamper.remove_case_rechain_and_pad(n[1]), reasons.CASE_RECORDS_REMOVED,
     reasons.CHECKPOINT_REWRITTEN),
    ("edit a record", lambda n: audit_tamper.edit(4), reasons.EDITED, reasons.EDITED),
    ("reorder two records", lambda n: audit_tamper.reorder(3, 5), reasons.REORDERED,
     reasons.REORDERED),
]  # fmt: skip


@pytest.mark.parametrize(("what", "tamper", "alone", "with_checkpoint"), MATRIX)
def test_sqlite_tamper_matrix(
    served: tuple[World, list[str]],
    what: str,
    tamper: Callable[[list[str]], audit_tamper.Tamper],
    alone: str | None,
    with_checkpoint: str,
) -> None:
    """``alone``: what one SQLite PC sees by itself; ``with_checkpoint``: against a printed one
    (None: not detectable without a checkpoint that left the database)."""
    world, numbers = served
    assert _examine(world) is None
    with world.services.core.sessions() as session:
        code = world.services.audit.current_checkpoint(session)
    tamper(numbers)(world.services.core.engine, world.services.audit.key)
    assert _examine(world) == alone, what
    assert _examine(world, (code,)) == with_checkpoint, what


def test_truncation_is_caught_by_the_last_verification_and_the_cli_names_it(
    served: tuple[World, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    from app.services.audit_cli import run_audit_cli

    world, _numbers = served
    _english()  # the demo set-up installed Indonesian
    assert run_audit_cli("verify", world.services) == 0  # remembers the verified point
    assert run_audit_cli("checkpoint", world.services) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert code.startswith("LKA-")
    audit_tamper.truncate_newest(2)(world.services.core.engine, world.services.audit.key)
    assert _examine(world) == reasons.VERIFIED_TRUNCATED
    assert run_audit_cli("verify", world.services, checkpoints=[code]) == 1
    assert "removed after the last verification" in capsys.readouterr().out
    assert (
        run_audit_cli("verify", world.services, checkpoints=["LKA-1-202601010800-" + "0" * 28]) == 2
    )
    assert "not valid" in capsys.readouterr().err


def test_incremental_verification_starts_after_the_last_intact_one(
    served: tuple[World, list[str]],
) -> None:
    world, _numbers = served
    trail = world.services.audit
    with world.services.core.sessions.begin() as session:
        first = trail.examine(session, remember=True)
    assert first.problem is None and first.checked_from == 1
    _serve(world, 1)
    with world.services.core.sessions.begin() as session:
        later = trail.examine(session, incremental=True, remember=True)
    assert later.problem is None
    assert later.checked_from == first.records + 1 and later.records > first.records
    audit_tamper.remove_case_and_rechain(_numbers[0])(world.services.core.engine, trail.key)
    with world.services.core.sessions.begin() as session:
        after = trail.examine(session, incremental=True)
    assert after.problem is not None and after.problem.reason == reasons.VERIFIED_REWRITTEN


def test_checkpoint_codes_are_signed(served: tuple[World, list[str]]) -> None:
    from app.services.audit_checkpoint import CheckpointInvalid

    world, _numbers = served
    trail = world.services.audit
    with world.services.core.sessions() as session:
        code = trail.current_checkpoint(session)
        cases = session.execute(select(CaseRow.number)).scalars().all()
    assert len(cases) == 3
    parsed = trail.parse_checkpoint(code.lower().replace("-", " - "))  # typed loosely
    assert parsed.code == code
    seq_part = code.split("-")[1]
    forged = code.replace(f"-{seq_part}-", f"-{int(seq_part) + 1}-", 1)
    with pytest.raises(CheckpointInvalid):
        trail.parse_checkpoint(forged)
    other = KeyRing.generate()
    with pytest.raises(CheckpointInvalid):
        type(trail)(other.audit_key, "X").parse_checkpoint(code)


def _first_run_plan(database: Path, counter_id: str, **changes: object) -> FirstRunPlan:
    plan = FirstRunPlan(
        admin={
            "counter_id": counter_id,
            "database_url": f"sqlite+pysqlite:///{database}",
            "agency": {"id_lembaga": "330301", "name": "Dinas Contoh", "programmes": ["PKH"]},
            "agreement": {
                "access_method": "web_portal",
                "portal_url": "https://portal.example.invalid/",
                "start": date(2025, 9, 16),
                "end": date(2027, 9, 16),
            },
        },
        officers=[FirstOfficer("admin", "Admin", "password1", Role.ADMINISTRATOR, None, "")],
    )
    for key, value in changes.items():
        setattr(plan, key, value)
    return plan


def test_first_run_creates_the_keys_or_joins_with_the_bundle(tmp_path: Path) -> None:
    database = tmp_path / "agency.sqlite3"
    store_a, store_b = MemorySecretStore(), MemorySecretStore()
    plan_a = _first_run_plan(database, "LOKET-A")
    settings_a = apply_first_run(plan_a, store_a, tmp_path / "a" / "loket.toml")
    core_a = build_core(settings_a, secrets=store_a, check_keys=False)
    ring = setup_first_run_keys(core_a, plan_a)
    bundle = export_keys(core_a.engine, store_a, PASSPHRASE)
    core_a.close()

    with pytest.raises(FirstRunError):  # joining needs the passphrase
        validate_plan(_first_run_plan(database, "LOKET-B", key_bundle=bundle, officers=[]))
    with pytest.raises(FirstRunError):  # and a bundle, not any file
        validate_plan(
            _first_run_plan(
                database, "LOKET-B", key_bundle=b"{}", bundle_passphrase="x", officers=[]
            )
        )
    plan_b = _first_run_plan(
        database, "LOKET-B", key_bundle=bundle, bundle_passphrase=PASSPHRASE, officers=[]
    )
    settings_b = apply_first_run(plan_b, store_b, tmp_path / "b" / "loket.toml")
    core_b = build_core(settings_b, secrets=store_b, check_keys=False)
    assert setup_first_run_keys(core_b, plan_b) == ring
    core_b.close()
    # a "new agency" set-up on the same database is refused: the keys exist
    store_c = MemorySecretStore()
    core_c = build_core(settings_b, secrets=store_c, check_keys=False)
    with pytest.raises(KeysAlreadyExist):
        setup_first_run_keys(core_c, _first_run_plan(database, "LOKET-C"))
    assert store_c.get(HMAC_KEY) is None
    core_c.close()


def test_a_database_from_before_key_ids_adopts_only_the_keys_that_wrote_it(
    tmp_path: Path,
) -> None:
    from app.services.audit import AuditTrail
    from app.services.key_binding import open_keys
    from app.services.persistence.db import session_factory, upgrade_database

    engine = create_db_engine(f"sqlite+pysqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_database(engine)
    ring = KeyRing.generate()
    with session_factory(engine).begin() as session:  # written the old way: no key ids
        AuditTrail(ring.audit_key, "LOKET-1").append(session, "admin", "officer.created")
    stranger = MemorySecretStore()
    KeyRing.generate().save(stranger)
    with pytest.raises(KeysMismatch):
        open_keys(engine, stranger)
    with engine.connect() as connection:
        assert (
            connection.execute(select(MetaValue).where(MetaValue.key == "key_ids")).first() is None
        )
    owner = MemorySecretStore()
    ring.save(owner)
    assert open_keys(engine, owner) == ring
    with session_factory(engine)() as session:
        recorded = session.get(MetaValue, "key_ids")
    assert recorded is not None and json.loads(recorded.value) == ring.ids
    with pytest.raises(KeysMismatch):  # now recorded: the stranger stays refused
        open_keys(engine, stranger)
    engine.dispose()


def test_verification_reads_a_snapshot_and_does_not_hold_the_write_lock(
    served: tuple[World, list[str]],
) -> None:
    from sqlalchemy import func
    from sqlalchemy.orm import Session

    from app.services.audit import examine_snapshot, snapshot_engine

    world, _numbers = served
    trail, engine = world.services.audit, world.services.core.engine
    reader = snapshot_engine(engine)
    try:
        with Session(reader) as snapshot, snapshot.begin():
            count = select(func.count()).select_from(AuditRecord)
            before = snapshot.execute(count).scalar_one()
            with world.services.core.sessions.begin() as writer:  # a counter keeps working
                trail.append(writer, "petugas", "login.ok")
            assert snapshot.execute(count).scalar_one() == before  # one consistent view
            assert trail.examine(snapshot).problem is None
    finally:
        reader.dispose()
    report = examine_snapshot(trail, engine)
    assert report.problem is None and report.records == before + 1
    with world.services.core.sessions() as session:
        remembered = session.get(MetaValue, "audit_verified")
    assert remembered is not None and remembered.value.startswith(f"{before + 1}:")
