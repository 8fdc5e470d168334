"""Case-core overhead and shared-quota throughput.

1. Core overhead per case: a full case through the use-case API as the counter screen calls
   it (open, documents, look up, approve-and-issue, printed, hand over with balikan queued
   and close in one step) against the in-process simulator,
   minus the time the simulator itself spent answering (goal <= 10 ms). Also printed: SQL
   statements and commits per case (counted with a SQLAlchemy event) and the load average,
   since a timing on a busy 2-core machine says little without it.
2. Quota increments per second with 5 concurrent writers on one SQLite file (every counter
   of an agency shares the counter), and a check that none was lost.

Run from the repository root: ``python bench/bench_core.py [--cases N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, event

from app.services.cases import NikSource
from app.services.demo import build_demo
from app.services.persistence.db import (
    RELAXED_COMMIT,
    create_db_engine,
    session_factory,
    upgrade_database,
)
from app.services.quota import QuotaCounter
from app.services.settings import settings_from_dicts
from app.services.simulator import GatewaySimulator, SimulatorConfig
from bench.goals import NEWER_GATEWAY_QUOTA, Scorecard

TARGET_CASE_MS = 10.0  # app overhead per full case on this 2-core machine, no network
TARGET_QUOTA_PER_S = 100.0


class TimedSimulator(GatewaySimulator):
    """The simulator, accumulating the time it spends answering."""

    spent = 0.0

    def handle(self, request):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return super().handle(request)
        finally:
            self.spent += time.perf_counter() - started


def bench_cases(count: int, card: Scorecard) -> None:
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
    # a newer gateway: each answer states the hits left (quotaLimiter), taken as the truth
    config = SimulatorConfig(daily_quota=NEWER_GATEWAY_QUOTA)
    simulator = TimedSimulator(config, mode="test", clock=clock)
    with tempfile.TemporaryDirectory() as tmp:
        world = build_demo(Path(tmp), settings, clock=clock, simulator=simulator)
        cases = world.services.cases
        officer = world.services.officers.authenticate("petugas", "demo1234")
        people = [p.nik for p in simulator.population.people() if p.status.value == "active"]
        durations: list[float] = []
        sim_times: list[float] = []
        counts = {"statements": 0, "commits": 0, "durable": 0}

        def _statement(*_args: object) -> None:
            counts["statements"] += 1

        def _commit(connection: Connection) -> None:
            counts["commits"] += 1
            # a relaxed transaction carries the option (its commit does not wait for the disk)
            counts["durable"] += not connection.get_execution_options().get(RELAXED_COMMIT)

        engine = world.services.core.engine
        event.listen(engine, "before_cursor_execute", _statement)
        event.listen(engine, "commit", _commit)
        cpu_started = time.process_time()
        for index in range(count):
            nik = people[(index * 37) % len(people)]
            before = simulator.spent
            started = time.perf_counter()
            case = cases.open_case(officer, "PKH", "Pendaftaran")
            cases.check_documents(case, officer, {"KTP-el": True})
            cases.look_up(case, officer, nik, NikSource.CARD)
            cases.approve_and_issue(case, officer, documents_match=True)
            cases.record_printed(case, officer)
            cases.hand_over_and_close(case, officer, "REG-1")
            durations.append(time.perf_counter() - started)
            sim_times.append(simulator.spent - before)
        cpu = time.process_time() - cpu_started
        event.remove(engine, "before_cursor_execute", _statement)
        event.remove(engine, "commit", _commit)
        world.services.core.close()
    overhead = [d - s for d, s in zip(durations, sim_times, strict=True)]
    core_ms = statistics.median(overhead) * 1000
    sim_ms = statistics.median(sim_times) * 1000
    print(f"cases: {count}, median case {statistics.median(durations) * 1000:.1f} ms")
    print(f"core overhead per case: {core_ms:.1f} ms (simulator {sim_ms:.2f} ms)")
    # CPU time of this process per case (simulator included): the part a busy machine
    # inflates least; the rest of the wall time is mostly the fsync of each commit
    print(f"CPU per case (mean, simulator included): {cpu / count * 1000:.1f} ms")
    print(
        f"per case: {counts['statements'] / count:.0f} SQL statements, "
        f"{counts['commits'] / count:.0f} commits "
        f"({counts['durable'] / count:.0f} waiting for the disk); load average "
        + ", ".join(f"{value:.1f}" for value in os.getloadavg())
    )
    card.add("app overhead per full case", core_ms, TARGET_CASE_MS, "ms")


def bench_quota(card: Scorecard, writers: int = 5, per_writer: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite+pysqlite:///{Path(tmp) / 'q.sqlite3'}")
        upgrade_database(engine)
        sessions = session_factory(engine)
        limit = writers * per_writer - 7  # a few must be refused
        counter = QuotaCounter(limit)
        granted = [0] * writers
        refused = [0] * writers

        def work(slot: int) -> None:
            from app.services.quota import QuotaExhausted

            for _ in range(per_writer):
                try:
                    with sessions.begin() as session:
                        counter.reserve(session)
                    granted[slot] += 1
                except QuotaExhausted:
                    refused[slot] += 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(writers)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        with sessions() as session:
            used = counter.status(session).used
        engine.dispose()
    rate = sum(granted) / elapsed
    print(f"quota: {writers} writers, {sum(granted)} granted, {sum(refused)} refused, used={used}")
    assert used == sum(granted) == limit, "lost or excess increments"
    card.add(
        f"quota increments, {writers} writers",
        rate,
        TARGET_QUOTA_PER_S,
        "/s",
        higher_is_better=True,
    )


def main() -> int:
    """Run both parts; exit 1 when a goal is missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no timing gate")
    args = parser.parse_args()
    card = Scorecard(smoke=args.smoke)
    bench_cases(3 if args.smoke else args.cases, card)
    if args.smoke:
        bench_quota(card, writers=2, per_writer=10)
    else:
        bench_quota(card)
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
