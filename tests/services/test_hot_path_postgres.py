"""The lookup's hot-path statements on PostgreSQL (dialect-specific inserts, Core reads)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from app.domain.guard_rules import GuardThresholds
from app.domain.outcomes import OutcomeKind
from app.services.balikan.outbox import HELD, PENDING, BalikanParams, Outbox
from app.services.guard import PatternGuard
from app.services.keys import KeyRing
from app.services.lockouts import LockoutService
from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.persistence.models import BalikanItem, GuardHit
from tests.services.balikan.conftest import synthetic_nik

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = create_db_engine(pg_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


def test_hold_is_one_item_per_case(engine: Engine) -> None:
    keys = KeyRing.generate()
    outbox = Outbox(keys, "330301", "Bappelitbangda Contoh", clock=lambda: NOW)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        first = outbox.hold(session, "P-1", synthetic_nik(1))
    with sessions.begin() as session:
        assert outbox.hold(session, "P-1", synthetic_nik(1)).id == first.id
    with sessions() as session:
        assert session.execute(select(func.count(BalikanItem.id))).scalar_one() == 1
        assert outbox.held_nik(session, "P-1") == synthetic_nik(1)
        assert session.execute(select(BalikanItem.status)).scalar_one() == HELD


def test_a_held_item_takes_a_corrected_nik_but_a_queued_one_does_not(engine: Engine) -> None:
    keys = KeyRing.generate()
    outbox = Outbox(keys, "330301", "Bappelitbangda Contoh", clock=lambda: NOW)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        first = outbox.hold(session, "P-2", synthetic_nik(4))
    with sessions.begin() as session:
        moved = outbox.hold(session, "P-2", synthetic_nik(5))
        assert moved.id == first.id and moved.replaced
    with sessions() as session:
        assert outbox.held_nik(session, "P-2") == synthetic_nik(5)
    with sessions.begin() as session:
        outbox.enqueue(session, "P-2", synthetic_nik(5), BalikanParams("PKH", "REG-2"))
    with sessions.begin() as session:
        assert not outbox.hold(session, "P-2", synthetic_nik(6)).replaced
    with sessions() as session:
        item = session.execute(select(BalikanItem).where(BalikanItem.case_number == "P-2"))
        stored = item.scalar_one()
        assert stored.status == PENDING
        assert stored.nik_hash == keys.nik_hash(synthetic_nik(5))


def test_guard_records_purges_and_refuses(engine: Engine) -> None:
    keys = KeyRing.generate()
    guard = PatternGuard(GuardThresholds(), keys)
    sessions = session_factory(engine)
    old = guard.fingerprint(synthetic_nik(2), 1, NOW - timedelta(days=2))
    with sessions.begin() as session:
        guard.record(session, old)
    first = guard.fingerprint(synthetic_nik(3), 1, NOW)
    with sessions.begin() as session:
        assert guard.check(session, first).allowed
        guard.record(session, first)
    with sessions.begin() as session:  # the same NIK again at once: too soon
        assert not guard.check(session, guard.fingerprint(synthetic_nik(3), 1, NOW)).allowed
    with sessions() as session:  # the expired fingerprint was purged
        hits = session.execute(select(GuardHit.nik_hash)).scalars().all()
        assert hits == [keys.nik_hash(synthetic_nik(3))]


def test_lockouts_are_read_back(engine: Engine) -> None:
    lockouts = LockoutService("LOKET-1", clock=lambda: NOW)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        lockouts.set_from_outcome(session, OutcomeKind.LOGIN_FAILED, "05")
    with sessions() as session:
        active = lockouts.active(session)
    assert [(lockout.kind, lockout.code) for lockout in active] == [("login_failed", "05")]


def test_a_relaxed_case_step_commits_without_waiting_for_the_disk_only_itself(
    engine: Engine,
) -> None:
    """PostgreSQL: ``synchronous_commit`` is off inside a relaxed transaction only."""
    from sqlalchemy import text

    from app.services.persistence.db import relax_commit

    # the throwaway test cluster runs with synchronous_commit off: this database gets "on",
    # as a production server has it
    with engine.connect() as connection:
        name = connection.execute(text("SELECT current_database()")).scalar_one()
        connection.exec_driver_sql(f'ALTER DATABASE "{name}" SET synchronous_commit = on')
        connection.commit()
    engine.dispose()
    try:
        sessions = session_factory(engine)
        with sessions.begin() as session:
            relax_commit(session)
            assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
        for _ in range(3):  # whichever pooled connection comes next
            with sessions.begin() as session:
                assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{name}" RESET synchronous_commit')
            connection.commit()


def test_the_gateway_count_is_one_update_that_never_lowers_the_hits_counted(
    engine: Engine,
) -> None:
    from app.services.persistence.models import QuotaDay
    from app.services.quota import QuotaCounter

    day = datetime(2031, 3, 4, 9, 0)  # a day no other test counts on
    limited = QuotaCounter(10, clock=lambda: day)
    sessions = session_factory(engine)
    for _ in range(4):
        with sessions.begin() as session:
            limited.reserve(session)
    with sessions.begin() as session:
        held = session.get(QuotaDay, day.date())
        assert held is not None and held.used == 4
        status = limited.resync(session, 8)  # the gateway believes more is left: 4 stay
        assert (status.used, status.gateway_left) == (4, 8)
        assert (held.used, held.gateway_left) == (4, 8)  # read again
    with sessions.begin() as session:
        status = limited.resync(session, 3)  # fewer left: at least 10 - 3 counted
    assert (status.used, status.gateway_left) == (7, 3)
    with sessions.begin() as session:
        assert QuotaCounter(None, clock=lambda: day).resync(session, 1).used == 7
    with sessions() as session:
        row = session.get(QuotaDay, day.date())
        assert row is not None and (row.used, row.gateway_left) == (7, 1)
    with sessions.begin() as session:  # no row for a day: nothing is made
        later = QuotaCounter(10, clock=lambda: day + timedelta(days=1))
        assert later.resync(session, 0).used == 0
    with sessions() as session:
        assert session.get(QuotaDay, (day + timedelta(days=1)).date()) is None
