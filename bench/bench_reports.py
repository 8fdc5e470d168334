"""Benchmark: the semester report's figures counted in SQL (issue 17).

Goal: the semester with 200 000 cases in a 1 000 000-case database in <= 1 s, memory flat
(<= 50 MB growth while counting). Scenarios (semester cases : database cases):
50 000 : 250 000 (goal 0.25 s), 200 000 : 1 000 000 (goal 1 s). Each case has one lookup and
one audit record (``lookup.sent``); every 10th a card read, every 100th a guard refusal.

Prints measured (best of three runs), goal and ratio per scenario; exits 1 when a goal is
missed.
``--smoke``: tiny sizes, no timing gate (CI runs it so the benchmark never rots).
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.reports.figures import compute_figures

SEMESTER = (date(2026, 1, 1), date(2026, 6, 30))
GOAL_S_PER_200K = 1.0
GOAL_MEMORY_MB = 50.0
CHUNK = 20_000


def _populate(url: str, semester_cases: int, total_cases: int) -> None:
    """Fill the database: ``semester_cases`` inside the semester, the rest spread before it."""
    engine = create_db_engine(url)
    upgrade_database(engine)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")  # bench data: no fsync while filling
        cursor.execute(
            "INSERT INTO officers (id, username, display_name, role, password_hash, active, "
            "failed_logins, must_change_password, created_at) VALUES "
            "(1, 'petugas', 'Petugas Contoh', 'officer', 'x', 1, 0, 0, '2020-01-01 00:00:00')"
        )
        before = total_cases - semester_cases
        semester_seconds = (
            datetime.combine(SEMESTER[1], datetime.min.time())
            - datetime.combine(SEMESTER[0], datetime.min.time())
        ).total_seconds()
        old_start = datetime(2021, 1, 1)
        old_seconds = (
            datetime.combine(SEMESTER[0], datetime.min.time()) - old_start
        ).total_seconds()
        outcomes = ("found", "found", "found", "not_found", "deceased", "duplicate")
        decisions = ("approve", "approve", "return", "refuse")
        for first in range(0, total_cases, CHUNK):
            cases, lookups, audits = [], [], []
            for i in range(first, min(first + CHUNK, total_cases)):
                if i < before:
                    at = old_start + timedelta(seconds=old_seconds * i / max(before, 1))
                else:
                    offset = semester_seconds * (i - before) / max(semester_cases, 1)
                    at = datetime.combine(SEMESTER[0], datetime.min.time()) + timedelta(
                        seconds=offset
                    )
                stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
                case_id = i + 1
                counter = f"LOKET-{i % 3 + 1}"
                cases.append(
                    (
                        case_id,
                        f"C{case_id}",
                        counter,
                        "PKH",
                        "Pendaftaran",
                        "web_service",
                        "closed",
                        decisions[i % 4],
                        stamp,
                        stamp,
                    )
                )
                lookups.append((case_id, 1, counter, stamp, "lookup", outcomes[i % 6]))
                action = "card.read" if i % 10 == 0 else "lookup.sent"
                detail = '{"demographic": true}' if action == "card.read" else "{}"
                if i % 100 == 1:
                    action, detail = "guard.refused", '{"rule": "neighbour"}'
                audits.append(
                    (case_id, stamp, "petugas", counter, action, detail, "0" * 64, "0" * 64)
                )
            cursor.executemany(
                "INSERT INTO cases (id, number, counter_id, officer_id, programme, purpose, "
                "access_method, state, decision, opened_at, updated_at, lookups, data_accessed) "
                "VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 1, 1)",
                cases,
            )
            cursor.executemany(
                "INSERT INTO lookups (case_id, officer_id, counter_id, at, method, outcome) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                lookups,
            )
            cursor.executemany(
                "INSERT INTO audit_log (seq, at, actor, counter_id, action, detail, prev_hash, "
                "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                audits,
            )
            raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def _measure(url: str, semester_cases: int) -> tuple[float, float, float]:
    """(seconds, Python peak MB, RSS growth MB) of counting the semester, and checks totals."""
    engine = create_db_engine(url)
    sessions = session_factory(engine)
    compute_figures(sessions, date(2020, 1, 1), date(2020, 1, 1))  # warm the connection
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    timings = []
    for _round in range(3):  # the first after filling may read cold pages; best of three
        started = time.perf_counter()
        figures = compute_figures(sessions, *SEMESTER)
        timings.append(time.perf_counter() - started)
    elapsed = min(timings)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    engine.dispose()
    if figures.cases_opened != semester_cases or figures.hits != semester_cases:
        raise SystemExit(
            f"wrong totals: cases {figures.cases_opened}, hits {figures.hits}, "
            f"expected {semester_cases}"
        )
    return elapsed, peak / 1e6, rss_after - rss_before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no timing gate")
    parser.add_argument(
        "--sizes",
        default="50000:250000,200000:1000000",
        help="semester:total pairs, comma-separated",
    )
    args = parser.parse_args()
    sizes = (
        [(200, 1000), (500, 1500)]
        if args.smoke
        else [tuple(int(x) for x in pair.split(":")) for pair in args.sizes.split(",")]
    )
    failed = False
    print(
        f"{'semester':>9} {'database':>9} {'measured s':>10} {'goal s':>7} {'ratio':>6} "
        f"{'py peak MB':>10} {'rss+ MB':>8}"
    )
    for semester_cases, total in sizes:
        with tempfile.TemporaryDirectory(prefix="loket-bench-") as folder:
            url = f"sqlite+pysqlite:///{Path(folder) / 'bench.sqlite3'}"
            _populate(url, semester_cases, total)
            elapsed, peak_mb, rss_mb = _measure(url, semester_cases)
        goal = GOAL_S_PER_200K * semester_cases / 200_000
        ratio = elapsed / goal
        memory_ok = peak_mb <= GOAL_MEMORY_MB
        print(
            f"{semester_cases:>9} {total:>9} {elapsed:>10.3f} {goal:>7.3f} {ratio:>6.2f} "
            f"{peak_mb:>10.2f} {rss_mb:>8.1f}"
        )
        if not args.smoke and (ratio > 1 or not memory_ok):
            failed = True
    if args.smoke:
        print("smoke run: totals checked, no timing gate")
        return 0
    print("goal met" if not failed else "GOAL MISSED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
