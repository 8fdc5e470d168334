"""Decommissioning on a shared PostgreSQL database: one counter ends without touching the others'
data; the agency-wide decommission (the last counter) drops the shared tables; owed items block."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text, update

from app.services.app_core import AppServices
from app.services.decommission import (
    AGENCY,
    COUNTER,
    DECOMMISSIONED,
    OwedItems,
    decommission,
)
from app.services.key_admin import export_keys, import_keys
from app.services.persistence.db import create_db_engine
from app.services.persistence.models import BalikanItem, CaseRow, Lockout
from app.services.secrets import HMAC_KEY, KNOWN_SECRETS
from tests.conftest import MemoryKeyring
from tests.services.test_keys_postgres import (
    NIKS,
    PASSPHRASE,
    PASSWORD,
    Counter,
    counter_settings,
    first_counter,
    serve,
)

pytestmark = pytest.mark.postgres
__all__ = ["first_counter"]  # the fixture, used below


@pytest.fixture
def two_counters(
    pg_url: str, first_counter: tuple[Counter, AppServices]
) -> Iterator[tuple[Counter, AppServices, Counter, AppServices]]:
    a, services_a = first_counter
    b = Counter(counter_settings(pg_url, "LOKET-B"), MemoryKeyring(), a.clock, a.simulator)
    engine = create_db_engine(pg_url)
    import_keys(engine, b.store, export_keys(engine, a.store, PASSPHRASE), PASSPHRASE)
    engine.dispose()
    services_b = b.open()
    yield a, services_a, b, services_b
    assert services_b.balikan is not None
    services_b.balikan.stop()
    services_b.core.close()


def _deliver(services: AppServices, *numbers: str) -> None:
    with services.core.sessions.begin() as session:
        session.execute(
            update(BalikanItem)
            .where(BalikanItem.case_number.in_(numbers))
            .values(status="delivered", delivered_at=services.clock())
        )


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_one_counter_ends_alone_the_last_one_ends_the_agency(
    pg_url: str,
    two_counters: tuple[Counter, AppServices, Counter, AppServices],
    tmp_path: Path,
) -> None:
    a, services_a, b, services_b = two_counters
    officer_a = services_a.officers.authenticate("petugas", PASSWORD)
    officer_b = services_b.officers.authenticate("petugas", PASSWORD)
    a1 = serve(services_a, officer_a, a.clock, NIKS[0])
    b1 = serve(services_b, officer_b, b.clock, NIKS[1])
    _deliver(services_a, a1)
    admin_a = services_a.officers.authenticate("admin", PASSWORD)
    admin_b = services_b.officers.authenticate("admin", PASSWORD)
    tables = _tables(pg_url)
    assert {"cases", "audit_log", "balikan_items"} <= tables

    # the agency-wide decommission is blocked by another counter's owed item
    with pytest.raises(OwedItems) as refused:
        decommission(services_a, admin_a, tmp_path / "agency", agency=True)
    assert refused.value.count == 1
    # a counter is blocked by its own owed item
    with pytest.raises(OwedItems):
        decommission(services_b, admin_b, tmp_path / "b")
    assert _tables(pg_url) == tables and not (tmp_path / "agency").exists()

    _deliver(services_b, b1)
    a2 = serve(services_a, officer_a, a.clock, NIKS[2])  # A's owed item does not block B
    result_b = decommission(services_b, admin_b, tmp_path / "b")
    assert (result_b.scope, result_b.others, result_b.shared_wiped) == (
        COUNTER,
        ("LOKET-A",),
        False,
    )
    assert result_b.database_removed is None
    assert all(b.store.get(name) is None for name in KNOWN_SECRETS)
    assert a.store.get(HMAC_KEY) is not None  # A keeps the agency keys
    # the shared database and A's data are untouched; A works on
    assert _tables(pg_url) == tables
    with services_a.core.sessions() as session:
        numbers = set(session.execute(select(CaseRow.number)).scalars())
        assert {a1, b1, a2} <= numbers
        owed = session.execute(
            select(BalikanItem.case_number).where(BalikanItem.status != "delivered")
        ).scalars()
        assert list(owed) == [a2]
        assert (
            session.execute(select(Lockout).where(Lockout.kind == DECOMMISSIONED)).first() is None
        )
    a3 = serve(services_a, officer_a, a.clock, NIKS[3])
    assert services_a.verify_audit() is None

    # A is the last counter in use: its decommission is the agency's, blocked while owed
    with pytest.raises(OwedItems) as owed_a:
        decommission(services_a, admin_a, tmp_path / "a")
    assert owed_a.value.count == 2
    _deliver(services_a, a2, a3)
    result_a = decommission(services_a, admin_a, tmp_path / "a")
    assert (result_a.scope, result_a.others, result_a.shared_wiped) == (AGENCY, (), True)
    assert _tables(pg_url) == set()
    engine = create_db_engine(pg_url)
    with engine.connect() as connection:
        functions = connection.execute(
            text("SELECT count(*) FROM pg_proc WHERE proname = 'loket_redact_audit_detail'")
        ).scalar_one()
    engine.dispose()
    assert functions == 0
    assert all(a.store.get(name) is None for name in KNOWN_SECRETS)
    assert {p.name.split("-")[0] for p in (tmp_path / "a").iterdir()} == {"audit", "bast", "final"}
