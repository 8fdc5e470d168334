"""One data balikan sender process for ``bench_balikan --kills``: it drains until killed.

``python bench/kill_sender.py DB_URL BASE_URL SHAPE`` with the keys in ``LOKET_BENCH_KEYS``
(hmac:enc hex). Default settings (requests in flight, batch size, link share) at 1 Mbps.
Prints ``ready`` just before it starts sending, and the settled count when it ends.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.services.balikan.client import BalikanClient
from app.services.balikan.outbox import Outbox
from app.services.balikan.sender import BalikanSender
from app.services.keys import KeyRing
from app.services.link import LinkGovernor
from app.services.persistence.db import create_db_engine, session_factory
from app.services.settings import BalikanSettings
from app.services.simulator import SimulatorConfig

ID_LEMBAGA = "330301"


def main() -> int:
    """Recover, say ``ready``, send everything due."""
    url, base_url, shape = sys.argv[1:4]
    hmac_hex, enc_hex = os.environ["LOKET_BENCH_KEYS"].split(":")
    keys = KeyRing(bytes.fromhex(hmac_hex), bytes.fromhex(enc_hex))
    settings = BalikanSettings()
    engine = create_db_engine(url)
    client = BalikanClient(
        base_url, SimulatorConfig().balikan.token, connections=settings.max_in_flight
    )
    sender = BalikanSender(
        session_factory(engine),
        Outbox(keys, ID_LEMBAGA, "Bappelitbangda Contoh"),
        client,
        counter_id="BENCH-KILL",
        shape=shape,
        batch_size=settings.batch_size,
        max_in_flight=settings.max_in_flight,
        governor=LinkGovernor(settings.link_kbps, settings.link_share),
        retry_base=0.0,
    )
    sender.recover()
    print("ready", flush=True)
    report = sender.send_once()
    client.close()
    engine.dispose()
    print(report.settled, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
