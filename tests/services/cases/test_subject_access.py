"""A resident's record of processing (R-28): found by keyed hash, purposes listed, no data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.i18n import _
from app.services.cases import Decision, NikCorrection, NikSource
from app.services.officers import NotPermitted
from app.services.persistence.models import AuditRecord
from app.services.subject_access import processing_record
from tests.services.cases.conftest import World
from tests.services.cases.test_reports import pdf_text


def test_record_of_processing_lists_who_when_why_and_nothing_else(world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.domain.nik import parse_nik

    nik = world.examples()["found"]
    other = world.examples()["deceased"]
    person = world.simulator.population.get(nik)
    assert person is not None
    cases = world.services.cases
    for value, programme in ((nik, "PKH"), (other, "BPNT")):
        case = cases.open_case(world.officer, programme, f"Pendaftaran {programme}")
        cases.check_documents(case, world.officer, {"KTP-el": True})
        cases.look_up(case, world.officer, value, NikSource.TYPED)
        world.clock.advance(30)
        cases.decide(
            case,
            world.officer,
            Decision.REFUSE if value == other else Decision.APPROVE,
            documents_match=True,
        )
    events = processing_record(world.services.core.sessions, world.services.keys, parse_nik(nik))
    actions = [e.action for e in events]
    assert "lookup.sent" in actions and "lookup.answered" in actions
    assert all(e.programme == "PKH" for e in events if e.case_number)
    assert all(e.actor == "petugas" for e in events)
    pdf = world.services.processing_record(nik, world.supervisor)
    text = pdf_text(pdf, tmp_path)
    assert "Catatan pemrosesan data pribadi" in text
    assert nik[:4] + "••••••••" + nik[-4:] in text.replace(" ", "")
    assert nik not in text and person.name not in text and "BPNT" not in text
    with pytest.raises(NotPermitted):
        world.services.processing_record(nik, world.officer)
    with world.services.core.sessions() as session:
        last = (
            session.execute(select(AuditRecord).order_by(AuditRecord.seq.desc())).scalars().first()
        )
        assert last is not None and last.action == "subject_access.printed"


def test_every_step_of_a_served_case_is_named_in_the_record_of_processing(world: World) -> None:
    """No step of a whole case (with a NIK correction and the print) falls back to "other"."""
    from app.domain.nik import parse_nik
    from app.services.subject_access import ACTION_KIND_LABELS, OTHER_ACTION, action_label

    nik = world.examples()["found"]
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, world.officer, {"KTP-el": True})
    cases.look_up(case, world.officer, world.examples()["not_found"], NikSource.TYPED)
    world.clock.advance(30)
    cases.look_up(case, world.officer, nik, NikSource.TYPED, correction=NikCorrection.TYPING_ERROR)
    world.clock.advance(30)
    cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    cases.issue(case, world.officer)
    cases.record_printed(case, world.officer)
    cases.hand_over(case, world.officer, "REG-1")
    cases.close(case, world.officer)
    events = processing_record(world.services.core.sessions, world.services.keys, parse_nik(nik))
    actions = {e.action for e in events}
    assert {"statement.printed", "case.nik_corrected", "case.hand_over"} <= actions
    fallbacks = {OTHER_ACTION, *ACTION_KIND_LABELS.values()}
    unnamed = sorted(a for a in actions if action_label(a) in {_(f) for f in fallbacks})
    assert unnamed == []
