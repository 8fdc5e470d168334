"""Two counters of one agency on a real PostgreSQL, each with its own keyring; the audit table
that the application's role cannot change; the tamper matrix against the shared database."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest
from sqlalchemy import func, select, text

from app.domain.outcomes import OutcomeKind
from app.services import audit as reasons
from app.services.app_core import AppServices, build_services
from app.services.audit import examine_snapshot
from app.services.balikan.outbox import ATTENTION, DELIVERED
from app.services.bootstrap import build_core
from app.services.cases import Decision, NikSource
from app.services.gateway_setup import SIMULATOR_BASE_URL
from app.services.key_admin import KeysAlreadyExist, export_keys, import_keys, init_keys
from app.services.keys import KeysMissing
from app.services.officers import OfficerView, Role
from app.services.persistence.db import create_db_engine, upgrade_database
from app.services.persistence.models import AuditRecord, BalikanItem, MetaValue
from app.services.persistence.roles import app_role_grants
from app.services.secrets import BALIKAN_TOKEN, ENCRYPTION_KEY, HMAC_KEY, KeyringSecretStore
from app.services.settings import Settings, settings_from_dicts
from app.services.simulator import GatewaySimulator, SimulatorConfig
from tests.conftest import MemoryKeyring
from tests.services import audit_tamper
from tests.services.cases.conftest import FakeClock

pytestmark = pytest.mark.postgres

PASSPHRASE = "frasa-sandi-instansi-contoh"
NIKS = ["3303011203850007", "3303012507920013", "3303010811780021", "3303015902880004"]
PASSWORD = "rahasia-123"


def counter_settings(url: str, counter_id: str, owner_url: str = "") -> Settings:
    return settings_from_dicts(
        {
            "mode": "production",
            "counter_id": counter_id,
            "database_url": url,
            "database_owner_url": owner_url,
            "agency": {"id_lembaga": "330301", "name": "Dinas Sosial Contoh"},
            "agreement": {
                "access_method": "web_portal",
                "portal_url": "https://portal.example.invalid/",
                "start": date(2025, 1, 1),
                "end": date(2027, 9, 16),
            },
            "balikan": {"base_url": "https://172.16.160.189/data_balikan/public"},
        }
    )


@dataclass
class Counter:
    """One counter PC: its own keyring backend, its own connections."""

    settings: Settings
    keyring: MemoryKeyring
    clock: FakeClock
    simulator: GatewaySimulator

    @property
    def store(self) -> KeyringSecretStore:
        return KeyringSecretStore(backend=self.keyring)

    def open(self) -> AppServices:
        store = self.store
        store.set(BALIKAN_TOKEN, self.simulator.config.balikan.token)
        core = build_core(self.settings, secrets=store)
        return build_services(
            core,
            None,
            clock=self.clock,
            balikan_transport=self.simulator.transport(),
            balikan_base_url=SIMULATOR_BASE_URL + self.simulator.config.balikan.prefix,
        )


def serve(services: AppServices, officer: OfficerView, clock: FakeClock, nik: str) -> str:
    """One resident served through the portal flow; data balikan owed."""
    clock.advance(600)
    cases = services.cases
    case = cases.open_case(officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, officer, {"KTP-el": True})
    cases.record_portal_outcome(
        case, officer, nik, NikSource.TYPED, OutcomeKind.FOUND, documents_match=True
    )
    cases.decide(case, officer, Decision.APPROVE, documents_match=True)
    cases.issue(case, officer, "SK-1")
    cases.record_printed(case, officer)
    cases.hand_over(case, officer, "REG-1")
    cases.close(case, officer)
    return case.number


def _pg_counts(url: str) -> tuple[object, ...]:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        counts = tuple(
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("audit_log", "app_meta", "officers", "cases", "balikan_items")
        )
        version = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    return (*counts, tuple(version))


@pytest.fixture
def first_counter(pg_url: str) -> Iterator[tuple[Counter, AppServices]]:
    """Counter A: the agency's keys created here, on purpose; its accounts."""
    clock, simulator = FakeClock(), GatewaySimulator(SimulatorConfig(), mode="test")
    counter = Counter(counter_settings(pg_url, "LOKET-A"), MemoryKeyring(), clock, simulator)
    engine = create_db_engine(pg_url)
    init_keys(engine, counter.store, "admin-os", "LOKET-A")
    engine.dispose()
    services = counter.open()
    officers = services.officers
    officers.create(None, "admin", "Admin", PASSWORD, Role.ADMINISTRATOR)
    for username, role in (("petugas", Role.OFFICER), ("kepala", Role.SUPERVISOR)):
        officers.create(
            None, username, username, PASSWORD, role, nda_date=date(2025, 9, 16),
            nda_reference="NDA/1",
        )  # fmt: skip
    yield counter, services
    assert services.balikan is not None
    services.balikan.stop()
    services.core.close()


def test_two_counters_with_their_own_keyrings_share_the_agency_keys(
    pg_url: str, first_counter: tuple[Counter, AppServices], tmp_path: Path
) -> None:
    a, services_a = first_counter
    officer_a = services_a.officers.authenticate("petugas", PASSWORD)
    a1 = serve(services_a, officer_a, a.clock, NIKS[0])
    b = Counter(counter_settings(pg_url, "LOKET-B"), MemoryKeyring(), a.clock, a.simulator)

    # B without the bundle: refused at start, nothing written, no key created
    before = _pg_counts(pg_url)
    with pytest.raises(KeysMissing) as refused:
        b.open()
    assert "loket keys import" in refused.value.message
    engine = create_db_engine(pg_url)
    with pytest.raises(KeysAlreadyExist):
        init_keys(engine, b.store, "admin-os", "LOKET-B")
    assert _pg_counts(pg_url) == before
    assert b.store.get(HMAC_KEY) is None and b.store.get(ENCRYPTION_KEY) is None

    # the agency's bundle moves A's keys to B
    bundle = export_keys(engine, a.store, PASSPHRASE)
    import_keys(engine, b.store, bundle, PASSPHRASE)
    engine.dispose()
    services_b = b.open()
    try:
        officer_b = services_b.officers.authenticate("petugas", PASSWORD)
        b1 = serve(services_b, officer_b, b.clock, NIKS[1])
        # B exports A's item and its own: both NIKs decrypted on B
        assert services_b.balikan is not None and services_a.balikan is not None
        exported = services_b.balikan.export(tmp_path / "owed.csv", "csv", "kepala")
        assert exported.count == 2
        with open(exported.path, encoding="utf-8") as handle:
            cells = {cell for row in csv.reader(handle) for cell in row}
        assert {NIKS[0], NIKS[1]} <= cells
        # A sends B's item and its own
        a2 = serve(services_a, officer_a, a.clock, NIKS[2])
        b2 = serve(services_b, officer_b, b.clock, NIKS[3])
        report = services_a.balikan.send_once()
        assert report.attention == 0
        delivered = {d.nik for d in a.simulator.balikan}
        assert {NIKS[2], NIKS[3]} <= delivered
        with services_a.core.sessions() as session:
            rows = session.execute(select(BalikanItem.case_number, BalikanItem.status)).all()
            statuses = {number: status for number, status in rows}
        assert statuses[a2] == DELIVERED and statuses[b2] == DELIVERED
        assert ATTENTION not in statuses.values()
        assert {a1, b1} <= set(statuses)
        # the one chain, written by both counters, is intact on both
        assert services_a.verify_audit() is None
        assert services_b.verify_audit() is None
        snapshot = examine_snapshot(services_b.audit, services_b.core.engine)  # the CLI's way
        assert snapshot.problem is None and snapshot.records > 0
        with services_a.core.sessions() as session:
            counters = set(session.execute(select(AuditRecord.counter_id)).scalars())
        assert {"LOKET-A", "LOKET-B"} <= counters
    finally:
        assert services_b.balikan is not None
        services_b.balikan.stop()
        services_b.core.close()


# --- the application's role may only add to the audit trail ------------------------------------


def _role_url(pg_url: str, role: str) -> str:
    parts = urlsplit(pg_url)
    return parts._replace(netloc=f"{role}@").geturl()


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return psycopg.connect(
        host=query["host"],
        port=int(query["port"]),
        user=parts.username,
        dbname=parts.path.lstrip("/"),
        autocommit=True,
    )


def test_the_application_role_cannot_change_or_cut_the_audit_trail(pg_url: str) -> None:
    owner_url = pg_url
    owner = urlsplit(owner_url).username
    assert owner is not None
    with _connect(owner_url) as connection:
        connection.execute("DO $$ BEGIN CREATE ROLE loket_app LOGIN; "
                           "EXCEPTION WHEN duplicate_object THEN NULL; END $$")  # fmt: skip
    app_url = _role_url(pg_url, "loket_app")
    settings = counter_settings(app_url, "LOKET-A", owner_url=owner_url)
    migrating = create_db_engine(owner_url)
    upgrade_database(migrating)
    with _connect(owner_url) as connection:
        for statement in app_role_grants("loket_app", owner):
            connection.execute(statement)  # type: ignore[arg-type]
    store = KeyringSecretStore(backend=MemoryKeyring())
    app_engine = create_db_engine(app_url)
    init_keys(app_engine, store, "admin-os", "LOKET-A", owner_engine=migrating)
    core = build_core(settings, secrets=store)  # the app role; migrations via the owner URL
    services = build_services(core, None)
    services.officers.create(None, "admin", "Admin", PASSWORD, Role.ADMINISTRATOR)
    assert services.verify_audit() is None
    with services.core.sessions() as session:
        assert session.execute(select(func.count()).select_from(AuditRecord)).scalar_one() == 2
    with _connect(app_url) as connection:
        for statement in (
            "UPDATE audit_log SET actor = 'orang-lain' WHERE seq = 2",
            "DELETE FROM audit_log WHERE seq = 2",
            "DELETE FROM audit_log",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)  # type: ignore[arg-type]
        # what the app needs still works for it
        connection.execute("SELECT count(*) FROM audit_log")
        connection.execute("UPDATE app_meta SET value = value WHERE key = 'audit_head'")
    assert services.verify_audit() is None
    assert services.balikan is not None
    services.balikan.stop()
    core.close()
    app_engine.dispose()
    migrating.dispose()


# --- the tamper matrix against the shared database (with the owner's rights) --------------------

Matrix = list[tuple[str, Callable[[list[str]], audit_tamper.Tamper], str | None, str]]
MATRIX: Matrix = [
    ("erase all", lambda n: audit_tamper.erase_all, reasons.ERASED, reasons.ERASED),
    ("delete the head", lambda n: audit_tamper.delete_head, reasons.HEAD_MISSING,
     reasons.HEAD_MISSING),
    ("truncate newest 3, rewrite head", lambda n: audit_tamper.truncate_newest(3), None,
     reasons.CHECKPOINT_TRUNCATED),
    ("remove a case, re-chain, pad", lambda n: audit_tamper.remove_case_rechain_and_pad(n[1]),
     reasons.CASE_RECORDS_REMOVED, reasons.CHECKPOINT_REWRITTEN),
    ("edit", lambda n: audit_tamper.edit(4), reasons.EDITED, reasons.EDITED),
    ("reorder", lambda n: audit_tamper.reorder(3, 5), reasons.REORDERED, reasons.REORDERED),
]  # fmt: skip


@pytest.mark.parametrize(("what", "tamper", "alone", "with_checkpoint"), MATRIX)
def test_postgres_tamper_matrix(
    first_counter: tuple[Counter, AppServices],
    what: str,
    tamper: Callable[[list[str]], audit_tamper.Tamper],
    alone: str | None,
    with_checkpoint: str,
) -> None:
    counter, services = first_counter
    officer = services.officers.authenticate("petugas", PASSWORD)
    numbers = [serve(services, officer, counter.clock, nik) for nik in NIKS[:3]]
    trail = services.audit
    with services.core.sessions() as session:
        code = trail.current_checkpoint(session)
        assert session.get(MetaValue, "key_ids") is not None
    tamper(numbers)(services.core.engine, trail.key)
    with services.core.sessions() as session:
        plain = trail.examine(session).problem
        checked = trail.examine(session, checkpoints=[trail.parse_checkpoint(code)]).problem
    assert (plain.reason if plain else None) == alone, what
    assert checked is not None and checked.reason == with_checkpoint, what
