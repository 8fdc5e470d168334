"""The vpcd side of a virtual card: TCP client, ATR, T=0 procedure, transfer timing.

Protocol (vsmartcard vpcd): every message is a 2-byte big-endian length plus payload; a 1-byte
message is a control byte (0 power off, 1 power on, 2 reset, 4 = "send your ATR"); longer ones
are APDUs, answered with a length-prefixed response ending in SW1 SW2. Connecting inserts the
card, closing removes it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)
SW_OK = b"\x90\x00"
#: ``LOKET_VCARD_TIMING=fast`` switches the transfer-time model off (fast tests).
TIMING_ENV = "LOKET_VCARD_TIMING"


def contactless_atr(historical: bytes) -> bytes:
    """A PC/SC contactless ATR (``3B 8n 80 01`` + historical bytes + TCK), well formed."""
    if not 1 <= len(historical) <= 15:
        raise ValueError("1 to 15 historical bytes")
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = reduce(lambda a, b: a ^ b, body, 0)
    return b"\x3b" + body + bytes([tck])


@dataclass(frozen=True)
class Timing:
    """How long the card takes per APDU: fixed part, per byte moved, and crypto commands."""

    per_apdu_s: float = 0.0
    per_byte_s: float = 0.0
    crypto_s: float = 0.0

    def seconds(self, apdu: bytes, answer: bytes, *, crypto: bool = False) -> float:
        """The card's own time for one exchange."""
        moved = len(apdu) + len(answer)
        return self.per_apdu_s + self.per_byte_s * moved + (self.crypto_s if crypto else 0.0)


#: ISO 14443 at 106 kbit/s with frame overhead: a 6 KB photo takes about 1 s.
CARD_TIMING = Timing(per_apdu_s=0.012, per_byte_s=0.00011)
#: A T=0 SAM at about 10 kbit/s with 3DES/ECDSA work per F1–F4: a full read takes seconds.
SAM_TIMING = Timing(per_apdu_s=0.02, per_byte_s=0.001, crypto_s=0.03)
FAST = Timing()


def default_timing(realistic: Timing) -> Timing:
    """``realistic`` unless ``LOKET_VCARD_TIMING=fast``."""
    return FAST if os.environ.get(TIMING_ENV, "real") == "fast" else realistic


class VirtualIcc:
    """A card on a vpcd port. ``insert()`` connects, ``remove()`` disconnects.

    ``keep_inserted``: when pcscd goes away, keep reconnecting (the card stays on the reader).
    ``delay_s``: answer every APDU that much later (a slow card), on top of ``timing``.
    ``remove_when``: a predicate on the APDU; when true the card leaves without answering.
    ``t0``: answer like a T=0 card (``61xx`` + GET RESPONSE, ``6Cxx`` for a wrong Le).
    """

    t0 = False
    crypto_ins: frozenset[int] = frozenset()

    def __init__(
        self, port: int, atr: bytes, *, host: str = "127.0.0.1", timing: Timing = FAST
    ) -> None:
        self.port, self.atr, self.host = port, atr, host
        self.timing = timing
        self.delay_s = 0.0
        self.keep_inserted = True
        self.remove_when: Callable[[bytes], bool] | None = None
        self.apdus: list[bytes] = []
        self.power_ons = 0
        self.resets = 0
        #: The card's own time spent on the exchanges so far (the timing model's sum).
        self.card_time_s = 0.0
        self.removed_at: float | None = None
        self.connected = threading.Event()
        self._pending = b""
        self._pending_sw = SW_OK
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    # --- life cycle -----------------------------------------------------------------------

    def insert(self, timeout: float = 10.0) -> None:
        """Put the card on the reader (connect to vpcd); returns once connected."""
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("card already inserted")
        self._stop.clear()
        self.connected.clear()
        self.removed_at = None
        self._thread = threading.Thread(target=self._run, name=f"vicc-{self.port}", daemon=True)
        self._thread.start()
        if not self.connected.wait(timeout):
            self.remove()
            raise TimeoutError(f"vpcd port {self.port} did not accept the card")

    def remove(self) -> None:
        """Take the card off the reader."""
        self._stop.set()
        self._close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    @property
    def inserted(self) -> bool:
        """Whether the card thread is alive."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def _close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            self.removed_at = time.monotonic()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _connect(self) -> socket.socket | None:
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1)
            except OSError:
                self._stop.wait(0.05)  # vpcd not listening yet (pcscd starting)
                continue
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            sock = self._connect()
            if sock is None:
                return
            with self._lock:
                self._sock = sock
            self._power_on()
            self.connected.set()
            self._serve(sock)
            self._close()
            if not self.keep_inserted:
                self._stop.set()

    def _recv(self, sock: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            # vpcd sends length and payload in two writes: acknowledge at once, or Nagle on its
            # side waits for our delayed ACK (~40 ms per APDU).
            if _QUICKACK is not None:
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _power_on(self) -> None:
        self.power_ons += 1
        self._pending, self._pending_sw = b"", SW_OK
        self.on_power_on()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                (size,) = struct.unpack(">H", self._recv(sock, 2))
                message = self._recv(sock, size)
                if size == 1:
                    if message[0] == 4:
                        sock.sendall(struct.pack(">H", len(self.atr)) + self.atr)
                    elif message[0] == 2:
                        self.resets += 1
                        self.on_reset()
                        self._power_on()
                    elif message[0] == 1:
                        self._power_on()
                    continue
                self.apdus.append(message)
                if self.remove_when is not None and self.remove_when(message):
                    self.remove_when = None
                    self._stop.set()
                    return
                answer = self._t0(message) if self.t0 else self.handle(message)
                crypto = len(message) > 1 and message[1] in self.crypto_ins
                own = self.timing.seconds(message, answer, crypto=crypto)
                self.card_time_s += own
                pause = self.delay_s + own
                if pause:
                    time.sleep(pause)  # the card's own transfer and processing time
                sock.sendall(struct.pack(">H", len(answer)) + answer)
        except (EOFError, OSError):
            return

    def _t0(self, apdu: bytes) -> bytes:
        """The T=0 procedure around :meth:`handle` (ISO 7816-3 §10.3, 7816-4 §5.3.4)."""
        if apdu[:2] == b"\x00\xc0":
            if not self._pending:
                return b"\x69\x85"
            le = apdu[4] if len(apdu) >= 5 and apdu[4] else 256
            if le > len(self._pending):
                return bytes([0x6C, len(self._pending) & 0xFF])
            out, self._pending = self._pending[:le], self._pending[le:]
            if self._pending:
                return out + bytes([0x61, min(len(self._pending), 256) & 0xFF])
            return out + self._pending_sw
        self._pending = b""
        answer = self.handle(apdu)
        data, sw = answer[:-2], answer[-2:]
        if not data:
            return sw
        if len(apdu) == 5:  # case 2: Le must match what the card has
            le = apdu[4] or 256
            if le != len(data):
                return bytes([0x6C, len(data) & 0xFF])
            return answer
        # Case 3/4 (or 1): the data waits for GET RESPONSE.
        self._pending, self._pending_sw = data, sw
        return bytes([0x61, min(len(data), 256) & 0xFF])

    # --- card behaviour -------------------------------------------------------------------

    def on_power_on(self) -> None:
        """Reset volatile state (power-on / reset)."""

    def on_reset(self) -> None:
        """A warm reset (vpcd control byte 2) before the power-on state is restored."""

    def handle(self, apdu: bytes) -> bytes:
        """Answer one APDU (data + SW)."""
        if apdu[:2] == b"\xff\xca":
            return bytes.fromhex("08AABBCC") + SW_OK
        return b"\x6a\x82"
