"""Issue 11: what is stored about a case is structured; free text cannot carry population data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.case_reasons import CaseReason
from app.services.cases import Decision, NikSource
from app.services.cases.errors import ProgrammeNotListed
from app.services.documents.return_slip import return_slip_for
from app.services.persistence.models import AuditRecord, CaseRow
from tests.services.cases.conftest import World


def spaced(nik: str) -> str:
    return "  ".join(nik[i : i + 4] for i in range(0, 16, 4))


def full_width(nik: str) -> str:
    return nik.translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)})


def stored_text(world: World) -> str:
    """Every text column of every case and audit row, as one string."""
    with world.services.core.sessions() as session:
        rows = list(session.execute(select(CaseRow)).scalars())
        rows += list(session.execute(select(AuditRecord)).scalars())
        return " ".join(str(getattr(r, c.name)) for r in rows for c in r.__table__.columns)


def test_a_return_stores_reasons_and_keeps_the_remark_in_memory(world: World) -> None:
    cases = world.services.cases
    nik = world.examples()["found"]
    person = world.simulator.population.get(nik)
    assert person is not None
    case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, world.officer, {"kk": True})
    cases.look_up(case, world.officer, nik, NikSource.TYPED)
    remark = f"nama di KK beda, {person.name.title()} {spaced(nik)}"
    cases.decide(
        case,
        world.officer,
        Decision.RETURN,
        remark,
        reasons=[CaseReason.KK_DIFFERS, CaseReason.NAME_DIFFERS],
    )
    assert case.reasons == (CaseReason.KK_DIFFERS, CaseReason.NAME_DIFFERS)
    assert case.remark.startswith("nama di KK beda, …")
    for word in person.name.split():
        assert word.casefold() not in case.remark.casefold()
    assert "0145" not in case.remark
    with world.services.core.sessions() as session:
        row = session.execute(select(CaseRow).where(CaseRow.number == case.number)).scalar_one()
        assert row.note is None
        assert row.reasons == "kk_differs,name_differs"
    listed = cases.returned_cases()
    assert [c.reasons for c in listed] == [(CaseReason.KK_DIFFERS, CaseReason.NAME_DIFFERS)]
    assert listed[0].note == (f"{CaseReason.KK_DIFFERS.label}; {CaseReason.NAME_DIFFERS.label}")
    slip = return_slip_for(case, world.services.core.settings, "Petugas", world.clock())
    assert CaseReason.KK_DIFFERS.label in slip.note and "nama di KK beda" in slip.note
    assert person.name.split()[0] not in stored_text(world)


@pytest.mark.parametrize("write", [spaced, full_width])
def test_no_spelling_of_a_nik_reaches_the_stored_free_text(world: World, write: object) -> None:
    cases = world.services.cases
    nik = world.examples()["found"]
    typed = write(nik)  # type: ignore[operator]
    case = cases.open_case(world.officer, "PKH", f"Pendaftaran {typed}")
    cases.check_documents(case, world.officer, {"kk": True})
    cases.look_up(case, world.officer, nik, NikSource.TYPED)
    cases.cancel(case, world.officer, f"batal {typed}")
    text = stored_text(world)
    assert typed not in text
    assert nik not in text


def test_the_programme_must_come_from_the_agencys_list(world: World) -> None:
    cases = world.services.cases
    with pytest.raises(ProgrammeNotListed):
        cases.open_case(world.officer, "WARGA CONTOH JAKE", "Pendaftaran")
    assert cases.open_case(world.officer, "BPNT", "Pendaftaran").programme == "BPNT"
