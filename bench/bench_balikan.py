"""Data balikan drain: 1 000 pending items through the simulator on a shared 1 Mbps link.

The simulator serves on a real socket with 80 ms latency; every byte of every request and
answer (lookups and data balikan alike) crosses one shared 1 Mbps pipe, segment by segment.
An officer looks NIKs up all the while (one lookup, a short pause, the next). Reported:
items/s delivered, the link share the sender used, and lookup latency with and without the
sender (median and 90th percentile) and their ratio.

Run from the repository root: ``python bench/bench_balikan.py [--items N] [--shape form]``.
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
from app.services.simulator import (
    FaultPlan,
    LinkShape,
    SimulatorConfig,
    build_population,
    start_simulator,
)

LINK_KBPS = 1000.0
LATENCY_MS = 80.0
SEGMENT = 1460


class SharedLink(FaultPlan):
    """One pipe for everything: transfers queue segment by segment (like TCP on a slow VPN)."""

    def __init__(self, link: LinkShape) -> None:
        super().__init__(link)
        self._pipe = threading.Lock()
        self.bytes_moved = 0

    def wait_transfer(self, size: int) -> None:
        """Hold the pipe for each segment's serialisation time."""
        remaining = size
        while remaining > 0:
            chunk = min(SEGMENT, remaining)
            seconds = self.link.transfer_seconds(chunk)
            with self._pipe:
                self.bytes_moved += chunk
                time.sleep(seconds)
            remaining -= chunk


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _synthetic_nik(index: int) -> str:
    return f"3303010101{90 + index // 10000:02d}{index % 10000:04d}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--shape", choices=("batch", "form"), default="batch")
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--share", type=float, default=0.3)
    parser.add_argument("--pause", type=float, default=0.3, help="officer's pause between lookups")
    args = parser.parse_args(argv)

    config = SimulatorConfig(daily_quota=None)
    account = config.account
    person_nik = build_population().examples()["found"]
    profile = load_profiles(resources_dir())["purbalingga-8"]
    credentials = GatewayCredentials(account.user_id, account.password, account.ip_user)
    link = SharedLink(LinkShape(latency_ms=LATENCY_MS, bandwidth_kbps=LINK_KBPS))
    governor = LinkGovernor(LINK_KBPS, args.share)

    with (
        tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp,
        start_simulator(config, mode="demo", faults=link) as running,
    ):
        engine = create_db_engine(f"sqlite+pysqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade_database(engine)
        sessions = session_factory(engine)
        keys = KeyRing(b"k" * 32, b"e" * 32)
        outbox = Outbox(keys, config.balikan.id_lembaga, "Bappelitbangda Contoh (bench)")
        with sessions.begin() as session:
            for index in range(args.items):
                params = BalikanParams("PKH", number=f"PKH-2026-{index:06d}")
                outbox.enqueue(session, f"B-{index:06d}", _synthetic_nik(index), params)

        gateway = GatewayConfig(
            base_url=running.base_url, consumer_id=account.consumer_id, allow_plain_http=True
        )
        officer = DukcapilClient(gateway, credentials, profile)

        def lookup_once() -> float:
            started = time.perf_counter()
            with governor.lookup():
                officer.lookup(person_nik)
            return time.perf_counter() - started

        lookup_once()  # warm up the connection
        alone = []
        for _ in range(15):
            alone.append(lookup_once())
            time.sleep(args.pause)

        client = BalikanClient(
            running.base_url + config.balikan.prefix, config.balikan.token, timeout=30
        )
        sender = BalikanSender(
            sessions,
            outbox,
            client,
            counter_id="BENCH",
            shape=args.shape,
            batch_size=args.batch_size,
            governor=governor,
        )
        done = threading.Event()
        shared: list[float] = []

        def officer_at_work() -> None:
            while not done.is_set():
                shared.append(lookup_once())
                done.wait(args.pause)

        looker = threading.Thread(target=officer_at_work)
        bytes_before = link.bytes_moved
        began = time.perf_counter()
        looker.start()
        report = sender.send_once()
        drained = time.perf_counter() - began
        done.set()
        looker.join()
        received = len(running.simulator.balikan)
        client.close()
        officer.close()
        engine.dispose()

    sender_share = report.bytes_moved * 8 / (LINK_KBPS * 1000 * drained)
    all_share = (link.bytes_moved - bytes_before) * 8 / (LINK_KBPS * 1000 * drained)
    med_alone, med_shared = statistics.median(alone), statistics.median(shared)
    p90_alone, p90_shared = _percentile(alone, 0.9), _percentile(shared, 0.9)
    print(
        f"link: {LATENCY_MS:.0f} ms latency, {LINK_KBPS / 1000:.0f} Mbps shared pipe; "
        f"sender share cap {args.share:.0%}; shape {args.shape}"
        + (f" ({args.batch_size} per request)" if args.shape == "batch" else "")
    )
    print(
        f"drained {report.settled}/{args.items} items in {drained:.1f} s: "
        f"{report.settled / drained:.1f} items/s, {report.requests} requests "
        f"(simulator received {received})"
    )
    print(
        f"link share used by the sender: {sender_share:.1%} "
        f"(all traffic, payload on the simulated pipe: {all_share:.1%}); "
        f"sender waited for a lookup {governor.sender_waits_for_lookups} times"
    )
    print(
        f"lookup latency without sender: median {med_alone * 1000:.0f} ms, "
        f"p90 {p90_alone * 1000:.0f} ms ({len(alone)} lookups)"
    )
    print(
        f"lookup latency with sender:    median {med_shared * 1000:.0f} ms, "
        f"p90 {p90_shared * 1000:.0f} ms ({len(shared)} lookups)"
    )
    print(
        f"ratio with/without: median {med_shared / med_alone:.2f}, p90 {p90_shared / p90_alone:.2f}"
    )
    ok = report.settled == args.items and sender_share <= args.share * 1.05
    print("OK" if ok else "CHECK: not drained or above the share")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
