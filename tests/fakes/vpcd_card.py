"""A virtual KTP-el card and a virtual SAM: TCP clients of the vpcd driver's ports.

They behave like the real ones as far as is public: well-formed ATRs, a T=0 SAM (``61xx`` +
GET RESPONSE, ``6Cxx``), ``62 82`` past the end of a file, 6FF0 with its 2-byte length prefix
(51 bytes of card control), 6FF4–6FF6 present, and the transfer time of a real card (photo
about 1 s, a full read through the SAM several seconds; ``LOKET_VCARD_TIMING=fast`` or
``timing=FAST`` for fast tests). The APDU flow is the one the public integrations share (see
docs/reader.md); ``legacy=True`` on the SAM (and ``expect_uid=False`` on the card) accepts the
project's earlier flow.

The SAM's "crypto" is invented (HMAC-SHA256 and a hash keystream): it only exercises the APDU
flow of ApduSamSession, it is not the real KTP-el secure messaging.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from app.reader.config import SamKeys
from app.reader.synthetic import (
    synthetic_demographic,
    synthetic_jpeg,
    synthetic_signature,
)
from tests.fakes.vpcd_transport import (
    CARD_TIMING,
    FAST,
    SAM_TIMING,
    SW_OK,
    Timing,
    VirtualIcc,
    contactless_atr,
    default_timing,
)

__all__ = ["FAST", "SW_OK", "OtherCard", "Timing", "VirtualIcc", "VirtualKtpel", "VirtualSam"]

CARD_PORT = 35963
SAM_PORT = 35964
#: Synthetic, with the KTP-el-like prefix ``3B 8A 80 01``: ten historical bytes and TCK.
KTPEL_ATR = contactless_atr(bytes.fromhex("50A0A0A0A0A0A0A0A0A0"))
SAM_ATR = bytes.fromhex("3B6800000073C84013009000")  # T=0 (no TD1), 8 historical bytes
OTHER_ATR = contactless_atr(b"ZKTPELOTHR")
MASTER_KEY = b"synthetic master key, tests only"
TEST_KEYS = SamKeys(pcid=bytes(range(16)), conf=bytes(range(100, 132)))
#: 51 bytes of card control (the longer of the two lengths seen; 29 is the other).
DEFAULT_CONTROL = bytes(range(0x10, 0x10 + 51))
CONTROL_KEY_BYTES = 14


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
    """The card's diversified key (from the first 14 card-control bytes)."""
    return _mac(MASTER_KEY, b"CARD-KEY", control[:CONTROL_KEY_BYTES])


def _prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(2, "big") + data


def synthetic_minutiae(finger: int) -> bytes:
    """An invented fingerprint template (not a real minutiae format)."""
    return bytes((finger * 31 + i * 7) & 0xFF for i in range(400))


class VirtualKtpel(VirtualIcc):
    """A synthetic KTP-el: DF 7F0A with control, demographic, photo and signature files."""

    def __init__(
        self,
        port: int = CARD_PORT,
        *,
        demographic: bytes | None = None,
        photo: bytes | None = None,
        photo_file: bytes | None = None,
        uid: bytes = bytes.fromhex("04A1B2C3D4E5F6"),
        uid_type_b: bytes | None = None,
        control: bytes = DEFAULT_CONTROL,
        timing: Timing | None = None,
    ) -> None:
        super().__init__(port, KTPEL_ATR, timing=timing or default_timing(CARD_TIMING))
        self.uid = uid
        self.uid_type_b = uid_type_b
        #: The SAM sends the card UID with the challenge (public flow); False: legacy flow.
        self.expect_uid = True
        self.photo = photo if photo is not None else synthetic_jpeg(pad_to=6000)
        demo = demographic if demographic is not None else synthetic_demographic()
        self.files = {
            0x6FF0: _prefixed(control),
            0x6FF1: _prefixed(demo),
            0x6FF2: photo_file if photo_file is not None else _prefixed(self.photo),
            0x6FF3: synthetic_signature(),
            0x6FF4: _prefixed(synthetic_minutiae(1)),
            0x6FF5: _prefixed(synthetic_minutiae(2)),
            0x6FF6: bytes(range(80)),
        }
        self.protected = {0x6FF1, 0x6FF3, 0x6FF4, 0x6FF5, 0x6FF6}
        self._key = card_key(control)
        self.on_power_on()

    @property
    def auth_uid(self) -> bytes:
        """The 8-byte UID the SAM binds the authentication to."""
        if self.uid_type_b:
            return self.uid_type_b[:8].ljust(8, b"\x00")
        return (b"\x80" + self.uid)[:8].ljust(8, b"\x00")

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
        if (cla, ins) == (0x00, 0xDD):
            return self.uid_type_b + SW_OK if self.uid_type_b else b"\x6d\x00"
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
            if offset + length > len(data):  # end of file reached before Le bytes
                return data[offset:] + b"\x62\x82"
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
        bound = self.auth_uid if self.expect_uid else b""
        if not hmac.compare_digest(mac, _mac(self._key, b"HOST", self.challenge, rnd_sam, bound)):
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
    """A synthetic SAM (T=0): opened with PCID⊕CONF, 3 tries, then blocked.

    ``legacy``: accept the project's earlier flow (16-byte card control without UID, the card's
    SW passed to F4). ``glitch()``: the SAM answers ``6F 00`` to everything until it is reset
    (a warm reset; pcscd's own power cycling between connections does not clear it).
    """

    t0 = True
    crypto_ins = frozenset({0xF1, 0xF2, 0xF3, 0xF4})

    def __init__(
        self, port: int = SAM_PORT, *, keys: SamKeys = TEST_KEYS, timing: Timing | None = None
    ) -> None:
        super().__init__(port, SAM_ATR, timing=timing or default_timing(SAM_TIMING))
        self.uid = bytes.fromhex("5A4D0001")
        self.expected = keys.open_block()
        self.tries = 3
        self.open_attempts = 0
        self.legacy = False
        self.stuck = False
        self.on_power_on()

    def glitch(self) -> None:
        """From now on answer ``6F 00`` until the next warm reset."""
        self.stuck = True

    def on_reset(self) -> None:
        self.stuck = False

    def on_power_on(self) -> None:
        self.opened = False
        self.key: bytes | None = None
        self.pending: tuple[bytes, bytes, bytes, bytes] | None = None
        self.session: bytes | None = None
        self.counter = 0

    def handle(self, apdu: bytes) -> bytes:
        if self.stuck:
            return b"\x6f\x00"
        cla, ins, _p1, p2 = apdu[:4]
        body = apdu[5 : 5 + apdu[4]] if len(apdu) > 5 else b""
        if (cla, ins) == (0x68, 0x92):
            return SW_OK  # CRT-603 SAM slot select
        if ins == 0xF7:
            return self.uid + SW_OK
        if ins == 0xF0:
            return self._open(body)
        if not self.opened:
            return b"\x69\x85"
        if ins == 0xFF:
            self.pending, self.session, self.counter = None, None, 0
            return SW_OK
        if ins == 0xF1:
            return self._host_auth(body, p2)
        if ins == 0xF2 and self.pending is not None and self.key is not None:
            _control, challenge, rnd, _uid = self.pending
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
        if ins == 0xF4 and self.session is not None:
            return self._unwrap(body)
        return b"\x6d\x00"

    def _host_auth(self, body: bytes, p2: int) -> bytes:
        if self.legacy:
            if len(body) != 24:
                return b"\x67\x00"
            control, uid, challenge = body[2:16], b"", body[16:]
        else:
            control, uid, challenge = body[:-16], body[-16:-8], body[-8:]
            if len(control) not in (51, 29):
                return b"\x67\x00"
            if p2 != (1 if len(control) == 51 else 0):
                return b"\x6a\x86"
        self.key = card_key(control)
        rnd = os.urandom(8)
        self.pending = (control, challenge, rnd, uid)
        return rnd + _mac(self.key, b"HOST", challenge, rnd, uid) + SW_OK

    def _unwrap(self, body: bytes) -> bytes:
        if self.legacy:
            if body[-2:] != SW_OK:
                return b"\x69\x88"
            body = body[:-2]
        if self.session is None or len(body) < 8:
            return b"\x69\x88"
        enc_r, mac_r = body[:-8], body[-8:]
        expected = _mac(self.session, b"MACR", self.counter.to_bytes(4, "big"), enc_r)[:8]
        if not hmac.compare_digest(mac_r, expected):
            return b"\x69\x88"
        return _xor(enc_r, _keystream(self.session, b"R", self.counter, len(enc_r))) + SW_OK

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

    def __init__(self, port: int = CARD_PORT, *, timing: Timing | None = None) -> None:
        super().__init__(port, OTHER_ATR, timing=timing or default_timing(CARD_TIMING))
