"""Data balikan drain on a shared 1 Mbps, 80 ms link: link use, and lookup latency beside it.

The simulator serves on a real socket from its own process (``bench/shaped_sim.py``) with
80 ms latency; every byte of every request and answer (lookups and data balikan alike,
bodies plus HTTP headers) crosses one shared 1 Mbps pipe, segment by segment. For each
body shape:

1. Link use: 1 000 items drained with no lookup running (goal: >= 90 % of the link).
2. Lookup latency: an officer looks NIKs up (one lookup, a short pause, the next), first
   alone, then while the sender drains; median with / without (goal: <= 1.05).

Run from the repository root: ``python bench/bench_balikan.py [--items N] [--smoke]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.resource_files import resources_dir
from app.services.balikan.client import BalikanClient
from app.services.balikan.outbox import BalikanParams, Outbox
from app.services.balikan.sender import BalikanSender
from app.services.dukcapil import DukcapilClient, GatewayConfig, GatewayCredentials, load_profiles
from app.services.keys import KeyRing
from app.services.link import LinkGovernor
from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.settings import BalikanSettings
from app.services.simulator import SimulatorConfig, build_population
from bench.goals import Scorecard
from bench.shaped_sim import HEADER_BYTES, ShapedSimulator

LINK_KBPS = 1000.0
LATENCY_MS = 80.0
GOAL_LINK_USE = 0.90
GOAL_LATENCY_RATIO = 1.05


def _synthetic_nik(index: int) -> str:
    return f"3303010101{90 + index // 10000:02d}{index % 10000:04d}"


class Bench:
    """One simulator, one database, one officer's client; drains and lookups on demand."""

    def __init__(self, tmp: Path, link: ShapedSimulator, config: SimulatorConfig):
        self.link = link
        self.config = config
        engine = create_db_engine(f"sqlite+pysqlite:///{tmp / 'bench.sqlite3'}")
        upgrade_database(engine)
        self.engine = engine
        self.sessions = session_factory(engine)
        self.outbox = Outbox(
            KeyRing(b"k" * 32, b"e" * 32), config.balikan.id_lembaga, "Bappelitbangda Contoh"
        )
        self.next_index = 0
        defaults = BalikanSettings()
        self.governor = LinkGovernor(LINK_KBPS, defaults.link_share)
        self.in_flight = defaults.max_in_flight
        account = config.account
        base = link.base_url
        gateway = GatewayConfig(
            base_url=base, consumer_id=account.consumer_id, allow_plain_http=True
        )
        credentials = GatewayCredentials(account.user_id, account.password, account.ip_user)
        profile = load_profiles(resources_dir())["purbalingga-8"]
        self.officer = DukcapilClient(gateway, credentials, profile)
        self.person = build_population().examples()["found"]
        self.client = BalikanClient(
            base + config.balikan.prefix, config.balikan.token, connections=self.in_flight
        )

    def enqueue(self, count: int) -> None:
        with self.sessions.begin() as session:
            for _ in range(count):
                index = self.next_index
                self.next_index += 1
                params = BalikanParams("PKH", number=f"PKH-2026-{index:06d}")
                self.outbox.enqueue(session, f"B-{index:06d}", _synthetic_nik(index), params)

    def sender(self, shape: str) -> BalikanSender:
        return BalikanSender(
            self.sessions,
            self.outbox,
            self.client,
            counter_id="BENCH",
            shape=shape,
            batch_size=BalikanSettings().batch_size,
            max_in_flight=self.in_flight,
            governor=self.governor,
        )

    def lookup_once(self) -> float:
        started = time.perf_counter()
        with self.governor.lookup():
            self.officer.lookup(self.person)
        return time.perf_counter() - started

    def close(self) -> None:
        self.client.close()
        self.officer.close()
        self.engine.dispose()


def link_use(bench: Bench, shape: str, items: int) -> tuple[float, int, float]:
    """Drain ``items`` with no lookup running: (link use, settled, seconds)."""
    bench.enqueue(items)
    before = bench.link.bytes_moved
    began = time.perf_counter()
    report = bench.sender(shape).send_once()
    elapsed = time.perf_counter() - began
    moved = bench.link.bytes_moved - before
    return moved * 8 / (LINK_KBPS * 1000 * elapsed), report.settled, elapsed


def latency(
    bench: Bench, shape: str, items: int, lookups: int, pause: float
) -> tuple[float, float, int]:
    """Median lookup latency alone and while the sender drains (seconds), lookups beside it."""
    bench.lookup_once()  # warm
    alone = []
    for _ in range(lookups):
        alone.append(bench.lookup_once())
        time.sleep(pause)
    bench.enqueue(items)
    sender = bench.sender(shape)
    done = threading.Event()
    beside: list[float] = []

    def drain() -> None:
        sender.send_once()
        done.set()

    worker = threading.Thread(target=drain)
    worker.start()
    time.sleep(pause)  # let the sender fill the link first
    while not done.is_set():
        beside.append(bench.lookup_once())
        done.wait(pause)
    worker.join()
    return statistics.median(alone), statistics.median(beside) if beside else 0.0, len(beside)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print its figures against the goals; 1 on a miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=15, help="lookups alone (baseline)")
    parser.add_argument("--pause", type=float, default=0.3, help="officer's pause between lookups")
    parser.add_argument("--shapes", default="form,batch")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no timing gate")
    args = parser.parse_args(argv)
    if args.smoke:
        args.items, args.lookups, args.pause = 30, 2, 0.05
    card = Scorecard(smoke=args.smoke)
    config = SimulatorConfig(daily_quota=None)
    defaults = BalikanSettings()
    print(
        f"link: {LATENCY_MS:.0f} ms, {LINK_KBPS / 1000:.0f} Mbps shared pipe, "
        f"{HEADER_BYTES} B headers per message; sender share {defaults.link_share:.0%}, "
        f"{defaults.max_in_flight} in flight, batch {defaults.batch_size}"
    )
    broken = False
    with (
        tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp,
        ShapedSimulator(LATENCY_MS, LINK_KBPS) as link,
    ):
        bench = Bench(Path(tmp), link, config)
        try:
            for shape in args.shapes.split(","):
                use, settled, seconds = link_use(bench, shape, args.items)
                print(f"[{shape}] drained {settled}/{args.items} items in {seconds:.2f} s")
                broken = broken or settled != args.items
                card.add(
                    f"balikan link use ({shape})",
                    use * 100,
                    GOAL_LINK_USE * 100,
                    "%",
                    higher_is_better=True,
                )
                # enough items to keep the sender busy through the lookups beside it
                drain_items = args.items * (2 if shape == "form" else 8)
                alone, beside, count = latency(bench, shape, drain_items, args.lookups, args.pause)
                print(
                    f"[{shape}] lookup median alone {alone * 1000:.1f} ms, with sender "
                    f"{beside * 1000:.1f} ms ({count} lookups beside the drain)"
                )
                broken = broken or count == 0
                card.add(
                    f"lookup latency with sender ({shape})",
                    beside / alone if alone else 0,
                    GOAL_LATENCY_RATIO,
                    "x",
                )
        finally:
            bench.close()
    if broken:
        print("FAILED: not every item was delivered or no lookup ran beside the sender")
        return 1
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
