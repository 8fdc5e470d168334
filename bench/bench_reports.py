"""Benchmark: the semester report's figures counted in SQL (issue 17).

Goal: the semester with 200 000 cases in a 1 000 000-case database in <= 1 s, memory flat
(<= 50 MB growth while counting). Scenarios (semester cases : database cases):
50 000 : 250 000 (goal 0.25 s), 200 000 : 1 000 000 (goal 1 s). Each case has one lookup and
one audit record (``lookup.sent``); every 10th a card read, every 100th a guard refusal.

Also the record of processing of one resident (its audit records found by the NIK-hash
index): goal <= 20 ms. The database is filled without planner statistics, as a counter's
database is: the report refreshes them itself (sampled ANALYZE, timed on the first run).

Prints measured (best of three runs), goal and ratio per scenario in the RESULT format of
``bench/goals.py``; exits 1 when a goal is missed. Larger runs: ``--sizes 1000000:1000000``.
``--smoke``: tiny sizes, no timing gate (CI runs it so the benchmark never rots).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.persistence.models import AuditRecord
from app.services.reports.figures import compute_figures
from bench.goals import Scorecard

SEMESTER = (date(2026, 1, 1), date(2026, 6, 30))
GOAL_S_PER_200K = 1.0
GOAL_MEMORY_MB = 50.0
GOAL_RECORD_MS = 20.0
RESIDENTS = 40_000  # distinct NIK hashes in the audit trail: ~25 records each per million
CHUNK = 20_000


def _populate(url: str, semester_cases: int, total_cases: int) -> None:
    """Fill the database: ``semester_cases`` inside the semester, the rest spread before it."""
    engine = create_db_engine(url)
    upgrade_database(engine)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")  # bench data: no fsync while filling
        # The schema's own indexes, dropped while filling and built again afterwards with
        # their own SQL (one sorted build instead of a million random inserts).
        indexes = cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('cases', 'lookups', 'audit_log')"
        ).fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {name}")
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
                nik_hash = f"{i % RESIDENTS:064x}"
                audits.append(
                    (
                        case_id,
                        stamp,
                        "petugas",
                        counter,
                        action,
                        nik_hash,
                        detail,
                        "0" * 64,
                        "0" * 64,
                    )
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
                "INSERT INTO audit_log (seq, at, actor, counter_id, action, nik_hash, detail, "
                "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                audits,
            )
            raw.commit()
        for _name, sql in indexes:
            cursor.execute(sql)
        raw.commit()
    finally:
        raw.close()
        engine.dispose()


def _measure(url: str, semester_cases: int) -> tuple[float, float, float, float, float]:
    """(seconds, Python peak MB, RSS growth MB, first-run seconds, record-of-processing ms)
    of counting the semester; checks the totals."""
    engine = create_db_engine(url)
    sessions = session_factory(engine)
    started = time.perf_counter()
    compute_figures(sessions, date(2020, 1, 1), date(2020, 1, 1))  # statistics, connection
    first = time.perf_counter() - started
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
    record_times = []
    with sessions() as session:
        for resident in range(5):
            nik_hash = f"{resident * 7919 % RESIDENTS:064x}"
            started = time.perf_counter()
            session.execute(
                select(AuditRecord)
                .where(AuditRecord.nik_hash == nik_hash)
                .order_by(AuditRecord.seq)
            ).scalars().all()
            record_times.append(time.perf_counter() - started)
    engine.dispose()
    if figures.cases_opened != semester_cases or figures.hits != semester_cases:
        raise SystemExit(
            f"wrong totals: cases {figures.cases_opened}, hits {figures.hits}, "
            f"expected {semester_cases}"
        )
    record_ms = statistics.median(record_times) * 1000
    return elapsed, peak / 1e6, rss_after - rss_before, first, record_ms


def _size(count: int) -> str:
    return f"{count // 1000}k" if count >= 1000 and count % 1000 == 0 else str(count)


def main() -> int:
    """Fill, count and report every scenario; exit 1 when a goal is missed."""
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
    card = Scorecard(smoke=args.smoke)
    for semester_cases, total in sizes:
        with tempfile.TemporaryDirectory(prefix="loket-bench-") as folder:
            url = f"sqlite+pysqlite:///{Path(folder) / 'bench.sqlite3'}"
            started = time.perf_counter()
            _populate(url, semester_cases, total)
            filled = time.perf_counter() - started
            elapsed, peak_mb, rss_mb, first, record_ms = _measure(url, semester_cases)
        print(
            f"semester {semester_cases} cases in a {total}-case database (filled in "
            f"{filled:.0f} s): first report {first:.3f} s (planner statistics included), "
            f"RSS +{rss_mb:.1f} MB"
        )
        scenario = f"{_size(semester_cases)} in {_size(total)}"
        goal = GOAL_S_PER_200K * semester_cases / 200_000
        card.add(f"semester report, {scenario}", elapsed, goal, "s")
        card.add(f"report Python peak memory, {scenario}", peak_mb, GOAL_MEMORY_MB, "MB")
        card.add(f"record of processing, {_size(total)} db", record_ms, GOAL_RECORD_MS, "ms")
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
