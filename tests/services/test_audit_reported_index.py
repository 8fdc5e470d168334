"""The audit's ``(action, at)`` index holds only the actions looked up by period (migration
0011), and the queries that look them up use it.

A case step's record is never looked up by action and time, so it has no entry; a report or
the officers' record of changes repeats the index's condition so SQLite reads the index
instead of the whole trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, text

from app.services.audit import AuditTrail
from app.services.officer_records import CHANGE_KINDS, OfficerRecords
from app.services.persistence.db import session_factory
from app.services.persistence.supervisor_models import (
    REPORTED_ACTIONS,
    action_in_reported,
    reported_actions,
)
from app.services.reports import figures
from tests.services.sql_trace import trace

KEY = b"\x07" * 32


def _audit_queries(engine: Engine, run: Callable[[], object]) -> list[tuple[str, object]]:
    """The SELECTs on the audit trail that ``run()`` sends, with their parameters."""
    return [
        (statement, parameters)
        for statement, parameters in trace(engine, run).statements
        if statement.lstrip().upper().startswith("SELECT") and "FROM audit_log" in statement
    ]


def _plan(engine: Engine, statement: str, parameters: object) -> str:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()  # type: ignore[arg-type]
    return " | ".join(str(row[3]) for row in rows)


def test_every_action_looked_up_by_period_is_in_the_index() -> None:
    counted = set(figures._COUNTED_ACTIONS)
    assert counted <= set(REPORTED_ACTIONS)
    assert set(CHANGE_KINDS) <= set(REPORTED_ACTIONS)
    assert not any(
        action.startswith(("case.", "lookup.sent", "statement.")) for action in REPORTED_ACTIONS
    )


def test_the_migrated_index_has_the_applications_condition(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        sql = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'ix_audit_log_reported'")
        ).scalar_one()
        assert (
            connection.execute(
                text("SELECT count(*) FROM sqlite_master WHERE name = 'ix_audit_log_action_at'")
            ).scalar_one()
            == 0
        )
    assert reported_actions().text in sql


def test_a_case_step_record_has_no_entry_and_a_reported_one_has(db_engine: Engine) -> None:
    sessions = session_factory(db_engine)
    trail = AuditTrail(KEY, "LOKET-1", clock=lambda: datetime(2026, 1, 5, 9, 0))
    with sessions.begin() as session:
        trail.append(session, "petugas", "case.opened", case_number="C-1")
        trail.append(
            session, "petugas", "card.read", case_number="C-1", detail={"demographic": True}
        )
        trail.append(session, "admin", "officer.created", detail={"officer": "petugas"})
    with db_engine.connect() as connection:
        entries = connection.execute(
            text(
                "SELECT count(*) FROM audit_log INDEXED BY ix_audit_log_reported "
                f"WHERE {reported_actions().text}"
            )
        ).scalar_one()
    assert entries == 2


def test_the_reports_and_the_officers_changes_read_the_index(db_engine: Engine) -> None:
    sessions = session_factory(db_engine)
    trail = AuditTrail(KEY, "LOKET-1", clock=lambda: datetime(2026, 1, 5, 9, 0))
    with sessions.begin() as session:
        for step in range(50):
            trail.append(session, "petugas", "case.opened", case_number=f"C-{step}")
        trail.append(
            session, "petugas", "guard.refused", case_number="C-1", detail={"rule": "burst"}
        )
        trail.append(session, "admin", "officer.created", detail={"officer": "petugas"})
    report = _audit_queries(
        db_engine, lambda: figures.compute_figures(sessions, date(2026, 1, 1), date(2026, 1, 31))
    )
    changes = _audit_queries(
        db_engine,
        lambda: OfficerRecords(sessions, trail).changes(date(2026, 1, 1), date(2026, 1, 31)),
    )
    by_action = [(s, p) for s, p in report + changes if "audit_log.action IN" in s]
    assert len(by_action) == 2  # the report's counted actions, the officers' changes
    for statement, parameters in by_action:
        assert "ix_audit_log_reported" in _plan(db_engine, statement, parameters), statement
    assert figures.compute_figures(sessions, date(2026, 1, 1), date(2026, 1, 31)).guard_refusals
    assert len(OfficerRecords(sessions, trail).changes(date(2026, 1, 1), date(2026, 1, 31))) == 1


def test_a_look_up_by_period_of_an_action_the_index_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match=r"case\.opened"):
        action_in_reported(("card.read", "case.opened"))
