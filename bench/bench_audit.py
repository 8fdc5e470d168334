"""Audit trail verification at scale: streaming, constant memory, incremental.

1. ``loket audit verify`` over N records (default 1 000 000) on SQLite: wall time (goal
   10 s) and the memory the verifying process grows by (goal 100 MB), measured in a child
   process so building the database does not count.
2. Incremental verification after 1 000 new records (reported, no goal).
3. The record of processing's look-up of one resident's NIK hash (goal 20 ms, indexed).

Prints measured, goal and ratio for each; exits 1 when a goal is missed.
``--smoke``: tiny sizes, no timing gates (CI), still checks that verification is intact.
Run from the repository root: ``python bench/bench_audit.py [--records N] [--smoke]``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.audit_chain import GENESIS, canonical
from app.services.audit import AuditTrail
from app.services.keys import KeyRing
from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from bench.goals import Scorecard

GOAL_VERIFY_S = 10.0
GOAL_VERIFY_MB = 100.0
GOAL_SUBJECT_MS = 20.0
RING = KeyRing(b"\x01" * 32, b"\x02" * 32)
_BATCH = 20_000


def _rows(start: int, count: int, prev: str, key: bytes, first_at: datetime):  # type: ignore[no-untyped-def]
    """Chained audit rows, generated in batches (constant memory)."""
    batch = []
    for seq in range(start, start + count):
        at = first_at + timedelta(seconds=seq)
        nik_hash = hashlib.sha256(f"nik-{seq % 50_000}".encode()).hexdigest()
        case = f"K-{seq // 8:07d}"
        detail = json.dumps({"step": seq % 11}, sort_keys=True)
        fields = {
            "seq": seq,
            "at": at.isoformat(),
            "actor": "petugas",
            "counter_id": "LOKET-1",
            "action": "lookup.answered",
            "case_number": case,
            "nik_hash": nik_hash,
            "detail": detail,
        }
        digest = hmac.new(key, prev.encode() + b"|" + canonical(fields), hashlib.sha256)
        hexdigest = digest.hexdigest()
        stored_at = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        batch.append(
            (seq, stored_at, "petugas", "LOKET-1", "lookup.answered", case, nik_hash, detail,
             prev, hexdigest)
        )  # fmt: skip
        prev = hexdigest
        if len(batch) >= _BATCH:
            yield batch, prev
            batch = []
    if batch:
        yield batch, prev


def append_records(database: Path, start: int, count: int, prev: str) -> str:
    """Append ``count`` chained records from ``start``; return the new head hash."""
    connection = sqlite3.connect(database)
    first_at = datetime(2026, 1, 1, 8, 0, 0)
    head = prev
    for batch, batch_head in _rows(start, count, prev, RING.audit_key, first_at):
        head = batch_head
        connection.executemany(
            "INSERT INTO audit_log (seq, at, actor, counter_id, action, case_number, nik_hash,"
            " detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            batch,
        )
    last = start + count - 1
    connection.execute(
        "INSERT INTO app_meta (key, value) VALUES ('audit_head', ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (f"{last}:{head}",),
    )
    connection.commit()
    connection.close()
    return head


def build(database: Path, records: int) -> str:
    """A migrated SQLite database holding ``records`` chained audit records."""
    engine = create_db_engine(f"sqlite+pysqlite:///{database}")
    upgrade_database(engine)
    engine.dispose()
    return append_records(database, 1, records, GENESIS)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def verify_child(database: Path, incremental: bool) -> None:
    """In a child process: verify, print seconds, RSS growth (MB) and the record count."""
    engine = create_db_engine(f"sqlite+pysqlite:///{database}")
    sessions = session_factory(engine)
    trail = AuditTrail(RING.audit_key, "LOKET-1")
    before = _rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    with sessions.begin() as session:
        report = trail.examine(session, incremental=incremental, remember=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problem = report.problem.reason if report.problem else "intact"
    result = {
        "s": seconds,
        "cpu": cpu,
        "mb": peak - before,
        "n": report.records,
        "p": problem,
        "from": report.checked_from,
    }
    print(json.dumps(result))
    engine.dispose()


def run_child(database: Path, incremental: bool) -> dict[str, object]:
    """Run :func:`verify_child` in a fresh interpreter; its parsed result."""
    args = [sys.executable, __file__, "--verify-child", str(database)]
    if incremental:
        args.append("--incremental")
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def subject_lookup_ms(database: Path) -> float:
    """Median time of the record-of-processing query for one NIK hash."""
    engine = create_db_engine(f"sqlite+pysqlite:///{database}")
    from sqlalchemy import select

    from app.services.persistence.models import AuditRecord

    target = hashlib.sha256(b"nik-1234").hexdigest()
    timings = []
    with engine.connect() as connection:
        for _ in range(7):
            started = time.perf_counter()
            rows = connection.execute(
                select(AuditRecord.seq, AuditRecord.at, AuditRecord.action)
                .where(AuditRecord.nik_hash == target)
                .order_by(AuditRecord.seq)
            ).all()
            timings.append((time.perf_counter() - started) * 1000)
            assert rows
    engine.dispose()
    return sorted(timings)[len(timings) // 2]


def main() -> int:
    """Build, measure, compare with the goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no timing gates")
    parser.add_argument("--verify-child", help=argparse.SUPPRESS)
    parser.add_argument("--incremental", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_child:
        verify_child(Path(args.verify_child), args.incremental)
        return 0
    records = 2_000 if args.smoke else args.records
    card = Scorecard(smoke=args.smoke)
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with it)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as folder:
        database = Path(folder) / "audit.sqlite3"
        started = time.perf_counter()
        head = build(database, records)
        print(f"built {records} chained records in {time.perf_counter() - started:.1f} s")
        full = run_child(database, incremental=False)
        intact = full["p"] == "intact" and full["n"] == records
        print(f"full verify: {full['n']} records, {full['p']}, CPU {float(full['cpu']):.2f} s")  # type: ignore[arg-type]
        label = f"audit verify {records:,} records".replace(",", " ")
        card.add(f"{label}: time", float(full["s"]), GOAL_VERIFY_S, "s")  # type: ignore[arg-type]
        card.add(f"{label}: memory", float(full["mb"]), GOAL_VERIFY_MB, "MB")  # type: ignore[arg-type]
        append_records(database, records + 1, 1_000, head)
        incremental = run_child(database, incremental=True)
        intact &= incremental["p"] == "intact" and incremental["n"] == records + 1_000
        print(
            f"incremental verify of 1000 new records (from record {incremental['from']}): "
            f"{float(incremental['s']):.3f} s"  # type: ignore[arg-type]
        )
        intact &= incremental["from"] == records + 1
        card.add("record of processing look-up", subject_lookup_ms(database), GOAL_SUBJECT_MS, "ms")
    if not intact:
        print("FAIL: the generated trail did not verify as intact (or not incrementally)")
        return 1
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
