"""The case row on the case path: one UPDATE per step, guarded by the state it moves from.

Issue 17: "one update per transition". A step moves the row with one
``UPDATE … WHERE id = … AND state = …`` and reads nothing before it; when the row was moved
at another counter meanwhile, the step is refused as before and leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from app.domain.case_flow import CaseState, IllegalTransition
from app.services.cases import Decision, NikSource
from app.services.persistence.models import AuditRecord, CaseRow
from tests.services.cases.conftest import World
from tests.services.sql_trace import trace


def _case_statements(world: World, step: Callable[[], object]) -> list[str]:
    """The statements on the ``cases`` table that ``step()`` sends."""
    seen: list[str] = []
    for statement in trace(world.services.core.engine, step).texts():
        first = " ".join(statement.split()[:3]).lower()
        if " cases" in f" {first}" or first.startswith("update cases"):
            seen.append(first)
    return seen


def test_each_officer_step_is_one_update_of_the_case_row_and_no_read(world: World) -> None:
    cases = world.services.cases
    officer = world.officer
    case = cases.open_case(officer, "PKH", "Pendaftaran bantuan")
    steps = [
        lambda: cases.check_documents(case, officer, {"KTP-el": True}),
        lambda: cases.decide(case, officer, Decision.APPROVE, documents_match=True),
        lambda: cases.issue(case, officer),
        lambda: cases.hand_over(case, officer, "REG-1"),
        lambda: cases.close(case, officer),
    ]
    seen = _case_statements(world, steps[0])
    assert seen == ["update cases set"]
    cases.look_up(case, officer, world.examples()["found"], NikSource.TYPED)
    for step in steps[1:3]:
        assert _case_statements(world, step) == ["update cases set"]
    cases.record_printed(case, officer)
    for step in steps[3:]:
        assert _case_statements(world, step) == ["update cases set"]
    with world.services.core.sessions() as session:
        row = session.execute(select(CaseRow)).scalar_one()
        assert row.state == CaseState.CLOSED.value
        assert row.recipient_number == "REG-1"
        assert row.document_number == f"DOK-{case.number}"
        assert row.decision == "approve" and row.documents_ok is True
        assert row.data_accessed is True and row.closed_at is not None


def test_a_step_on_a_case_moved_at_another_counter_is_refused_without_a_trace(
    world: World,
) -> None:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, {"KTP-el": True})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    world.clock.advance(2 * 3600)  # left alone: another counter ends it as interrupted
    cases.cancel_interrupted(world.supervisor, case.number, "")
    with world.services.core.sessions() as session:
        records = session.execute(select(func.count(AuditRecord.id))).scalar_one()
    with pytest.raises(IllegalTransition) as refused:
        cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    assert refused.value.state is CaseState.CANCELLED
    assert case.state is CaseState.CROSS_CHECKED  # the step rolled back, memory too
    with world.services.core.sessions() as session:
        assert session.execute(select(func.count(AuditRecord.id))).scalar_one() == records
        row = session.execute(select(CaseRow)).scalar_one()
        assert row.state == CaseState.CANCELLED.value and row.decision is None
