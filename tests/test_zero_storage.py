"""Zero storage, proved: no canary value and no full NIK in any file the app wrote (R-10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.canary import all_canaries, canary_population

ROOT = Path(__file__).resolve().parents[1]


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def find_leaks(root: Path, needles: list[bytes]) -> list[str]:
    leaks: list[str] = []
    for path in files_under(root):
        data = path.read_bytes()
        for needle in needles:
            if needle in data:
                leaks.append(f"{path.relative_to(root)}: {needle.decode()[:8]}…")
                break
    return leaks


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
    population = canary_population()
    needles = [c.encode() for c in all_canaries(population)]
    needles += [p.nik.encode() for p in population.people()]
    needles += [p.no_kk.encode() for p in population.people()]
    leaks = find_leaks(tmp_path, needles)
    assert not leaks, "population data found in written files:\n" + "\n".join(leaks)
    log = (tmp_path / "logs" / "loket.log").read_text(encoding="utf-8")
    assert "served case" in log  # the log was really written, and masked


def test_the_scanner_finds_a_planted_leak(tmp_path: Path) -> None:
    population = canary_population()
    planted = all_canaries(population)[5]
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.bin").write_bytes(b"\x00abc" + planted.encode() + b"\x00")
    assert find_leaks(tmp_path, [planted.encode()]) == [f"data/x.bin: {planted[:8]}…"]
