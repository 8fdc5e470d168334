"""kill -9 at any point of sending: nothing is lost, nothing is delivered twice as new.

The simulator records every receipt (``record_dir``) and is restarted half-way, so the real
delivery figure comes from its record: items lost (must be 0) and items delivered more than
once (printed; a re-send after a kill is answered "Data sudah pernah dikirim").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.balikan.outbox import DELIVERED, BalikanParams, Outbox
from app.services.keys import KeyRing
from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.persistence.models import BalikanItem
from app.services.simulator import (
    FaultPlan,
    LinkShape,
    SimulatorConfig,
    start_simulator,
    summarise_records,
)
from tests.services.balikan.conftest import synthetic_nik
from tests.services.balikan.crash_sender import BATCH_SIZE
from tests.services.balikan.delivery import delivery_figures

SCRIPT = Path(__file__).with_name("crash_sender.py")
ROOT = Path(__file__).resolve().parents[3]
ITEMS = 12


def _run(url: str, base: str, shape: str, keys: KeyRing, kill_at: str = "") -> int:
    env = {
        **os.environ,
        "LOKET_TEST_KEYS": f"{keys.hmac_key.hex()}:{keys.encryption_key.hex()}",
        "LOKET_TEST_KILL_AT": kill_at,
    }
    done = subprocess.run(
        [sys.executable, str(SCRIPT), url, base, shape],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return done.returncode


@pytest.mark.parametrize("shape", ["form", "batch"])
def test_sender_killed_at_every_point_delivers_each_item_exactly_once(
    shape: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+pysqlite:///{tmp_path / 'crash.sqlite3'}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    sessions = session_factory(engine)
    keys = KeyRing(os.urandom(32), os.urandom(32))
    outbox = Outbox(keys, "330301", "Bappelitbangda Contoh")
    with sessions.begin() as session:
        for index in range(ITEMS):
            outbox.enqueue(session, f"K-{index}", synthetic_nik(index), BalikanParams("PKH", "R"))
    faults = FaultPlan(LinkShape(latency_ms=30))
    record = tmp_path / "record"
    config = SimulatorConfig(record_dir=record)
    kills = 0
    with start_simulator(config, mode="test", faults=faults) as running:
        port = running.port
        base = running.base_url + "/data_balikan/public"
        # killed after claiming (before the request), after the answer (before it is
        # stored), and after the acknowledgement was committed
        for kill_at in ("claimed:1", "answered:2", "acknowledged:1", "answered:1"):
            assert _run(url, base, shape, keys, kill_at) == -signal.SIGKILL
            kills += 1
        first_run = list(running.simulator.balikan)
    # the simulator restarts on the same port: its duplicate memory comes back from the record
    with start_simulator(config, mode="test", faults=faults, port=port) as running:
        # killed at random moments in the middle of requests
        for delay in (0.9, 1.3):
            process = subprocess.Popen(
                [sys.executable, str(SCRIPT), url, base, shape],
                env={
                    **os.environ,
                    "LOKET_TEST_KEYS": f"{keys.hmac_key.hex()}:{keys.encryption_key.hex()}",
                },
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            kills += 1
        assert _run(url, base, shape, keys) == 0
        deliveries = first_run + list(running.simulator.balikan)
    niks = [synthetic_nik(i) for i in range(ITEMS)]
    figures = delivery_figures(record, niks)
    with capsys.disabled():  # reported on every run, not only on failure
        print("\n" + figures.line(f"data balikan crash test ({shape}, {kills} SIGKILLs)"))
    assert figures.lost == 0
    assert figures.unexpected == 0
    assert figures.more_than_once <= kills * BATCH_SIZE  # only an in-flight batch is re-sent
    summary = summarise_records(record)
    assert summary.receipts == len(deliveries)  # every receipt is on file
    assert summary.items == ITEMS
    assert summary.duplicates == summary.receipts - ITEMS  # each item new exactly once
    new = sorted(d.nik for d in deliveries if not d.duplicate)
    assert new == sorted(niks)  # each exactly once as new, across the restart
    with sessions() as session:
        rows = list(session.execute(select(BalikanItem)).scalars())
    assert len(rows) == ITEMS
    assert all(r.status == DELIVERED and r.nik_ciphertext is None for r in rows)
    assert all(r.claimed_by is None for r in rows)
    engine.dispose()
