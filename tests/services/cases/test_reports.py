"""Supervisor reports: counts only, right numbers, printable PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.services.cases import Decision, NikSource
from app.services.officers import NotPermitted
from app.services.reports import report_due, semester_of
from tests.pdf_check import WATERMARK_MIN_PIXELS, diagonal_watermark_pixels
from tests.services.cases.conftest import World


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: scripts/install-system-deps test")
    source = tmp_path / "r.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout


def serve(world: World, nik: str, decision: Decision) -> None:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran")
    cases.check_documents(case, world.officer, {"KTP-el": True})
    cases.look_up(case, world.officer, nik, NikSource.TYPED)
    world.clock.advance(30)
    cases.decide(case, world.officer, decision, documents_match=True)
    if decision is Decision.APPROVE:
        cases.issue(case, world.officer)
        cases.record_printed(case, world.officer)
        cases.hand_over(case, world.officer, "REG-1")
    if decision is not Decision.RETURN:
        cases.close(case, world.officer)


def test_daily_report_counts_and_holds_no_population_data(world: World, tmp_path: Path) -> None:
    examples = world.examples()
    serve(world, examples["found"], Decision.APPROVE)
    serve(world, examples["deceased"], Decision.REFUSE)
    serve(world, examples["not_found"], Decision.RETURN)
    pdf = world.services.report("daily", world.clock().date(), world.supervisor)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "Ringkasan penggunaan harian" in text  # the demo runs in Indonesian
    assert "DEMO / CONTOH" in text  # the footer; the big watermark is drawn rotated
    assert diagonal_watermark_pixels(pdf) > WATERMARK_MIN_PIXELS  # the rotated watermark
    for line, value in [
        ("Pencarian (hit)", "3"),
        ("Layanan dibuka", "3"),
        ("Data balikan dibuat", "2"),  # found and deceased ("Data Ditemukan"); not not_found
    ]:
        assert any(line in row and row.rstrip().endswith(value) for row in text.splitlines()), line
    for nik in examples.values():
        assert nik not in text
    assert "Petugas Contoh" in text
    with pytest.raises(NotPermitted):
        world.services.report("daily", world.clock().date(), world.officer)


def test_semester_report_and_due_date(world: World, tmp_path: Path) -> None:
    serve(world, world.examples()["found"], Decision.APPROVE)
    text = pdf_text(
        world.services.report("semester", world.clock().date(), world.supervisor), tmp_path
    )
    assert "semester 2 tahun 2026" in text
    assert semester_of(date(2026, 3, 1)) == (date(2026, 1, 1), date(2026, 6, 30))
    assert report_due(date(2026, 6, 30)) == date(2026, 7, 14)  # 10 working days
    assert report_due(date(2026, 12, 31)) == date(2027, 1, 14)
