"""Run one data balikan sender round in its own process, optionally SIGKILLed at a point.

Used by test_crash.py: ``python crash_sender.py DB_URL BASE_URL SHAPE`` with the keys in
``LOKET_TEST_KEYS`` (hmac:enc hex) and ``LOKET_TEST_KILL_AT`` like ``answered:3``;
``LOKET_TEST_IN_FLIGHT`` sets the requests in flight (default 4). It prints ``ready`` just
before it starts sending.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from app.services.balikan.client import BalikanClient
from app.services.balikan.outbox import Outbox
from app.services.balikan.sender import BalikanSender
from app.services.keys import KeyRing
from app.services.persistence.db import create_db_engine, session_factory
from app.services.simulator import SimulatorConfig

BATCH_SIZE = 4  # items claimed per round trip


def main() -> int:
    url, base_url, shape = sys.argv[1:4]
    hmac_hex, enc_hex = os.environ["LOKET_TEST_KEYS"].split(":")
    keys = KeyRing(bytes.fromhex(hmac_hex), bytes.fromhex(enc_hex))
    kill_at = os.environ.get("LOKET_TEST_KILL_AT", "")
    point, _, nth = kill_at.partition(":")
    seen: Counter[str] = Counter()

    def hook(where: str) -> None:
        seen[where] += 1
        if where == point and seen[where] == int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)

    engine = create_db_engine(url)
    client = BalikanClient(base_url, SimulatorConfig().balikan.token, timeout=5.0)
    sender = BalikanSender(
        session_factory(engine),
        Outbox(keys, "330301", "Bappelitbangda Contoh"),
        client,
        counter_id="LOKET-CRASH",
        shape=shape,
        batch_size=BATCH_SIZE,
        hook=hook,
        retry_base=0.0,
        max_in_flight=int(os.environ.get("LOKET_TEST_IN_FLIGHT", "4")),
    )
    sender.recover()
    print("ready", flush=True)
    report = sender.send_once()
    client.close()
    engine.dispose()
    print(report.delivered, report.duplicates)
    return 0


if __name__ == "__main__":
    sys.exit(main())
