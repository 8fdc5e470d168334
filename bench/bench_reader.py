"""Reader benchmark on the virtual card (starts its own pcscd).

    python bench/bench_reader.py

Prints: photo read time through the reader layer vs a raw SCardTransmit loop moving the same
bytes (ratio), and insertion-to-event latency (with and without the insertion debounce).
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

from smartcard import scard

from app.reader.apdu import read_binary, select_file
from app.reader.config import ReaderConfig
from app.reader.controller import ReaderService
from app.reader.session import ReadRequest, read_uid_and_photo
from app.reader.states import ReaderEvent, ReaderState
from app.reader.synthetic import synthetic_jpeg
from tests.fakes.pcscd import CARD_READER, SAM_READER, Pcscd, wait_slot
from tests.fakes.vpcd_card import VirtualKtpel

ROUNDS = 15


def raw_photo_loop(photo_len: int, chunk: int) -> float:
    """The same APDUs on one open handle, no layers: SELECT DF, SELECT EF, READ BINARY loop."""
    _hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _hr, card, proto = scard.SCardConnect(ctx, CARD_READER, scard.SCARD_SHARE_SHARED,
                                          scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
    total = photo_len + 2
    t0 = time.perf_counter()
    scard.SCardTransmit(card, proto, list(select_file(0x7F0A)))
    scard.SCardTransmit(card, proto, list(select_file(0x6FF2)))
    got = 0
    while got < total:
        apdu = list(read_binary(got, min(chunk, total - got)))
        _hr, answer = scard.SCardTransmit(card, proto, apdu)
        got += len(answer) - 2
    elapsed = time.perf_counter() - t0
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(ctx)
    return elapsed


def layered_photo(chunk: int) -> float:
    """read_uid_and_photo: own context + handle, transaction, KTP-el check, UID, progress."""
    t0 = time.perf_counter()
    with read_uid_and_photo(ReadRequest(card_reader=CARD_READER, chunk_size=chunk)):
        pass
    return time.perf_counter() - t0


def bench_photo(size: int) -> None:
    card = VirtualKtpel(photo=synthetic_jpeg(pad_to=size))
    card.insert()
    wait_slot(CARD_READER, present=True)
    try:
        chunk = 248
        with read_uid_and_photo(ReadRequest(card_reader=CARD_READER)) as check:
            if bytes(check.photo) != card.photo:
                raise SystemExit("photo read back differs from the card's photo")
        layered = statistics.median(layered_photo(chunk) for _ in range(ROUNDS))
        raw = statistics.median(raw_photo_loop(len(card.photo), chunk) for _ in range(ROUNDS))
        chunks = -(-(len(card.photo) + 2) // chunk)
        print(f"photo {len(card.photo):6d} B ({chunks} chunks): layered {layered * 1000:7.2f} ms, "
              f"raw loop {raw * 1000:7.2f} ms, ratio {layered / raw:5.2f}")
    finally:
        card.remove()
        wait_slot(CARD_READER, present=False)


def bench_insertion(debounce_ms: int) -> None:
    config = ReaderConfig(card_slot_patterns=(CARD_READER,), sam_slot_patterns=(SAM_READER,),
                          allow_virtual=True, require_sam=False)
    config = dataclasses.replace(config, debounce_ms=debounce_ms)
    present = threading.Event()

    def on_event(event: ReaderEvent) -> None:
        if event.state is ReaderState.CARD_PRESENT:
            present.set()

    samples = []
    with ReaderService(config, listener=on_event) as service:
        service.wait_for({ReaderState.READY}, 5)
        for _ in range(5):
            card = VirtualKtpel()
            present.clear()
            t0 = time.perf_counter()
            card.insert()
            if not present.wait(5):
                raise SystemExit("no insertion event")
            samples.append(time.perf_counter() - t0)
            card.remove()
            service.wait_for({ReaderState.READY}, 5)
    print(f"insertion-to-event (debounce {debounce_ms:3d} ms): median "
          f"{statistics.median(samples) * 1000:6.1f} ms, max {max(samples) * 1000:6.1f} ms")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, Pcscd(Path(tmp)):
        for size in (6000, 16000):
            bench_photo(size)
        bench_insertion(300)
        bench_insertion(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
