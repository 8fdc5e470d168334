"""A virtual KTP-el card and a virtual SAM: TCP clients of the vpcd driver's ports.

Protocol (vsmartcard vpcd): every message is a 2-byte big-endian length plus payload; a 1-byte
message is a control byte (4 = "send your ATR", 0/1/2 need no answer); longer ones are APDUs,
answered with a length-prefixed response ending in SW1 SW2. Connecting inserts the card,
closing removes it.

The SAM's "crypto" is invented (HMAC-SHA256 and a hash keystream): it only exercises the APDU
flow of ApduSamSession, it is not the real KTP-el secure messaging.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import socket
import struct
import threading
import time
from collections.abc import Callable

from app.reader.config import SamKeys
from app.reader.synthetic import (
    synthetic_demographic,
    synthetic_jpeg,
    synthetic_signature,
)

CARD_PORT = 35963
SAM_PORT = 35964
KTPEL_ATR = bytes.fromhex("3B8A800150A0A0A0A0A0A0A0A0")  # synthetic, KTP-el-like prefix
SAM_ATR = bytes.fromhex("3B6800000073C84013009000")
OTHER_ATR = bytes.fromhex("3B8B80015A4B5450454C4F5448")
MASTER_KEY = b"synthetic master key, tests only"
TEST_KEYS = SamKeys(pcid=bytes(range(16)), conf=bytes(range(100, 132)))
SW_OK = b"\x90\x00"
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


def _mac(key: bytes, *parts: bytes) -> bytes:
    return hmac.new(key, b"".join(parts), hashlib.sha256).digest()


def _keystream(key: bytes, label: bytes, counter: int, size: int) -> bytes:
    out = b""
    block = 0
    while len(out) < size:
        out += hashlib.sha256(key + label + counter.to_bytes(4, "big") + bytes([block])).digest()
        block += 1
    return out[:size]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def card_key(control: bytes) -> bytes:
    """The card's diversified key (known to the fake card and derived by the fake SAM)."""
    return _mac(MASTER_KEY, b"CARD-KEY", control)


class VirtualIcc:
    """A card on a vpcd port. ``insert()`` connects, ``remove()`` disconnects.

    ``keep_inserted``: when pcscd goes away, keep reconnecting (the card stays on the reader).
    ``delay_s``: answer every APDU that much later (a slow card).
    ``remove_when``: a predicate on the APDU; when true the card leaves without answering.
    """

    def __init__(self, port: int, atr: bytes, *, host: str = "127.0.0.1") -> None:
        self.port, self.atr, self.host = port, atr, host
        self.delay_s = 0.0
        self.keep_inserted = True
        self.remove_when: Callable[[bytes], bool] | None = None
        self.apdus: list[bytes] = []
        self.removed_at: float | None = None
        self.connected = threading.Event()
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
            self.on_power_on()
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

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                (size,) = struct.unpack(">H", self._recv(sock, 2))
                message = self._recv(sock, size)
                if size == 1:
                    if message[0] == 4:
                        sock.sendall(struct.pack(">H", len(self.atr)) + self.atr)
                    elif message[0] in (1, 2):
                        self.on_power_on()
                    continue
                self.apdus.append(message)
                if self.remove_when is not None and self.remove_when(message):
                    self.remove_when = None
                    self._stop.set()
                    return
                if self.delay_s:
                    time.sleep(self.delay_s)  # the card itself is slow
                answer = self.handle(message)
                sock.sendall(struct.pack(">H", len(answer)) + answer)
        except (EOFError, OSError):
            return

    # --- card behaviour -------------------------------------------------------------------

    def on_power_on(self) -> None:
        """Reset volatile state (power-on / reset)."""

    def handle(self, apdu: bytes) -> bytes:
        """Answer one APDU (data + SW)."""
        if apdu[:2] == b"\xff\xca":
            return bytes.fromhex("08AABBCC") + SW_OK
        return b"\x6a\x82"


class VirtualKtpel(VirtualIcc):
    """A synthetic KTP-el: DF 7F0A with control, demographic, photo and signature files."""

    def __init__(
        self,
        port: int = CARD_PORT,
        *,
        demographic: bytes | None = None,
        photo: bytes | None = None,
        uid: bytes = bytes.fromhex("04A1B2C3D4E5F6"),
        control: bytes = bytes.fromhex("00112233445566778899AABBCCDDEEFF"),
    ) -> None:
        super().__init__(port, KTPEL_ATR)
        self.uid = uid
        self.photo = photo if photo is not None else synthetic_jpeg(pad_to=6000)
        demo = demographic if demographic is not None else synthetic_demographic()
        self.files = {
            0x6FF0: control,
            0x6FF1: len(demo).to_bytes(2, "big") + demo,
            0x6FF2: len(self.photo).to_bytes(2, "big") + self.photo,
            0x6FF3: synthetic_signature(),
        }
        self.protected = {0x6FF1, 0x6FF3, 0x6FF4, 0x6FF5, 0x6FF6}
        self._key = card_key(control)
        self.on_power_on()

    def on_power_on(self) -> None:
        self.df = False
        self.ef: int | None = None
        self.challenge: bytes | None = None
        self.session: bytes | None = None
        self.counter = 0

    def handle(self, apdu: bytes, *, secure: bool = False) -> bytes:
        cla, ins, p1, p2 = apdu[:4]
        body = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if (cla, ins) == (0xFF, 0xCA):
            return self.uid + SW_OK
        if cla == 0x0C and ins == 0xE0:
            return self._secure(body)
        if ins == 0xA4:
            fid = int.from_bytes(body, "big") if len(body) == 2 else -1
            if fid == 0x7F0A:
                self.df, self.ef = True, None
                return SW_OK
            if self.df and fid in self.files:
                self.ef = fid
                return SW_OK
            return b"\x6a\x82"
        if ins == 0xB0:
            if self.ef is None:
                return b"\x69\x86"
            if self.ef in self.protected and not secure:
                return b"\x69\x82"
            data = self.files[self.ef]
            offset, length = (p1 << 8) | p2, apdu[4] or 256
            if offset >= len(data):
                return b"\x6b\x00"
            return data[offset : offset + length] + SW_OK
        if ins == 0x84:
            self.challenge = os.urandom(8)
            return self.challenge + SW_OK
        if ins == 0x82:
            return self._external_authenticate(body)
        return b"\x6d\x00"

    def _external_authenticate(self, body: bytes) -> bytes:
        if self.challenge is None or len(body) != 0x28:
            return b"\x69\x85"
        rnd_sam, mac = body[:8], body[8:]
        if not hmac.compare_digest(mac, _mac(self._key, b"HOST", self.challenge, rnd_sam)):
            return b"\x63\x00"
        cryptogram = _mac(self._key, b"CARD", rnd_sam, self.challenge)[:16]
        self.session = _mac(self._key, b"SESS", self.challenge, rnd_sam)[:16]
        self.counter = 0
        return cryptogram + SW_OK

    def _secure(self, body: bytes) -> bytes:
        if self.session is None or len(body) < 9:
            return b"\x69\x88"
        self.counter += 1
        enc, mac = body[:-8], body[-8:]
        if not hmac.compare_digest(
            mac, _mac(self.session, b"MACC", self.counter.to_bytes(4, "big"), enc)[:8]
        ):
            self.session = None
            return b"\x69\x88"
        inner = _xor(enc, _keystream(self.session, b"C", self.counter, len(enc)))
        answer = self.handle(inner, secure=True)
        enc_r = _xor(answer, _keystream(self.session, b"R", self.counter, len(answer)))
        mac_r = _mac(self.session, b"MACR", self.counter.to_bytes(4, "big"), enc_r)[:8]
        return enc_r + mac_r + SW_OK


class VirtualSam(VirtualIcc):
    """A synthetic SAM: opened with PCID⊕CONF, 3 tries, then blocked."""

    def __init__(self, port: int = SAM_PORT, *, keys: SamKeys = TEST_KEYS) -> None:
        super().__init__(port, SAM_ATR)
        self.uid = bytes.fromhex("5A4D0001")
        self.expected = keys.open_block()
        self.tries = 3
        self.open_attempts = 0
        self.on_power_on()

    def on_power_on(self) -> None:
        self.opened = False
        self.key: bytes | None = None
        self.pending: tuple[bytes, bytes, bytes] | None = None
        self.session: bytes | None = None
        self.counter = 0

    def handle(self, apdu: bytes) -> bytes:
        ins = apdu[1]
        body = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if ins == 0xF7:
            return self.uid + SW_OK
        if ins == 0xF0:
            return self._open(body)
        if not self.opened:
            return b"\x69\x85"
        if ins == 0xF1 and len(body) == 24:
            control, challenge = body[:16], body[16:]
            self.key = card_key(control)
            rnd = os.urandom(8)
            self.pending = (control, challenge, rnd)
            return rnd + _mac(self.key, b"HOST", challenge, rnd) + SW_OK
        if ins == 0xF2 and self.pending is not None and self.key is not None:
            _control, challenge, rnd = self.pending
            if not hmac.compare_digest(body, _mac(self.key, b"CARD", rnd, challenge)[:16]):
                return b"\x63\x00"
            self.session = _mac(self.key, b"SESS", challenge, rnd)[:16]
            self.counter = 0
            return SW_OK
        if ins == 0xF3 and self.session is not None:
            self.counter += 1
            enc = _xor(body, _keystream(self.session, b"C", self.counter, len(body)))
            mac = _mac(self.session, b"MACC", self.counter.to_bytes(4, "big"), enc)[:8]
            wrapped = enc + mac
            return bytes([0x0C, 0xE0, 0, 0, len(wrapped)]) + wrapped + SW_OK
        if ins == 0xF4 and self.session is not None and len(body) >= 10:
            if body[-2:] != SW_OK:
                return b"\x69\x88"
            enc_r, mac_r = body[:-10], body[-10:-2]
            expected = _mac(self.session, b"MACR", self.counter.to_bytes(4, "big"), enc_r)[:8]
            if not hmac.compare_digest(mac_r, expected):
                return b"\x69\x88"
            return _xor(enc_r, _keystream(self.session, b"R", self.counter, len(enc_r))) + SW_OK
        return b"\x6d\x00"

    def _open(self, body: bytes) -> bytes:
        self.open_attempts += 1
        if self.tries == 0:
            return b"\x69\x83"
        if hmac.compare_digest(body, self.expected):
            self.tries = 3
            self.opened = True
            return SW_OK
        self.tries -= 1
        return b"\x69\x83" if self.tries == 0 else bytes([0x63, 0xC0 | self.tries])


class OtherCard(VirtualIcc):
    """A contactless card that is not a KTP-el (SELECT 7F0A fails)."""

    def __init__(self, port: int = CARD_PORT) -> None:
        super().__init__(port, OTHER_ATR)
