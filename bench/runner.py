"""Run the benchmarks and print one summary table: ``./bench/run [--smoke] [name ...]``.

Every ``bench/bench_*.py`` is found and run in its own process (``--smoke`` is passed on in
a smoke run). The table lists measured value, goal, ratio and pass/miss for every result;
the exit code is 1 when any result misses its goal or any benchmark fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
#: Benchmarks that need hardware or daemons a CI machine lacks (pcscd): left out of smoke.
NOT_IN_SMOKE = {"reader": "needs pcscd and a card reader"}
#: Benchmarks other work adds; until they exist the run says so instead of failing.
EXPECTED = ("audit", "reports")


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def main(argv: list[str] | None = None) -> int:
    """Run, gather, print the table; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no timing gates (CI)")
    parser.add_argument("names", nargs="*", help="only these (e.g. balikan core)")
    args = parser.parse_args(argv)

    found = {path.stem.removeprefix("bench_"): path for path in sorted(BENCH.glob("bench_*.py"))}
    wanted = args.names or sorted(set(found) | set(EXPECTED))
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env["PYTHONPATH"] = str(ROOT)
    rows: list[list[str]] = []
    failed = False
    for name in wanted:
        path = found.get(name)
        if path is None:
            if name in EXPECTED:
                print(f"== bench_{name}: SKIP (not present in this checkout)")
                rows.append([f"bench_{name}", "-", "-", "-", "-", "skipped: not present"])
                continue
            print(f"== bench_{name}: no such benchmark")
            failed = True
            continue
        command = [_python(), str(path)]
        if args.smoke:
            if name in NOT_IN_SMOKE:
                print(f"== bench_{name}: SKIP in smoke ({NOT_IN_SMOKE[name]})")
                rows.append([path.stem, "-", "-", "-", "-", f"skipped: {NOT_IN_SMOKE[name]}"])
                continue
            if "--smoke" not in path.read_text(encoding="utf-8"):
                print(f"== bench_{name}: SKIP in smoke (it has no --smoke mode)")
                rows.append([path.stem, "-", "-", "-", "-", "skipped: no --smoke mode"])
                continue
            command.append("--smoke")
        print(f"== bench_{name}", flush=True)
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        assert process.stdout is not None
        results = 0
        for line in process.stdout:
            if line.startswith("RESULT\t"):
                _tag, result, measured, goal, unit, ratio, verdict = line.rstrip("\n").split("\t")
                rows.append([result, f"{measured} {unit}", f"{goal} {unit}", ratio, verdict, ""])
                results += 1
                failed = failed or verdict == "MISS"
            else:
                print(line, end="")
        code = process.wait()
        elapsed = time.monotonic() - started
        print(f"   ({elapsed:.1f} s, exit {code})")
        if code != 0:
            failed = True
            if results == 0 or args.smoke:
                rows.append([path.stem, "-", "-", "-", "FAILED", f"exit {code}"])
    _table(rows)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine load average (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    if args.smoke:
        print(
            "bench: smoke run passed (tiny sizes, no timing gates)"
            if not failed
            else "bench: smoke run FAILED (see above)"
        )
    else:
        print("bench: all goals met" if not failed else "bench: MISSED or FAILED (see above)")
    return 1 if failed else 0


def _table(rows: list[list[str]]) -> None:
    header = ["result", "measured", "goal", "ratio", "verdict", "note"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print()
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    sys.exit(main())
