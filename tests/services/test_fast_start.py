"""Fast start: the revision is read without Alembic, a new demo database copied from a kept
schema equals a migrated one, the message table and the profiles are read once."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.services.demo import build_demo
from app.services.persistence.db import (
    MIGRATIONS_DIR,
    _alembic_config,
    create_db_engine,
    current_revision,
    head_revision,
    known_revisions,
    upgrade_database,
)
from app.services.persistence.schema_template import copy_template, save_template, template_path
from app.services.user_cache import CACHE_ENV

ROOT = Path(__file__).resolve().parents[2]


def _alembic_scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def _content(path: Path) -> tuple[list[tuple[str, ...]], dict[str, list[tuple[object, ...]]]]:
    """Every schema object's definition and every table's rows."""
    connection = sqlite3.connect(path)
    try:
        schema = connection.execute(
            "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        rows = {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for kind, name, _table, _sql in schema
            if kind == "table"
        }
        return schema, rows
    finally:
        connection.close()


def _migrated(path: Path) -> Path:
    engine = create_db_engine(f"sqlite+pysqlite:///{path}")
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    return path


def test_the_head_and_known_revisions_equal_alembics_own() -> None:
    scripts = _alembic_scripts()
    assert head_revision() == scripts.get_current_head()
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}


def test_a_demo_database_copied_from_the_kept_schema_equals_a_migrated_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    reference = _migrated(tmp_path / "reference.sqlite3")
    first = build_demo(tmp_path / "first")  # migrates and keeps the schema
    first.services.core.close()
    template = template_path()
    assert template.is_file()
    assert _content(template) == _content(reference)  # the schema only: no officers, no keys

    copied = tmp_path / "copied.sqlite3"
    assert copy_template(copied)
    assert _content(copied) == _content(reference)
    assert current_revision(create_db_engine(f"sqlite+pysqlite:///{copied}")) == head_revision()

    second = build_demo(tmp_path / "second")  # starts from the copy
    try:
        assert second.services.officers.count() == 4
        session = second.services.officers.authenticate("petugas", "demo1234")
        assert session.username == "petugas"
    finally:
        second.services.core.close()
    schema_first, _rows = _content(tmp_path / "first" / "loket.sqlite3")
    schema_second, _rows = _content(tmp_path / "second" / "loket.sqlite3")
    assert schema_second == schema_first


def test_a_database_with_content_is_never_overwritten_nor_kept_as_the_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    data = tmp_path / "demo"
    world = build_demo(data)  # keeps the schema
    world.services.core.close()
    template_path().unlink()
    again = build_demo(data, secrets=world.services.core.secrets)  # opened as it is
    again.services.core.close()
    assert not template_path().exists()  # officers and keys are never kept as "the schema"
    assert not copy_template(data / "loket.sqlite3")  # and never overwritten
    assert save_template(_migrated(tmp_path / "plain.sqlite3")) == template_path()
    assert not copy_template(data / "loket.sqlite3")


def test_an_unreadable_kept_schema_is_dropped_and_the_database_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    template = template_path()
    template.parent.mkdir(parents=True)
    template.write_bytes(b"not a database at all" * 100)
    world = build_demo(tmp_path / "demo")
    try:
        assert current_revision(world.services.core.engine) == head_revision()
        assert world.services.officers.count() == 4
    finally:
        world.services.core.close()
    assert _content(template) == _content(_migrated(tmp_path / "reference.sqlite3"))


_PROBE = """
import sys
from pathlib import Path
{body}
print("ALEMBIC" if "alembic" in sys.modules else "NO-ALEMBIC")
"""


def _probe(body: str, cache: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env[CACHE_ENV] = str(cache)
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(body=body)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_alembic_is_not_imported_when_the_schema_is_at_head(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    database = _migrated(tmp_path / "loket.sqlite3")
    at_head = f"""
from app.services.persistence.db import create_db_engine, upgrade_database
assert upgrade_database(create_db_engine("sqlite+pysqlite:///{database}")) is None
"""
    assert _probe(at_head, cache) == "NO-ALEMBIC"

    demo = f"""
from app.services.demo import build_demo
build_demo(Path({str(tmp_path / "demo-1")!r})).services.core.close()
"""
    assert _probe(demo, cache) == "ALEMBIC"  # the first demo of this version migrates
    demo_again = demo.replace("demo-1", "demo-2")
    assert _probe(demo_again, cache) == "NO-ALEMBIC"  # later ones copy the kept schema

    older = tmp_path / "older.sqlite3"
    engine = create_db_engine(f"sqlite+pysqlite:///{older}")
    with engine.connect() as connection, connection.begin():
        command.upgrade(_alembic_config(connection), "0001")
    engine.dispose()
    not_at_head = f"""
from app.services.persistence.db import create_db_engine, current_revision, head_revision
from app.services.persistence.db import upgrade_database
engine = create_db_engine("sqlite+pysqlite:///{older}")
assert current_revision(engine) == "0001"
assert upgrade_database(engine) is not None  # a backup was taken, then migrated
assert current_revision(engine) == head_revision()
"""
    assert _probe(not_at_head, cache) == "ALEMBIC"


def test_the_message_table_is_parsed_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from babel.messages.pofile import read_po

    from app.domain.resource_files import resource_path

    with resource_path("translations", "id", "LC_MESSAGES", "loket.po").open("rb") as handle:
        catalog = read_po(handle, locale="id")
    expected = {
        str(m.id): str(m.string)
        for m in catalog
        if isinstance(m.id, str) and m.id and m.string and not m.fuzzy
    }
    assert expected["Preparing the demo…"] == "Menyiapkan demo…"  # the catalogue really translates
    table = """
from app.services.translations import translator
import json
print(json.dumps(translator("id")))
print("BABEL" if "babel" in sys.modules else "NO-BABEL")
"""
    cache = tmp_path / "cache"
    for first in (True, False):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env[CACHE_ENV] = str(cache)
        result = subprocess.run(
            [sys.executable, "-c", _PROBE.format(body=table)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.strip().splitlines()
        assert json.loads(lines[0]) == expected
        assert lines[1] == ("BABEL" if first else "NO-BABEL")
    (cached,) = cache.glob("messages-id-*.json")
    cached.write_text("{not json")  # a damaged cache is parsed again, never trusted
    from app.services import translations

    translations._messages.cache_clear()
    monkeypatch.setenv(CACHE_ENV, str(cache))
    try:
        assert translations.translator("id") == expected
    finally:
        translations._messages.cache_clear()
    assert json.loads(cached.read_text()) == expected  # and the cache repaired


def test_a_demo_start_loads_no_http_library_until_the_first_query(tmp_path: Path) -> None:
    body = f"""
from app.services.demo import build_demo
world = build_demo(Path({str(tmp_path)!r}) / "DEMO")
heavy = ("httpx", "httpcore", "babel", "sqlalchemy.dialects.postgresql")
print("AT-START", sorted(name for name in heavy if name in sys.modules))
services = world.services
nik = world.simulator.population.examples()["found"]
answer = services.cases._gateway.lookup(nik)
print("FIRST-QUERY", answer.kind.name, "httpx" in sys.modules)
services.core.close()
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env[CACHE_ENV] = str(tmp_path / "cache")
    for demo in ("first", "second"):  # the first of this version fills the cache
        result = subprocess.run(
            [sys.executable, "-c", _PROBE.format(body=body.replace("DEMO", demo))],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "AT-START []" in lines
    assert "FIRST-QUERY FOUND True" in lines  # the simulator's transport, made on first use


def test_shipped_profiles_are_parsed_again_when_a_file_changes(tmp_path: Path) -> None:
    import shutil

    from app.domain.resource_files import resources_dir
    from app.services.dukcapil.profiles import load_profiles

    resources = tmp_path / "resources"
    shutil.copytree(resources_dir() / "profiles", resources / "profiles")
    empty_admin = tmp_path / "admin"
    first = load_profiles(resources, empty_admin)
    assert first["bandung-9"].name == "Kab. Bandung (Juknis template) — 9 elements with No. KK"
    first.pop("bandung-9")  # the caller's own mapping: the next answer is whole
    assert "bandung-9" in load_profiles(resources, empty_admin)
    path = resources / "profiles" / "bandung-9.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('name = "Kab. Bandung', 'name = "KAB. CONTOH'),
        encoding="utf-8",
    )
    assert load_profiles(resources, empty_admin)["bandung-9"].name.startswith("KAB. CONTOH")


def test_the_gateway_client_makes_its_transport_when_the_first_query_is_sent() -> None:
    from app.domain.resource_files import resources_dir
    from app.services.dukcapil import (
        DukcapilClient,
        GatewayConfig,
        GatewayCredentials,
        OutcomeKind,
        load_profile,
    )
    from app.services.gateway_setup import SIMULATOR_BASE_URL
    from app.services.simulator import GatewaySimulator, SimulatorConfig

    simulator = GatewaySimulator(SimulatorConfig(), mode="demo")
    account = simulator.config.account
    made: list[object] = []

    def transport() -> object:
        made.append(simulator.transport())
        return made[-1]

    client = DukcapilClient(
        GatewayConfig(
            base_url=SIMULATOR_BASE_URL,
            consumer_id=account.consumer_id,
            allow_plain_http=True,
            key_style="default",
        ),
        GatewayCredentials(account.user_id, account.password, account.ip_user),
        load_profile(resources_dir(), "purbalingga-8"),
        transport=transport,  # type: ignore[arg-type]
    )
    assert made == []  # nothing made while the application starts
    nik = simulator.population.examples()["found"]
    assert client.lookup(nik).kind is OutcomeKind.FOUND
    assert client.lookup(nik).kind is OutcomeKind.FOUND
    assert len(made) == 1  # one transport, kept
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.lookup(nik)


def test_the_production_start_module_leaves_demo_set_up_and_network_code_unloaded(
    tmp_path: Path,
) -> None:
    body = """
import app.ui.main
unwanted = (
    "app.services.simulator", "app.services.demo", "app.services.first_run", "app.ui.first_run",
    "app.services.key_admin", "alembic", "httpx", "babel",
)
print("LOADED", sorted(name for name in unwanted if name in sys.modules))
"""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    env[CACHE_ENV] = str(tmp_path / "cache")
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(body=body)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout.splitlines()
