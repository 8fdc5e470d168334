"""The return slip of flowchart 4b: case number and note, never a NIK or a name."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from app.domain.i18n import _
from app.domain.nik import remove_niks
from app.services.cases import ActiveCase, Decision, NikSource
from app.services.documents.return_slip import NotReturned, render_return_slip_for
from app.services.persistence.models import CaseRow
from tests.pdf_check import WATERMARK_MIN_PIXELS, diagonal_watermark_pixels
from tests.services.cases.conftest import World


def pdf_text(pdf: bytes) -> str:
    """The PDF's text through poppler's pdftotext, from memory to memory."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def returned_case(world: World, note: str) -> tuple[ActiveCase, str]:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
    cases.check_documents(case, world.officer, {"kk": True})
    nik = world.examples()["found"]
    cases.look_up(case, world.officer, nik, NikSource.TYPED)
    cases.decide(case, world.officer, Decision.RETURN, note)
    return case, nik


def test_remove_niks_from_free_text() -> None:
    assert remove_niks("KK 3303 0145 0590 0001 lama") == "KK [NIK removed] lama"
    assert remove_niks("3303014505900001") == "[NIK removed]"
    assert remove_niks("telp 081234567890") == "telp 081234567890"  # 12 digits stay
    assert remove_niks("33030145059000012") == "33030145059000012"  # 17 digits: not a NIK


def test_return_slip_has_the_case_and_the_note_and_no_population_data(world: World) -> None:
    nik = world.examples()["found"]
    person = world.simulator.population.get(nik)
    assert person is not None
    case, nik = returned_case(world, f"Bawa KK terbaru; NIK {nik} di KK salah")
    pdf = render_return_slip_for(
        case, world.services.core.settings, "Petugas Contoh", world.clock()
    )
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert case.number in text
    assert "Bawa KK terbaru" in text and _("[NIK removed]") in text
    assert "Petugas Contoh" in text and "23-11-2026" in text
    assert world.services.core.settings.agency.name.upper() in text
    assert "DEMO / CONTOH" in text
    assert diagonal_watermark_pixels(pdf) > WATERMARK_MIN_PIXELS  # the rotated watermark
    assert nik not in text.replace(" ", "") and nik[:4] not in text
    for value in (person.name, person.mother_name, person.address, person.birth_place):
        assert value not in text
    with world.services.core.sessions() as session:  # nor is the NIK kept in the note
        row = session.execute(select(CaseRow).where(CaseRow.number == case.number)).scalar_one()
        assert row.note is None  # the remark lives in memory only
        assert row.reasons == "other"


def test_only_a_returned_case_gets_a_slip(world: World) -> None:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran PKH")
    with pytest.raises(NotReturned):
        render_return_slip_for(case, world.services.core.settings, "Petugas", world.clock())
