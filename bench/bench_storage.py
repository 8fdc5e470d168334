"""Memory and database growth of full cases: peak memory of the counter process, bytes per case.

Full cases (open, documents, look up, approve, issue, hand over with data balikan queued,
close) on the in-process simulator, on a fresh SQLite database. Reported: the process's peak
resident memory (goal <= 200 MB, the counter PC's budget for the whole app) and database
bytes per case after a VACUUM (goal <= 4 096 B: one million cases in 4 GB).

Run from the repository root: ``python bench/bench_storage.py [--cases N] [--smoke]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from app.services.cases import NikSource
from app.services.demo import build_demo
from app.services.settings import settings_from_dicts
from app.services.simulator import GatewaySimulator, SimulatorConfig
from bench.goals import Scorecard

GOAL_PEAK_MB = 200.0
GOAL_BYTES_PER_CASE = 4096.0


def _db_bytes(world: object) -> int:
    """Pages in use (WAL included: the reader's snapshot) times the page size."""
    with world.services.core.sessions() as session:  # type: ignore[attr-defined]
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        free = session.execute(text("PRAGMA freelist_count")).scalar_one()
        size = session.execute(text("PRAGMA page_size")).scalar_one()
    return int((pages - free) * size)


def main(argv: list[str] | None = None) -> int:
    """Run the cases and report memory and bytes per case; exit 1 on a miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no gate")
    args = parser.parse_args(argv)
    if args.smoke:
        args.cases = 5
    card = Scorecard(smoke=args.smoke)
    now = [datetime(2026, 11, 23, 8, 0)]

    def clock() -> datetime:
        now[0] += timedelta(seconds=30)
        return now[0]

    settings = settings_from_dicts(
        {
            "mode": "demo",
            "agreement": {"start": date(2025, 1, 1), "end": date(2027, 9, 16)},
            "quota": {"daily_limit": 0},
        }
    )
    simulator = GatewaySimulator(SimulatorConfig(daily_quota=None), mode="test", clock=clock)
    with tempfile.TemporaryDirectory() as tmp:
        world = build_demo(Path(tmp), settings, clock=clock, simulator=simulator)
        empty = _db_bytes(world)
        cases = world.services.cases
        officer = world.services.officers.authenticate("petugas", "demo1234")
        people = [p.nik for p in simulator.population.people() if p.status.value == "active"]
        for index in range(args.cases):
            case = cases.open_case(officer, "PKH", "Pendaftaran")
            cases.check_documents(case, officer, {"KTP-el": True})
            cases.look_up(case, officer, people[(index * 37) % len(people)], NikSource.CARD)
            cases.approve_and_issue(case, officer, documents_match=True)
            cases.record_printed(case, officer)
            cases.hand_over_and_close(case, officer, "REG-1")
        full = _db_bytes(world)
        with world.services.core.sessions() as session:
            audit_rows = session.execute(text("SELECT count(*) FROM audit_log")).scalar()
        world.services.core.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_case = (full - empty) / args.cases
    print(
        f"{args.cases} full cases; database {empty} B empty, {full} B after; "
        f"{audit_rows} audit records"
    )
    card.add("peak memory, counter process", peak_mb, GOAL_PEAK_MB, "MB")
    card.add("database bytes per case", per_case, GOAL_BYTES_PER_CASE, "B")
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
