"""Appending to the audit chain with the last hash kept in memory: several trails (counters)
on one database, a rolled-back append and an edited head row never break the chain."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, update

from app.services.audit import AuditTrail
from app.services.persistence.db import session_factory
from app.services.persistence.models import AuditRecord, MetaValue

KEY = b"k" * 32


def _clock() -> datetime:
    _clock.now += timedelta(seconds=1)  # type: ignore[attr-defined]
    return _clock.now  # type: ignore[attr-defined,no-any-return]


_clock.now = datetime(2026, 12, 1, 8, 0)  # type: ignore[attr-defined]


def _append(sessions: object, trail: AuditTrail, action: str) -> None:
    with sessions.begin() as session:  # type: ignore[attr-defined]
        trail.append(session, "petugas", action, case_number="LOKET-1-1", detail={"n": action})


def test_two_counters_interleaving_keep_one_chain(db_engine: Engine) -> None:
    sessions = session_factory(db_engine)
    first, second = AuditTrail(KEY, "LOKET-1", _clock), AuditTrail(KEY, "LOKET-2", _clock)
    for step in range(6):
        _append(sessions, first if step % 3 else second, f"step.{step}")
    with sessions() as session:
        report = first.examine(session)
        seqs = session.execute(select(AuditRecord.seq).order_by(AuditRecord.seq)).scalars().all()
        head = session.get(MetaValue, "audit_head")
        last = session.execute(select(AuditRecord).where(AuditRecord.seq == 6)).scalar_one()
    assert report.problem is None
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert head is not None and head.value == f"6:{last.hash}"


def test_a_rolled_back_append_is_not_chained_to(db_engine: Engine) -> None:
    sessions = session_factory(db_engine)
    trail = AuditTrail(KEY, "LOKET-1", _clock)
    _append(sessions, trail, "kept.1")

    def failing_step() -> None:
        with sessions.begin() as session:
            trail.append(session, "petugas", "lost")
            raise RuntimeError("the step failed after its audit record")

    with pytest.raises(RuntimeError):
        failing_step()
    _append(sessions, trail, "kept.2")
    with sessions() as session:
        actions = session.execute(select(AuditRecord.action).order_by(AuditRecord.seq)).all()
        assert trail.examine(session).problem is None
    assert [a for (a,) in actions] == ["kept.1", "kept.2"]


def test_a_head_moved_by_someone_else_is_read_again(db_engine: Engine) -> None:
    sessions = session_factory(db_engine)
    trail = AuditTrail(KEY, "LOKET-1", _clock)
    _append(sessions, trail, "one")
    other = AuditTrail(KEY, "LOKET-9", _clock)
    _append(sessions, other, "two")  # another counter: our remembered head is stale now
    with sessions.begin() as session:  # and a head row rewritten to something unknown
        session.execute(update(MetaValue).values(value="2:" + "f" * 64))
    _append(sessions, trail, "three")
    with sessions() as session:
        count = session.execute(select(func.count()).select_from(AuditRecord)).scalar()
        third = session.execute(select(AuditRecord).where(AuditRecord.seq == 3)).scalar_one()
        second = session.execute(select(AuditRecord).where(AuditRecord.seq == 2)).scalar_one()
        assert trail.examine(session).problem is None
    assert count == 3
    assert third.prev_hash == second.hash


def test_an_append_is_one_statement_and_the_head_follows_each_record(db_engine: Engine) -> None:
    from sqlalchemy import event

    sessions = session_factory(db_engine)
    trail = AuditTrail(KEY, "LOKET-1", _clock)
    _append(sessions, trail, "first")  # the first append reads the trail's last record
    sent: list[str] = []

    def _count(_c: object, _cur: object, statement: str, *_rest: object) -> None:
        sent.append(statement.split()[0].upper())

    event.listen(db_engine, "before_cursor_execute", _count)
    try:
        for step in range(3):
            _append(sessions, trail, f"more.{step}")
            with sessions() as session:
                head = session.get(MetaValue, "audit_head")
                last = session.execute(
                    select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)
                ).scalar_one()
                assert head is not None and head.value == f"{last.seq}:{last.hash}"
    finally:
        event.remove(db_engine, "before_cursor_execute", _count)
    writes = [s for s in sent if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes == ["INSERT", "INSERT", "INSERT"]  # no separate head UPDATE
    with sessions() as session:
        assert trail.examine(session).problem is None
