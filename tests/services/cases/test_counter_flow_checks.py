"""The flowchart's checks (Lampiran II) enforced by the case API, written from issue 14.

- approval requires every required document ticked;
- where the card disagrees with Dukcapil on a compared element, approval requires an
  explicit "sesuai" per element (audited) or a return;
- with a typed NIK the officer must confirm the documents match the data shown;
- hand-over is refused until the statement was printed, and without a recipient number
  (never replaced by the document number);
- a NIK can be corrected in the same case before any decision: a new, counted lookup with
  its reason audited.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.domain.case_flow import CaseState
from app.domain.nik import parse_nik
from app.services.cases import Decision, NikCorrection, NikMismatch, NikSource
from app.services.cases.errors import (
    DocumentsIncomplete,
    DocumentsMatchUnconfirmed,
    ElementsUnconfirmed,
    NikCorrectionReasonRequired,
    NikCorrectionTooLate,
    RecipientNumberMissing,
    StatementNotPrinted,
)
from app.services.persistence.models import AuditRecord
from tests.services.cases.conftest import World


def _actions(world: World) -> list[tuple[str, str]]:
    with world.services.core.sessions() as session:
        rows = session.execute(select(AuditRecord).order_by(AuditRecord.id)).scalars()
        return [(row.action, row.detail or "") for row in rows]


def _opened(world: World, checklist: dict[str, bool]) -> object:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, checklist)
    return case


def test_no_document_ticked_cannot_be_approved(world: World) -> None:
    cases = world.services.cases
    case = _opened(world, {"form": False, "identity": False, "kk": False})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    with pytest.raises(DocumentsIncomplete):
        cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    assert case.state is CaseState.CROSS_CHECKED  # type: ignore[attr-defined]


def test_one_document_missing_cannot_be_approved(world: World) -> None:
    cases = world.services.cases
    case = _opened(world, {"form": True, "identity": True, "kk": False})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    with pytest.raises(DocumentsIncomplete):
        cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)


def test_a_typed_nik_needs_the_documents_confirmed_against_the_data(world: World) -> None:
    cases = world.services.cases
    case = _opened(world, {"form": True, "identity": True, "kk": True})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    with pytest.raises(DocumentsMatchUnconfirmed):
        cases.decide(case, world.officer, Decision.APPROVE)
    cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    assert case.state is CaseState.APPROVED  # type: ignore[attr-defined]
    assert any(
        action == "case.approve" and "documents_match" in detail
        for action, detail in _actions(world)
    )


def test_a_card_that_differs_from_dukcapil_needs_sesuai_per_element(world: World) -> None:
    cases = world.services.cases
    nik = world.examples()["found"]
    case = _opened(world, {"form": True, "identity": True, "kk": True})
    card = {"nik": nik, "name": "NAMA LAIN SEKALI", "sex": "", "place_of_birth": ""}
    cases.record_card_read(
        case, world.officer, parse_nik(nik), demographic=True, card_fields=card
    )
    cases.look_up(case, world.officer, nik, NikSource.CARD)
    assert cases.differing_elements(case) == ["nama_lengkap"]
    with pytest.raises(ElementsUnconfirmed):
        cases.decide(case, world.officer, Decision.APPROVE)
    with pytest.raises(ElementsUnconfirmed):
        cases.decide(case, world.officer, Decision.APPROVE, confirmed_elements=["alamat"])
    cases.decide(case, world.officer, Decision.APPROVE, confirmed_elements=["nama_lengkap"])
    assert case.state is CaseState.APPROVED  # type: ignore[attr-defined]
    confirmed = [d for a, d in _actions(world) if a == "case.approve"]
    assert len(confirmed) == 1 and json.loads(confirmed[0])["elements_sesuai"] == [
        "nama_lengkap"
    ]


def test_a_card_that_differs_may_be_returned_without_confirmation(world: World) -> None:
    cases = world.services.cases
    nik = world.examples()["found"]
    case = _opened(world, {"form": True, "identity": True, "kk": True})
    cases.record_card_read(
        case, world.officer, parse_nik(nik), demographic=True, card_fields={"name": "LAIN"}
    )
    cases.look_up(case, world.officer, nik, NikSource.CARD)
    cases.decide(case, world.officer, Decision.RETURN)
    assert case.state is CaseState.RETURNED  # type: ignore[attr-defined]


def test_hand_over_needs_the_printed_statement_and_a_recipient_number(world: World) -> None:
    cases = world.services.cases
    case = _opened(world, {"form": True, "identity": True, "kk": True})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    cases.issue(case, world.officer, "SK-9")
    with pytest.raises(StatementNotPrinted):
        cases.hand_over(case, world.officer, "REG-9")
    cases.record_printed(case, world.officer)
    with pytest.raises(RecipientNumberMissing):
        cases.hand_over(case, world.officer, "  ")
    cases.hand_over(case, world.officer, "REG-9")
    assert case.recipient_number == "REG-9"  # type: ignore[attr-defined]
    assert ("statement.printed", "") in [(a, "") for a, _d in _actions(world)]


def test_a_mistyped_nik_is_corrected_in_the_same_case_as_a_counted_lookup(world: World) -> None:
    cases = world.services.cases
    examples = world.examples()
    case = _opened(world, {"form": True, "identity": True, "kk": True})
    cases.look_up(case, world.officer, examples["not_found"], NikSource.TYPED)
    world.clock.advance(60)
    with pytest.raises(NikCorrectionReasonRequired):
        cases.look_up(case, world.officer, examples["found"], NikSource.TYPED)
    used = world.services.status().quota.used
    view = cases.look_up(
        case,
        world.officer,
        examples["found"],
        NikSource.TYPED,
        correction=NikCorrection.TYPING_ERROR,
    )
    assert view.kind.name == "FOUND"
    assert world.services.status().quota.used == used + 1  # counted
    corrected = [d for a, d in _actions(world) if a == "case.nik_corrected"]
    assert len(corrected) == 1 and json.loads(corrected[0])["reason"] == "typing_error"
    assert examples["found"] not in corrected[0]  # no NIK in the audit detail
    assert case.lookups == 2  # type: ignore[attr-defined]


def test_no_nik_correction_after_a_decision(world: World) -> None:
    cases = world.services.cases
    examples = world.examples()
    case = _opened(world, {"form": True, "identity": True, "kk": True})
    cases.look_up(case, world.officer, examples["found"], NikSource.TYPED)
    cases.decide(case, world.officer, Decision.RETURN)
    resumed = cases.resume_returned(world.officer, case.number, examples["found"], NikSource.TYPED)  # type: ignore[attr-defined]
    world.clock.advance(60)
    with pytest.raises(NikMismatch):  # a returned case continues for the same resident
        cases.look_up(
            resumed,
            world.officer,
            examples["not_found"],
            NikSource.TYPED,
            correction=NikCorrection.TYPING_ERROR,
        )
    assert NikCorrectionTooLate().message
