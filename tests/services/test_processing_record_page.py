"""The resident's record of processing: readable action names, no "counts only" wording,
the DEMO watermark in demo mode, Indonesian whatever the screen language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.nik import parse_nik
from app.services.subject_access import ProcessingEvent, render_processing_record
from app.services.translations import install_language
from tests.pdf_check import WATERMARK_MIN_PIXELS, diagonal_watermark_pixels, pdf_text
from tests.services.cases.conftest import World, make_world

NIK = "3303014505900001"


@pytest.fixture
def english_screen() -> Iterator[None]:
    install_language("en")
    yield
    install_language("id")


def _event(action: str, minute: int) -> ProcessingEvent:
    return ProcessingEvent(
        at=datetime(2026, 1, 5, 9, minute),
        actor="petugas",
        counter_id="LOKET-A",
        action=action,
        case_number="L-1",
        programme="PKH",
        purpose="Verifikasi penerima",
        outcome=None,
    )


ACTIONS = [
    "case.opened",
    "lookup.sent",
    "lookup.answered",
    "case.cross_check",
    "case.approve",
    "case.issue",
    "case.hand_over",
    "case.queue_balikan",
    "case.some_future_step",
    "subject_access.printed",
]


def test_actions_are_named_not_coded(english_screen: None) -> None:
    nik = parse_nik(NIK, today=date(2026, 1, 5))
    events = [_event(action, minute) for minute, action in enumerate(ACTIONS)]
    text = " ".join(
        pdf_text(
            render_processing_record(events, nik, "Dinas Contoh", "Sup", datetime(2026, 1, 5, 10))
        ).split()
    )
    for code in ACTIONS:
        assert code not in text
    for label in (
        "Layanan dibuka",
        "Permohonan disetujui",
        "Surat keterangan diserahkan",
        "Surat keterangan diterbitkan",
        "Langkah layanan",  # a step without its own name yet
        "Catatan pemrosesan data pribadi",
    ):
        assert label in text, label
    assert "hitungan" not in text and "counts only" not in text
    assert "Request approved" not in text  # official paper: Indonesian


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path / "data")
    yield w
    w.services.core.close()


def test_demo_record_carries_the_watermark(world: World) -> None:
    pdf = world.services.processing_record(NIK, world.supervisor)
    assert diagonal_watermark_pixels(pdf) > WATERMARK_MIN_PIXELS
    nik = parse_nik(NIK, today=date(2026, 1, 5))
    plain = render_processing_record([], nik, "Dinas Contoh", "Sup", datetime(2026, 1, 5))
    assert diagonal_watermark_pixels(plain) < WATERMARK_MIN_PIXELS
