"""Retention on a shared PostgreSQL database with the application role: details are sealed
through the owner's function only, verify still passes, and the role still cannot UPDATE."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import psycopg
import pytest

from app.services.app_core import build_services
from app.services.bootstrap import build_core
from app.services.key_admin import init_keys
from app.services.officers import Role
from app.services.persistence.db import create_db_engine, upgrade_database
from app.services.persistence.roles import app_role_grants
from app.services.retention import purge
from app.services.secrets import KeyringSecretStore
from app.services.settings import RetentionSettings
from tests.conftest import MemoryKeyring
from tests.services.cases.conftest import FakeClock
from tests.services.test_keys_postgres import (
    NIKS,
    PASSWORD,
    _connect,
    _role_url,
    counter_settings,
    serve,
)

pytestmark = pytest.mark.postgres


def test_the_app_role_seals_details_and_verify_still_passes(pg_url: str) -> None:
    owner = urlsplit(pg_url).username
    assert owner is not None
    with _connect(pg_url) as connection:
        connection.execute("DO $$ BEGIN CREATE ROLE loket_app LOGIN; "
                           "EXCEPTION WHEN duplicate_object THEN NULL; END $$")  # fmt: skip
    app_url = _role_url(pg_url, "loket_app")
    migrating = create_db_engine(pg_url)
    upgrade_database(migrating)
    with _connect(pg_url) as connection:
        for statement in app_role_grants("loket_app", owner):
            connection.execute(statement)  # type: ignore[arg-type]
    store = KeyringSecretStore(backend=MemoryKeyring())
    app_engine = create_db_engine(app_url)
    init_keys(app_engine, store, "admin-os", "LOKET-A", owner_engine=migrating)
    clock = FakeClock()
    core = build_core(counter_settings(app_url, "LOKET-A", owner_url=pg_url), secrets=store)
    services = build_services(core, None, clock=clock)
    try:
        services.officers.create(
            None, "petugas", "Petugas", PASSWORD, Role.OFFICER, nda_date=date(2025, 9, 16),
            nda_reference="NDA/1",
        )  # fmt: skip
        officer = services.officers.authenticate("petugas", PASSWORD)
        serve(services, officer, clock, NIKS[0])
        retention = RetentionSettings(answer_kind_days=0, case_days=30, audit_detail_days=365)
        result = purge(core.sessions, services.audit, retention, clock() + timedelta(days=1))
        assert result.audit_details == 1  # the portal answer next to the NIK hash
        assert services.verify_audit() is None
        with _connect(app_url) as connection:
            sealed = connection.execute(
                "SELECT seq, detail FROM audit_log WHERE detail LIKE '~redacted:%'"
            ).fetchall()
            assert len(sealed) == 1
            seq = sealed[0][0]
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("UPDATE audit_log SET detail = '{}' WHERE seq = %s", (seq,))
            with pytest.raises(psycopg.errors.RaiseException):
                connection.execute(
                    "SELECT loket_redact_audit_detail(%s, %s)", (seq + 1, '{"any": "text"}')
                )
        # an edit of the sealed record (with the owner's rights) is still found
        with _connect(pg_url) as connection:
            connection.execute("UPDATE audit_log SET actor = 'orang-lain' WHERE seq = %s", (seq,))
        problem = services.verify_audit()
        assert problem is not None and (problem.reason, problem.seq) == ("edited", seq)
    finally:
        assert services.balikan is not None
        services.balikan.stop()
        core.close()
        app_engine.dispose()
        migrating.dispose()
