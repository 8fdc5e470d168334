"""SIGKILL in the middle of a drain: only items with an in-flight record are ever sent twice.

Each request's items get their in-flight record committed before the request; merely
claimed items never leave the process. So after any number of real SIGKILLs the simulator's
receipts show no item received more than once unless it had that record at a kill, and the
re-sent receipts are no more than the in-flight records found at the kills.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.services.balikan.outbox import DELIVERED, PENDING, BalikanParams, Outbox
from app.services.keys import KeyRing
from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.persistence.models import BalikanItem
from app.services.simulator import (
    FaultPlan,
    LinkShape,
    RecordKey,
    SimulatorConfig,
    start_simulator,
    summarise_records,
)
from tests.services.balikan.conftest import synthetic_nik

SCRIPT = Path(__file__).with_name("crash_sender.py")
ROOT = Path(__file__).resolve().parents[3]
ITEMS = 60
KILLS = 5


def _in_flight_at_kill(sessions: sessionmaker[Session], outbox: Outbox) -> list[str]:
    """NIKs of the items whose in-flight record was committed by the killed claim."""
    with sessions() as session:
        rows = session.execute(
            select(BalikanItem).where(
                BalikanItem.status == PENDING, BalikanItem.claimed_by.is_not(None)
            )
        ).scalars()
        return [
            outbox.nik_of(row)
            for row in rows
            if row.sent_at is not None
            and row.claimed_at is not None
            and row.sent_at >= row.claimed_at
        ]


def _claimed_at_kill(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        rows = session.execute(
            select(BalikanItem.id).where(
                BalikanItem.status == PENDING, BalikanItem.claimed_by.is_not(None)
            )
        ).all()
        return len(rows)


def test_sigkill_mid_drain_resends_only_items_in_flight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'kill.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    sessions = session_factory(engine)
    keys = KeyRing(os.urandom(32), os.urandom(32))
    outbox = Outbox(keys, "330301", "Bappelitbangda Contoh")
    niks = [synthetic_nik(index) for index in range(ITEMS)]
    with sessions.begin() as session:
        for index, nik in enumerate(niks):
            outbox.enqueue(session, f"M-{index}", nik, BalikanParams("PKH", f"R-{index}"))
    env = {
        **os.environ,
        "LOKET_TEST_KEYS": f"{keys.hmac_key.hex()}:{keys.encryption_key.hex()}",
        "LOKET_TEST_IN_FLIGHT": "4",
    }
    record = tmp_path / "record"
    rng = random.Random(17)
    possibly_sent: set[str] = set()
    in_flight_total = claimed_total = 0
    with start_simulator(
        SimulatorConfig(record_dir=record), mode="test", faults=FaultPlan(LinkShape(30))
    ) as running:
        base = running.base_url + "/data_balikan/public"
        for _ in range(KILLS):
            before = len(running.simulator.balikan)
            wanted = before + rng.randint(3, 8)  # killed after a random number of receipts
            process = subprocess.Popen(
                [sys.executable, str(SCRIPT), url, base, "form"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
            poll = threading.Event()
            while len(running.simulator.balikan) < wanted and process.poll() is None:
                poll.wait(0.002)  # waits on the receipts, not on a fixed time
            process.send_signal(signal.SIGKILL)
            assert process.wait(10) == -signal.SIGKILL
            process.stdout.close()
            flying = _in_flight_at_kill(sessions, outbox)
            claimed = _claimed_at_kill(sessions)
            possibly_sent.update(flying)
            in_flight_total += len(flying)
            claimed_total += claimed
        done = subprocess.run(
            [sys.executable, str(SCRIPT), url, base, "form"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0
    key = RecordKey.load(record)
    received = summarise_records(record).per_nik
    counts = {nik: received.get(key.nik(nik), 0) for nik in niks}
    assert all(count >= 1 for count in counts.values())  # nothing lost
    twice = {nik for nik, count in counts.items() if count > 1}
    assert twice <= possibly_sent  # only items in flight at a kill were sent again
    resent = sum(count - 1 for count in counts.values())
    with capsys.disabled():
        print(
            f"\n{KILLS} SIGKILLs mid-drain: {resent} re-sent receipts; at the kills "
            f"{in_flight_total} items had an in-flight record, {claimed_total} were claimed"
        )
    assert resent <= in_flight_total
    assert in_flight_total < claimed_total  # the record is narrower than the claims
    with sessions() as session:
        rows = list(session.execute(select(BalikanItem)).scalars())
    assert all(row.status == DELIVERED for row in rows)
    engine.dispose()
