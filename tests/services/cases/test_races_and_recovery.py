"""Answers that arrive after a lock or a cancel, crash recovery from every state, accounts
changed mid-session: nothing owed is lost, nothing is shown that should not be."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from sqlalchemy import select

from app.domain.case_flow import CaseState
from app.services.balikan.outbox import PENDING
from app.services.cases import Decision, GatewayAnswer, NikNotAllowedHere, NikSource
from app.services.officers import AccountDisabled
from app.services.persistence.models import AuditRecord, BalikanItem, LookupRow
from tests.services.cases.conftest import World


class MidFlight:
    """A gateway port that runs ``during`` after the gateway answered, before returning."""

    def __init__(self, inner: object, during: Callable[[], None]) -> None:
        self.inner = inner
        self.during = during

    def lookup(self, nik: str) -> GatewayAnswer:
        answer: GatewayAnswer = self.inner.lookup(nik)  # type: ignore[attr-defined]
        self.during()
        return answer

    def verify(self, nik: str, elements: Mapping[str, str]) -> GatewayAnswer:
        raise AssertionError("not used")


def opened(world: World) -> object:
    case = world.services.cases.open_case(world.officer, "PKH", "Pendaftaran")
    world.services.cases.check_documents(case, world.officer, {"KTP-el": True})
    return case


def test_answer_arriving_after_a_lock_is_recorded_but_not_shown(world: World) -> None:
    cases = world.services.cases
    case = opened(world)
    cases._gateway = MidFlight(cases._gateway, lambda: cases.release(case))  # type: ignore[arg-type]
    view = cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    assert view.record is None and case.last is None  # the locked screen shows nothing
    with world.services.core.sessions() as session:
        assert session.execute(select(BalikanItem.status)).scalar_one() == "held"
        assert session.execute(select(LookupRow.outcome)).scalar_one() == "found"


def test_answer_arriving_after_a_cancel_still_owes_balikan(world: World) -> None:
    cases = world.services.cases
    case = opened(world)
    cases._gateway = MidFlight(  # type: ignore[assignment]
        cases._gateway, lambda: cases.cancel(case, world.officer, "pemohon pergi")
    )
    view = cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    assert view.record is None
    with world.services.core.sessions() as session:
        assert session.execute(select(BalikanItem.status)).scalar_one() == PENDING
        assert session.execute(select(LookupRow.outcome)).scalar_one() == "found"
    assert case.state is CaseState.CANCELLED


def test_an_officer_disabled_elsewhere_cannot_look_up(world: World) -> None:
    case = opened(world)
    world.services.officers.set_active(world.admin, world.officer.id, False)
    with pytest.raises(AccountDisabled):
        world.services.cases.look_up(
            case, world.officer, world.examples()["found"], NikSource.TYPED
        )
    assert world.simulator.hits_today() == 0
    with world.services.core.sessions() as session:
        actions = [r.action for r in session.execute(select(AuditRecord)).scalars()]
    assert actions[-1] == "lookup.refused"


def test_a_nik_is_refused_as_a_document_or_recipient_number(world: World) -> None:
    cases = world.services.cases
    case = opened(world)
    nik = world.examples()["found"]
    cases.look_up(case, world.officer, nik, NikSource.TYPED)
    cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    with pytest.raises(NikNotAllowedHere):
        cases.issue(case, world.officer, nik)
    cases.issue(case, world.officer, "SK-1")
    cases.record_printed(case, world.officer)
    with pytest.raises(NikNotAllowedHere):
        cases.hand_over(case, world.officer, f"REG {nik}")
    long_purpose = cases.open_case(world.officer, "PKH", f"Untuk {nik} " + "x" * 400)
    assert nik not in long_purpose.purpose and len(long_purpose.purpose) <= 255


def test_a_failed_step_leaves_the_case_as_the_database_has_it(world: World) -> None:
    cases = world.services.cases
    case = opened(world)
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    cases.issue(case, world.officer)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    original = world.services.outbox.enqueue
    world.services.outbox.enqueue = broken  # type: ignore[method-assign]
    cases.record_printed(case, world.officer)
    with pytest.raises(RuntimeError):
        cases.hand_over(case, world.officer, "REG-1")
    assert case.state is CaseState.ISSUED  # not HANDED_OVER: the transaction rolled back
    world.services.outbox.enqueue = original  # type: ignore[method-assign]
    cases.record_printed(case, world.officer)
    cases.hand_over(case, world.officer, "REG-1")
    assert case.state is CaseState.BALIKAN_QUEUED
