"""The counter's combined steps (issue 17: fewer, richer records; one update per transition).

The case screen approves and issues in one action, and hands over, queues the data balikan
and closes in one action. Each is one transaction that waits for the disk, with one UPDATE
of the case row and one audit record of the step; a refused step writes nothing and leaves
the case where it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from app.domain.case_flow import CaseState, IllegalTransition
from app.domain.nik import parse_nik
from app.services.cases import NikSource
from app.services.cases.errors import (
    CaseError,
    DocumentsIncomplete,
    DocumentsMatchUnconfirmed,
    ElementsUnconfirmed,
    NikNotAllowedHere,
    RecipientNumberMissing,
    StatementNotPrinted,
)
from app.services.persistence.models import AuditRecord, BalikanItem, CaseRow
from tests.services.cases.conftest import World
from tests.services.sql_trace import trace

FULL = 2
ALL_DOCUMENTS = {"form": True, "identity": True, "kk": True}


class Trace:
    """What one step sends: its commits' safety levels and its statements on ``cases``."""

    def __init__(self, world: World, step: Callable[[], object]) -> None:
        seen = trace(world.services.core.engine, step)
        self.levels = seen.levels
        self.case_statements = [
            " ".join(statement.split()[:2])
            for statement in seen.texts()
            if statement.split()[:2] == ["UPDATE", "cases"] or "FROM cases" in statement
        ]


def _records(world: World) -> list[tuple[str, dict[str, object]]]:
    with world.services.core.sessions() as session:
        rows = session.execute(
            select(AuditRecord.action, AuditRecord.detail).order_by(AuditRecord.seq)
        ).all()
    return [(action, json.loads(detail or "{}")) for action, detail in rows]


def _row(world: World) -> CaseRow:
    with world.services.core.sessions() as session:
        return session.execute(select(CaseRow)).scalar_one()


def _looked_up(world: World, checklist: dict[str, bool] = ALL_DOCUMENTS) -> object:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, checklist)
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    return case


def test_approve_and_issue_is_one_durable_commit_one_update_and_one_record(
    world: World,
) -> None:
    cases = world.services.cases
    case = _looked_up(world)
    before = len(_records(world))
    trace = Trace(world, lambda: cases.approve_and_issue(case, world.officer, documents_match=True))
    assert trace.levels == [FULL]
    assert trace.case_statements == ["UPDATE cases"]
    added = _records(world)[before:]
    assert [action for action, _detail in added] == ["case.approve_issue"]
    detail = added[0][1]
    assert detail["from"] == "cross_checked" and detail["to"] == "issued"
    assert detail["documents_match"] is True
    assert case.state is CaseState.ISSUED  # type: ignore[attr-defined]
    assert CaseState.APPROVED in case.history  # type: ignore[attr-defined]
    row = _row(world)
    assert row.state == "issued" and row.decision == "approve"
    assert row.document_number == f"DOK-{case.number}"  # type: ignore[attr-defined]


def test_approve_and_issue_keeps_a_typed_document_number(world: World) -> None:
    case = _looked_up(world)
    world.services.cases.approve_and_issue(
        case, world.officer, documents_match=True, document_number=" SK-77 "
    )
    assert _row(world).document_number == "SK-77"


@pytest.mark.parametrize(
    ("checklist", "kwargs", "refusal"),
    [
        (
            {"form": True, "identity": False, "kk": True},
            {"documents_match": True},
            DocumentsIncomplete,
        ),
        (ALL_DOCUMENTS, {}, DocumentsMatchUnconfirmed),
    ],
)
def test_a_refused_approval_writes_nothing_and_issues_nothing(
    world: World,
    checklist: dict[str, bool],
    kwargs: dict[str, object],
    refusal: type[Exception],
) -> None:
    case = _looked_up(world, checklist)
    before = _records(world)
    with pytest.raises(refusal):
        world.services.cases.approve_and_issue(case, world.officer, **kwargs)  # type: ignore[arg-type]
    assert _records(world) == before
    assert case.state is CaseState.CROSS_CHECKED  # type: ignore[attr-defined]
    row = _row(world)
    assert row.state == "cross_checked" and row.decision is None and row.document_number is None


def test_a_card_that_differs_is_issued_only_with_each_element_confirmed(world: World) -> None:
    cases = world.services.cases
    nik = world.examples()["found"]
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, ALL_DOCUMENTS)
    card = {"nik": nik, "name": "NAMA LAIN SEKALI", "sex": "", "place_of_birth": ""}
    cases.record_card_read(case, world.officer, parse_nik(nik), demographic=True, card_fields=card)
    cases.look_up(case, world.officer, nik, NikSource.CARD)
    with pytest.raises(ElementsUnconfirmed):
        cases.approve_and_issue(case, world.officer)
    assert _row(world).state == "cross_checked"
    cases.approve_and_issue(case, world.officer, confirmed_elements=["nama_lengkap"])
    issued = [d for a, d in _records(world) if a == "case.approve_issue"]
    assert len(issued) == 1 and issued[0]["elements_sesuai"] == ["nama_lengkap"]


def test_a_document_number_holding_the_nik_is_refused_before_anything_is_written(
    world: World,
) -> None:
    case = _looked_up(world)
    before = _records(world)
    with pytest.raises(NikNotAllowedHere):
        world.services.cases.approve_and_issue(
            case, world.officer, documents_match=True, document_number=world.examples()["found"]
        )
    assert _records(world) == before and _row(world).state == "cross_checked"


def _issued(world: World) -> object:
    case = _looked_up(world)
    world.services.cases.approve_and_issue(case, world.officer, documents_match=True)
    return case


def test_hand_over_and_close_is_one_durable_commit_one_update_one_record_and_the_item_queued(
    world: World,
) -> None:
    cases = world.services.cases
    case = _issued(world)
    cases.record_printed(case, world.officer)
    before = len(_records(world))
    trace = Trace(world, lambda: cases.hand_over_and_close(case, world.officer, "REG-7"))
    assert trace.levels == [FULL]
    assert trace.case_statements == ["UPDATE cases"]
    added = _records(world)[before:]
    assert [action for action, _detail in added] == ["case.hand_over_close"]
    assert added[0][1]["from"] == "issued" and added[0][1]["to"] == "closed"
    row = _row(world)
    assert row.state == "closed" and row.recipient_number == "REG-7"
    assert row.closed_at is not None
    with world.services.core.sessions() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
    assert item.status == "pending" and item.case_number == case.number  # type: ignore[attr-defined]
    assert added[0][1]["item"] == item.id  # the step's one record names the queued item
    with world.services.core.sessions() as session:  # and the resident, as balikan records do
        last = session.execute(select(AuditRecord).order_by(AuditRecord.seq.desc())).scalars()
        assert next(iter(last)).nik_hash == item.nik_hash
    assert "REG-7" in json.dumps(json.loads(item.params))  # the recipient number is sent
    # the applicant's data left memory with the case
    assert case.nik is None and case.last is None  # type: ignore[attr-defined]
    assert case.state is CaseState.CLOSED  # type: ignore[attr-defined]
    assert case.history[-2:] == [  # type: ignore[attr-defined]
        CaseState.HANDED_OVER,
        CaseState.BALIKAN_QUEUED,
    ]


def test_hand_over_and_close_is_refused_without_the_paper_or_a_clean_recipient_number(
    world: World,
) -> None:
    cases = world.services.cases
    case = _issued(world)
    before = _records(world)
    with pytest.raises(StatementNotPrinted):
        cases.hand_over_and_close(case, world.officer, "REG-1")
    cases.record_printed(case, world.officer)
    printed = _records(world)
    assert printed[:-1] == before and printed[-1][0] == "statement.printed"
    with pytest.raises(RecipientNumberMissing):
        cases.hand_over_and_close(case, world.officer, "   ")
    with pytest.raises(NikNotAllowedHere):
        cases.hand_over_and_close(case, world.officer, world.examples()["found"])
    assert _records(world) == printed
    assert _row(world).state == "issued" and case.state is CaseState.ISSUED  # type: ignore[attr-defined]
    with world.services.core.sessions() as session:
        assert session.execute(select(BalikanItem.status)).scalar_one() == "held"


def test_a_combined_step_on_a_case_ended_elsewhere_is_refused_without_a_trace(
    world: World,
) -> None:
    cases = world.services.cases
    case = _looked_up(world)
    world.clock.advance(2 * 3600)  # left alone: another counter ends it as interrupted
    cases.cancel_interrupted(world.supervisor, case.number, "")
    before = _records(world)
    with pytest.raises(IllegalTransition) as refused:
        cases.approve_and_issue(case, world.officer, documents_match=True)
    assert refused.value.state is CaseState.CANCELLED
    assert case.state is CaseState.CROSS_CHECKED  # type: ignore[attr-defined]
    assert _records(world) == before
    assert _row(world).document_number is None


def test_after_the_screen_was_locked_the_item_takes_the_nik_held_for_the_case(
    world: World,
) -> None:
    cases = world.services.cases
    case = _issued(world)
    cases.record_printed(case, world.officer)
    cases.release(case)  # locked: the NIK left memory, the case stays open
    assert case.nik is None  # type: ignore[attr-defined]
    cases.hand_over_and_close(case, world.officer, "REG-8")
    with world.services.core.sessions() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
    assert item.status == "pending"
    assert item.nik_hash == world.services.keys.nik_hash(world.examples()["found"])
    assert _row(world).state == "closed"


def test_the_held_nik_missing_after_a_lock_refuses_the_hand_over_and_writes_nothing(
    world: World,
) -> None:
    cases = world.services.cases
    case = _issued(world)
    cases.record_printed(case, world.officer)
    cases.release(case)
    with world.services.core.sessions.begin() as session:  # the held item is gone
        session.execute(delete(BalikanItem))
    before = _records(world)
    with pytest.raises(CaseError):
        cases.hand_over_and_close(case, world.officer, "REG-8")
    assert _records(world) == before
    assert _row(world).state == "issued" and case.state is CaseState.ISSUED  # type: ignore[attr-defined]
    assert case.recipient_number is None  # type: ignore[attr-defined]


def test_a_hand_over_of_a_case_ended_elsewhere_is_refused_and_queues_nothing_more(
    world: World,
) -> None:
    cases = world.services.cases
    case = _issued(world)
    cases.record_printed(case, world.officer)
    world.clock.advance(2 * 3600)  # left alone: another counter ends it as interrupted
    cases.cancel_interrupted(world.supervisor, case.number, "")
    with world.services.core.sessions() as session:
        owed = session.execute(select(BalikanItem.status, BalikanItem.params)).one()
    before = _records(world)
    with pytest.raises(IllegalTransition) as refused:
        cases.hand_over_and_close(case, world.officer, "REG-9")
    assert refused.value.state.value == _row(world).state  # ended there, as it is now
    assert _records(world) == before
    with world.services.core.sessions() as session:
        assert session.execute(select(BalikanItem.status, BalikanItem.params)).one() == owed
    assert case.state is CaseState.ISSUED  # type: ignore[attr-defined]
    assert case.recipient_number is None and case.nik is not None  # type: ignore[attr-defined]
    assert _row(world).recipient_number != "REG-9"


def test_an_incident_window_holding_only_the_hand_over_counts_its_resident(
    world: World,
) -> None:
    from app.services.incidents import count_residents

    cases = world.services.cases
    case = _issued(world)
    cases.record_printed(case, world.officer)
    world.clock.advance(3600)  # the lookups lie an hour before the window
    start = world.clock()
    cases.hand_over_and_close(case, world.officer, "REG-3")
    with world.services.core.sessions() as session:
        assert count_residents(session, start, start + timedelta(minutes=5), []) == 1
        assert count_residents(session, start - timedelta(hours=2), start, []) == 1
        assert (
            count_residents(session, start + timedelta(minutes=6), start + timedelta(hours=1), [])
            == 0
        )
