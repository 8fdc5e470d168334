"""Reader benchmark on the virtual card with a real card's timing (starts its own pcscd).

    python bench/bench_reader.py

Goal: reading the photo through the reader layer (own context and handle, transaction, KTP-el
check, UID, chunked READ BINARY, progress) takes at most 1.2 × the card's own transfer time —
the time the virtual card's timing model (ISO 14443 at 106 kbit/s, about 1 s for a 6 KB
photo) spends on the same exchanges. Prints measured, goal and ratio per photo size and exits
1 when a ratio misses the goal. Also prints insertion-to-event latency (informational).
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.reader.config import ReaderConfig
from app.reader.controller import ReaderService
from app.reader.session import ReadRequest, read_uid_and_photo
from app.reader.states import ReaderEvent, ReaderState
from app.reader.synthetic import synthetic_jpeg
from bench.goals import Scorecard
from tests.fakes.pcscd import CARD_READER, SAM_READER, Pcscd, wait_slot
from tests.fakes.vpcd_card import VirtualKtpel
from tests.fakes.vpcd_transport import CARD_TIMING, FAST

ROUNDS = 5
MAX_RATIO = 1.2
SCORE = Scorecard()


def bench_photo(size: int) -> bool:
    """Median of ROUNDS photo reads against the card's own time; True when within the goal."""
    card = VirtualKtpel(photo=synthetic_jpeg(pad_to=size), timing=CARD_TIMING)
    card.insert()
    wait_slot(CARD_READER, present=True)
    try:
        with read_uid_and_photo(ReadRequest(card_reader=CARD_READER)) as check:
            if bytes(check.photo) != card.photo:
                raise SystemExit("photo read back differs from the card's photo")
        measured: list[float] = []
        own: list[float] = []
        for _ in range(ROUNDS):
            card.card_time_s = 0.0
            t0 = time.perf_counter()
            with read_uid_and_photo(ReadRequest(card_reader=CARD_READER)):
                pass
            measured.append(time.perf_counter() - t0)
            own.append(card.card_time_s)
    finally:
        card.remove()
        wait_slot(CARD_READER, present=False)
    ratios = [m / o for m, o in zip(measured, own, strict=True)]
    ratio = statistics.median(ratios)
    ok = ratio <= MAX_RATIO
    print(
        f"photo {len(card.photo):6d} B: measured {statistics.median(measured) * 1000:7.1f} ms, "
        f"card's own transfer time {statistics.median(own) * 1000:7.1f} ms"
    )
    SCORE.add(f"photo read {len(card.photo)} B / card's own time", ratio, MAX_RATIO, "×")
    return ok


def bench_insertion(debounce_ms: int) -> None:
    """Insertion-to-event latency (informational)."""
    config = ReaderConfig(
        card_slot_patterns=(CARD_READER,),
        sam_slot_patterns=(SAM_READER,),
        allow_virtual=True,
        require_sam=False,
    )
    config = dataclasses.replace(config, debounce_ms=debounce_ms)
    present = threading.Event()

    def on_event(event: ReaderEvent) -> None:
        if event.state is ReaderState.CARD_PRESENT:
            present.set()

    samples = []
    with ReaderService(config, listener=on_event) as service:
        service.wait_for({ReaderState.READY}, 30)
        for _ in range(5):
            card = VirtualKtpel(timing=FAST)
            present.clear()
            t0 = time.perf_counter()
            card.insert()
            if not present.wait(30):
                raise SystemExit("no insertion event")
            samples.append(time.perf_counter() - t0)
            card.remove()
            service.wait_for({ReaderState.READY}, 30)
    print(
        f"insertion-to-event (debounce {debounce_ms:3d} ms): median "
        f"{statistics.median(samples) * 1000:6.1f} ms, max {max(samples) * 1000:6.1f} ms"
    )


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, Pcscd(Path(tmp)):
        results = [bench_photo(size) for size in (6000, 16000)]
        bench_insertion(300)
    if not all(results):
        print(f"FAILED: a photo read took more than {MAX_RATIO} × the card's own time")
    return SCORE.exit_code()


if __name__ == "__main__":
    raise SystemExit(main())
