"""Official paper (statement, return slip, record of processing) is always Indonesian,
whatever language the officer's screen shows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest

from app.domain.i18n import _, current_language
from app.domain.outcomes import OutcomeKind
from app.services.documents.issued import IssuedDocument, render_issued_document
from app.services.documents.return_slip import ReturnSlip, render_return_slip
from app.services.documents.statement import render_statement
from app.services.settings import demo_settings
from app.services.translations import install_language, official_language
from tests.pdf_check import pdf_text
from tests.services.test_ui_support import _case


@pytest.fixture
def english_screen() -> Iterator[None]:
    install_language("en")
    yield
    install_language("id")


def test_statement_is_indonesian_with_the_screen_in_english(english_screen: None) -> None:
    pdf = render_statement(
        _case(OutcomeKind.FOUND), demo_settings(), "Petugas Contoh", datetime(2026, 1, 5, 9)
    )
    text = pdf_text(pdf)
    assert "SURAT KETERANGAN VERIFIKASI NIK" in text
    assert "Nomor layanan" in text
    assert "STATEMENT OF NIK VERIFICATION" not in text
    assert "Case number" not in text
    assert current_language() == "en" and _("Case number") == "Case number"


def test_issued_document_is_indonesian_with_the_screen_in_english(english_screen: None) -> None:
    doc = IssuedDocument(
        agency_name="Dinas Contoh",
        agency_address="Jl. Contoh 1",
        case_number="L-1",
        document_number="DOK-L-1",
        programme="PKH",
        officer_name="Petugas Contoh",
        issued_at=datetime(2026, 1, 5, 9),
        decision="Disetujui",
        outcome=OutcomeKind.NOT_FOUND,
        nik=None,
        demo=False,
    )
    text = pdf_text(render_issued_document(doc))
    assert "SURAT KETERANGAN VERIFIKASI NIK" in text and "Petugas" in text
    assert "Officer" not in text and "Decision" not in text


def test_return_slip_is_indonesian_with_the_screen_in_english(english_screen: None) -> None:
    slip = ReturnSlip(
        agency_name="Dinas Contoh",
        agency_address="",
        case_number="L-2",
        programme="PKH",
        officer_name="Petugas Contoh",
        returned_at=datetime(2026, 1, 5, 9),
        note="Kartu Keluarga belum dibawa",
        demo=False,
    )
    text = pdf_text(render_return_slip(slip))
    assert "TANDA PENGEMBALIAN BERKAS PERMOHONAN" in text
    assert "RETURN SLIP" not in text and "This slip contains no population data" not in text


def test_the_fixed_language_holds_for_one_thread_only(english_screen: None) -> None:
    seen: list[str] = []
    inside = threading.Event()
    release = threading.Event()

    def other_thread() -> None:
        inside.wait(10)
        seen.append(_("Case number"))
        release.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    with official_language():
        assert _("Case number") == "Nomor layanan"
        inside.set()
        assert release.wait(10)
    worker.join(10)
    assert seen == ["Case number"]
    assert _("Case number") == "Case number"
