"""Data balikan drain on a shared 1 Mbps, 80 ms link: link use, and lookup latency beside it.

The simulator serves on a real socket from its own process (``bench/shaped_sim.py``) with
80 ms latency; every byte of every request and answer (lookups and data balikan alike,
bodies plus HTTP headers) crosses one shared 1 Mbps pipe, segment by segment. For each
body shape:

1. Link use: 1 000 items drained with no lookup running (goal: >= 90 % of the link).
2. Lookup latency: an officer looks NIKs up (one lookup, a short pause, the next), first
   alone, then while the sender drains; median with / without (goal: <= 1.05). Beside the
   drain, every other lookup is announced ``--hint-lead`` seconds ahead, as the case screen
   does when the NIK is complete or a card is placed (``LinkGovernor.expect_lookup``); the
   others come unannounced. The goal applies to both; both medians are printed.
3. SIGKILLs (``--kills``, 200): a sender process (``bench/kill_sender.py``) is killed after
   a random number of receipts, again and again, then drains the rest. Items received more
   than once that had no in-flight record at a kill, over the items (goal: <= 1 %, a
   SIGKILL re-sends at most the items in flight); the re-sent share overall is printed too.

Run from the repository root: ``python bench/bench_balikan.py [--items N] [--kills K] [--smoke]``.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.resource_files import resources_dir
from app.services.balikan.client import BalikanClient
from app.services.balikan.outbox import PENDING, BalikanParams, Outbox
from app.services.balikan.sender import BalikanSender
from app.services.dukcapil import DukcapilClient, GatewayConfig, GatewayCredentials, load_profiles
from app.services.keys import KeyRing
from app.services.link import LinkGovernor
from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.persistence.models import BalikanItem
from app.services.settings import BalikanSettings
from app.services.simulator import SimulatorConfig, build_population
from bench.goals import Scorecard
from bench.shaped_sim import HEADER_BYTES, ShapedSimulator

LINK_KBPS = 1000.0
LATENCY_MS = 80.0
GOAL_LINK_USE = 0.90
GOAL_LATENCY_RATIO = 1.05
GOAL_RESENT_BEYOND_IN_FLIGHT = 1.0  # percent of the items
KILL_SCRIPT = Path(__file__).with_name("kill_sender.py")
HMAC_KEY, ENC_KEY = b"k" * 32, b"e" * 32


def _synthetic_nik(index: int) -> str:
    return f"3303010101{90 + index // 10000:02d}{index % 10000:04d}"


class Bench:
    """One simulator, one database, one officer's client; drains and lookups on demand."""

    def __init__(self, tmp: Path, link: ShapedSimulator, config: SimulatorConfig):
        self.link = link
        self.config = config
        self.url = f"sqlite+pysqlite:///{tmp / 'bench.sqlite3'}"
        engine = create_db_engine(self.url)
        upgrade_database(engine)
        self.engine = engine
        self.sessions = session_factory(engine)
        self.outbox = Outbox(
            KeyRing(HMAC_KEY, ENC_KEY), config.balikan.id_lembaga, "Bappelitbangda Contoh"
        )
        self.next_index = 0
        defaults = BalikanSettings()
        self.governor = LinkGovernor(LINK_KBPS, defaults.link_share)
        self.share = defaults.link_share
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

    def fresh_link(self) -> None:
        """A new link governor: each body shape starts as a counter configured for it does
        (the sender's pace is learned per link and request size)."""
        self.governor = LinkGovernor(LINK_KBPS, self.share)

    def lookup_once(self, hint_lead: float = 0.0) -> float:
        """One lookup (announced ``hint_lead`` seconds ahead when > 0); its latency."""
        if hint_lead > 0:
            self.governor.expect_lookup()
            time.sleep(hint_lead)  # the officer presses "check" after the NIK is complete
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
    bench: Bench, shape: str, items: int, lookups: int, pause: float, hint_lead: float
) -> tuple[float, float, float, int]:
    """Median lookup latency alone, beside the drain unannounced and announced (seconds);
    the lookups beside the drain."""
    bench.lookup_once()  # warm
    alone = []
    for _ in range(lookups):
        alone.append(bench.lookup_once())
        time.sleep(pause)
    bench.enqueue(items)
    sender = bench.sender(shape)
    done = threading.Event()
    beside: list[float] = []
    hinted: list[float] = []

    def drain() -> None:
        sender.send_once()
        done.set()

    worker = threading.Thread(target=drain)
    worker.start()
    time.sleep(pause)  # let the sender fill the link first
    lead = min(hint_lead, pause)
    while not done.is_set():
        beside.append(bench.lookup_once())
        if done.wait(pause) or lead <= 0:
            continue
        done.wait(pause - lead)
        hinted.append(bench.lookup_once(lead))
        done.wait(pause)
    worker.join()
    return (
        statistics.median(alone),
        statistics.median(beside) if beside else 0.0,
        statistics.median(hinted) if hinted else 0.0,
        len(beside) + len(hinted),
    )


def _in_flight_records(bench: Bench) -> tuple[set[str], int]:
    """After a kill: NIKs of items with an in-flight record of the killed claim; claimed count."""
    with bench.sessions() as session:
        rows = list(
            session.execute(
                select(BalikanItem).where(
                    BalikanItem.status == PENDING, BalikanItem.claimed_by.is_not(None)
                )
            ).scalars()
        )
    flying = {
        bench.outbox.nik_of(row)
        for row in rows
        if row.sent_at is not None and row.claimed_at is not None and row.sent_at >= row.claimed_at
    }
    return flying, len(rows)


def _pending(bench: Bench) -> int:
    with bench.sessions() as session:
        return bench.outbox.pending_count(session)


def kills(
    bench: Bench, shape: str, count: int, refill: int = 1000, seed: int = 17
) -> tuple[int, int, int, int, int]:
    """SIGKILL a draining sender ``count`` times, then drain the rest.

    Returns (items owed, re-sent receipts, items received twice without an in-flight record
    at a kill, in-flight records at the kills, claimed items at the kills).
    """
    rng = random.Random(seed)
    env = {**os.environ, "LOKET_BENCH_KEYS": f"{HMAC_KEY.hex()}:{ENC_KEY.hex()}"}
    base = bench.link.base_url + bench.config.balikan.prefix
    command = [sys.executable, str(KILL_SCRIPT), bench.url, base, shape]
    first_index = bench.next_index
    twice_before = bench.link.received_twice()
    possibly_sent: set[str] = set()
    in_flight_total = claimed_total = 0
    poll = threading.Event()
    for _ in range(count):
        if _pending(bench) < refill // 2:
            bench.enqueue(refill)
        before = bench.link.balikan_received
        wanted = before + rng.randint(
            1, min(120, refill // 3)
        )  # killed after a random number of receipts
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert process.stdout is not None
        process.stdout.readline()  # "ready"
        while bench.link.balikan_received < wanted and process.poll() is None:
            poll.wait(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
        process.stdout.close()
        flying, claimed = _in_flight_records(bench)
        possibly_sent |= flying
        in_flight_total += len(flying)
        claimed_total += claimed
    subprocess.run(command, env=env, capture_output=True, timeout=600, check=True)
    owed = {_synthetic_nik(index) for index in range(first_index, bench.next_index)}
    twice = {nik: n for nik, n in bench.link.received_twice().items() if nik not in twice_before}
    resent = sum(n - 1 for nik, n in twice.items() if nik in owed)
    beyond = sum(1 for nik in twice if nik in owed and nik not in possibly_sent)
    return len(owed), resent, beyond, in_flight_total, claimed_total


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print its figures against the goals; 1 on a miss."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--lookups", type=int, default=15, help="lookups alone (baseline)")
    parser.add_argument("--pause", type=float, default=0.3, help="officer's pause between lookups")
    parser.add_argument(
        "--hint-lead",
        type=float,
        default=0.2,
        help="seconds an announced lookup is expected ahead (0: none announced)",
    )
    parser.add_argument("--shapes", default="form,batch")
    parser.add_argument("--kills", type=int, default=200, help="SIGKILLs of a draining sender")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no timing gate")
    args = parser.parse_args(argv)
    if args.smoke:
        args.items, args.lookups, args.pause, args.kills = 30, 2, 0.05, 2
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
                bench.fresh_link()
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
                alone, beside, hinted, count = latency(
                    bench, shape, drain_items, args.lookups, args.pause, args.hint_lead
                )
                print(
                    f"[{shape}] lookup median alone {alone * 1000:.1f} ms, with sender "
                    f"{beside * 1000:.1f} ms unannounced, {hinted * 1000:.1f} ms announced "
                    f"{args.hint_lead * 1000:.0f} ms ahead ({count} lookups beside the drain)"
                )
                broken = broken or count == 0
                card.add(
                    f"lookup latency with sender ({shape})",
                    beside / alone if alone else 0,
                    GOAL_LATENCY_RATIO,
                    "x",
                )
                if hinted:
                    card.add(
                        f"lookup latency with sender, announced ({shape})",
                        hinted / alone if alone else 0,
                        GOAL_LATENCY_RATIO,
                        "x",
                    )
            if args.kills > 0:
                shape = BalikanSettings().body_shape
                owed, resent, beyond, flying, claimed = kills(
                    bench, shape, args.kills, refill=60 if args.smoke else 1000
                )
                print(
                    f"[{shape}] {args.kills} SIGKILLs while draining: {owed} items, {resent} "
                    f"re-sent receipts ({100 * resent / owed:.2f} % of the items, "
                    f"{resent / args.kills:.1f} per kill); at the kills {flying} items had an "
                    f"in-flight record and {claimed} were claimed"
                )
                broken = broken or resent > flying
                card.add(
                    f"re-sent beyond the in-flight record ({args.kills} SIGKILLs)",
                    100 * beyond / owed,
                    GOAL_RESENT_BEYOND_IN_FLIGHT,
                    "%",
                )
        finally:
            bench.close()
    if broken:
        print(
            "FAILED: not every item was delivered, no lookup ran beside the sender, or more "
            "items were re-sent than had an in-flight record at the kills"
        )
        return 1
    return card.exit_code()


if __name__ == "__main__":
    sys.exit(main())
