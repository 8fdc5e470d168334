"""Zero storage, proved: no canary value and no full NIK in any file the app wrote (R-10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from tests.fakes.canary import (
    all_canaries,
    canary_population,
    date_forms,
    find_leaks,
    population_needles,
)

ROOT = Path(__file__).resolve().parents[1]
# the days the child run writes itself (cases, agreement term): not population data
APP_DATES = {date(2026, 11, 23), date(2025, 1, 1), date(2027, 9, 16)}


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.slow
def test_no_population_data_in_any_written_file(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.fakes.zero_storage_run", str(tmp_path), "24"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    assert "KILLING" in result.stdout
    written = files_under(tmp_path)
    names = {p.name for p in written}
    assert "loket.sqlite3" in names and "loket.log" in names
    assert "loket.sqlite3-wal" in names  # killed before a checkpoint: the WAL is scanned too
    for saved in ("daily.pdf", "semester.pdf", "subject.pdf", "balikan.csv", "balikan.xlsx"):
        assert saved in names, saved  # the reports and exports were written, and are scanned
    population = canary_population()
    needles = population_needles(population, app_dates=APP_DATES)
    exports = tmp_path / "out" / "exports"
    exports.mkdir()
    for export in (tmp_path / "out").glob("balikan.*"):
        export.rename(exports / export.name)
    leaks = [leak for leak in find_leaks(tmp_path, needles) if "exports" not in leak]
    # a data balikan export carries the NIK by design, and nothing else of the resident
    residents = {p.nik for p in population.people()}
    leaks += find_leaks(exports, [n for n in needles if n not in residents])
    assert not leaks, "population data found in written files:\n" + "\n".join(leaks)
    log = (tmp_path / "logs" / "loket.log").read_text(encoding="utf-8")
    assert "served case" in log  # the log was really written, and masked


def test_the_scanner_finds_a_planted_leak(tmp_path: Path) -> None:
    population = canary_population()
    planted = all_canaries(population)[5]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.bin").write_bytes(b"\x00abc" + planted.encode() + b"\x00")
    assert find_leaks(tmp_path, [planted]) == [f"data/x.bin: {planted[:8]}…"]


@pytest.mark.parametrize("form", range(len(date_forms(date(1973, 10, 3)))))
def test_the_scanner_finds_dates_rt_rw_and_parents_niks_in_pdf_and_xlsx(
    tmp_path: Path, form: int
) -> None:
    from reportlab.pdfgen.canvas import Canvas

    population = canary_population()
    person = next(p for p in population.people() if p.mother_nik)
    needles = population_needles(population)
    birth = date_forms(person.birth_date)[form]
    parent = person.mother_nik
    assert parent is not None
    pdf = tmp_path / "r.pdf"
    canvas = Canvas(str(pdf), pageCompression=1)  # compressed content streams
    canvas.drawString(72, 720, f"Lahir {birth}")
    canvas.save()
    assert birth.encode() not in pdf.read_bytes()  # only visible once the stream is inflated
    with zipfile.ZipFile(tmp_path / "r.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", f"<t>RT {person.rt:03d}</t><t>{parent}</t>")
    (tmp_path / "clean.txt").write_text("Kasus L-1 dibuka 23-11-2026 pukul 08.00")
    leaks = find_leaks(tmp_path, needles)
    assert sorted(leak.split(":")[0] for leak in leaks) == ["r.pdf", "r.xlsx"]
