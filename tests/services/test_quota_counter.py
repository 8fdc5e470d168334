"""The shared daily quota counter: a hit per call, refused at the limit, a row per day."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.services.persistence.db import session_factory
from app.services.persistence.models import QuotaDay
from app.services.quota import QuotaCounter, QuotaExhausted


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sessions(db_engine: Engine) -> sessionmaker[Session]:
    return session_factory(db_engine)


def _days(sessions: sessionmaker[Session]) -> dict[str, tuple[int, int | None]]:
    with sessions() as session:
        rows = session.execute(select(QuotaDay)).scalars()
        return {row.day.isoformat(): (row.used, row.gateway_left) for row in rows}


def test_hits_are_counted_per_day_up_to_the_limit(sessions: sessionmaker[Session]) -> None:
    clock = _Clock()
    counter = QuotaCounter(2, clock)
    for expected in (1, 2):
        with sessions.begin() as session:
            assert counter.reserve(session).used == expected
    with pytest.raises(QuotaExhausted), sessions.begin() as session:
        counter.reserve(session)
    assert _days(sessions) == {"2026-11-23": (2, None)}
    clock.now += timedelta(days=1)  # a new day starts from zero
    with sessions.begin() as session:
        assert counter.reserve(session).used == 1
    assert _days(sessions) == {"2026-11-23": (2, None), "2026-11-24": (1, None)}


def test_without_a_limit_the_gateway_count_still_stops_hits(
    sessions: sessionmaker[Session],
) -> None:
    counter = QuotaCounter(None, _Clock())
    with sessions.begin() as session:
        counter.reserve(session)
        counter.resync(session, 1)  # the gateway says one hit is left
    with sessions.begin() as session:
        status = counter.reserve(session)
        assert (status.used, status.gateway_left) == (2, 0)
    with pytest.raises(QuotaExhausted), sessions.begin() as session:
        counter.reserve(session)
    assert _days(sessions) == {"2026-11-23": (2, 0)}


def test_a_row_read_earlier_in_the_session_shows_the_new_count(
    sessions: sessionmaker[Session],
) -> None:
    clock = _Clock()
    counter = QuotaCounter(5, clock)
    with sessions.begin() as session:
        counter.reserve(session)
        counter.resync(session, 3)  # used becomes max(1, 5 - 3) = 2
        held = session.get(QuotaDay, clock().date())  # the session keeps today's row
        assert held is not None and (held.used, held.gateway_left) == (2, 3)
        counter.reserve(session)
        assert (held.used, held.gateway_left) == (3, 2)
        assert counter.status(session).used == 3


def test_the_gateway_count_never_lowers_the_hits_counted_here(
    sessions: sessionmaker[Session],
) -> None:
    clock = _Clock()
    counter = QuotaCounter(5, clock)
    for _ in range(4):
        with sessions.begin() as session:
            counter.reserve(session)
    with sessions.begin() as session:  # the gateway believes more is left than we do
        status = counter.resync(session, 3)
    assert (status.used, status.gateway_left) == (4, 3)
    assert _days(sessions) == {"2026-11-23": (4, 3)}
    with sessions.begin() as session:  # a negative count is read as none left
        assert counter.resync(session, -2).gateway_left == 0
    assert _days(sessions) == {"2026-11-23": (5, 0)}


def test_a_gateway_count_arriving_after_midnight_leaves_the_new_day_alone(
    sessions: sessionmaker[Session],
) -> None:
    clock = _Clock()
    counter = QuotaCounter(10, clock)
    with sessions.begin() as session:
        counter.reserve(session)
    clock.now += timedelta(days=1)  # the answer came back after midnight
    with sessions.begin() as session:
        status = counter.resync(session, 0)  # yesterday's count: the quota was used up
    assert (status.used, status.gateway_left) == (0, None)
    assert _days(sessions) == {"2026-11-23": (1, None)}
    with sessions.begin() as session:  # the new day starts with its whole quota
        assert counter.reserve(session).used == 1
    assert _days(sessions) == {"2026-11-23": (1, None), "2026-11-24": (1, None)}


def test_a_row_read_before_the_gateway_count_is_read_again(
    sessions: sessionmaker[Session],
) -> None:
    clock = _Clock()
    counter = QuotaCounter(None, clock)
    with sessions.begin() as session:
        counter.reserve(session)
        held = session.get(QuotaDay, clock().date())  # loaded before the count arrives
        assert held is not None and held.gateway_left is None
        counter.resync(session, 42)
        assert (held.used, held.gateway_left) == (1, 42)
