"""PC/SC plumbing: contexts, one card handle per read, APDU builders, error mapping."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from app.reader import pcsc_errors
from app.reader.errors import CardRemoved, ReaderError, ServiceUnavailable
from app.reader.pcsc_errors import Category, error_for, hr32


def _scard() -> Any:
    """pyscard's ``scard``, imported at its first use: the demo's simulated reader and the
    start of the window need none of it (start time and memory)."""
    from smartcard import scard as module

    return module


def __getattr__(name: str) -> Any:
    """``apdu.scard`` (tests patch its functions) is the module itself, imported on demand."""
    if name == "scard":
        return _scard()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


log = logging.getLogger(__name__)

SCARD_E_CANCELLED = 0x80100002
SCARD_E_TIMEOUT = 0x8010000A
SCARD_E_NO_SMARTCARD = 0x8010000C
SCARD_F_COMM_ERROR = 0x80100013
SCARD_E_NOT_TRANSACTED = 0x80100016
SCARD_E_NO_SERVICE = 0x8010001D
SCARD_E_SERVICE_STOPPED = 0x8010001E
SCARD_E_NO_READERS_AVAILABLE = 0x8010002E
SCARD_W_RESET_CARD = 0x80100068
SCARD_W_REMOVED_CARD = 0x80100069
SCARD_E_UNKNOWN_READER = 0x80100009
SCARD_E_READER_UNAVAILABLE = 0x80100017
SCARD_E_INVALID_HANDLE = 0x80100003
SCARD_W_UNRESPONSIVE_CARD = 0x80100066
SCARD_W_UNPOWERED_CARD = 0x80100067

#: The service is gone: re-establish the context with back-off.
SERVICE_DOWN = frozenset(
    c.code for c in pcsc_errors.CODES.values() if c.category is Category.SERVICE_DOWN
)
#: The card is gone: abort the read.
CARD_GONE = frozenset(
    c.code for c in pcsc_errors.CODES.values() if c.category is Category.CARD_GONE
)

#: GET RESPONSE rounds at most (T=0 ``61xx`` chains); a SAM answer fits in one or two.
MAX_GET_RESPONSE = 64

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"


def hr_text(hresult: int) -> str:
    """``0x80100069`` — a diagnostic for logs."""
    return f"0x{hr32(hresult):08X}"


def establish_context() -> int:
    """A new PC/SC context, or :class:`ServiceUnavailable`."""
    hresult, context = _scard().SCardEstablishContext(_scard().SCARD_SCOPE_USER)
    if hr32(hresult) != 0:
        raise ServiceUnavailable(f"SCardEstablishContext {hr_text(hresult)}")
    return int(context)


def release_context(context: int) -> None:
    """Release ``context``; errors (a dead service) are ignored."""
    _scard().SCardReleaseContext(context)


def list_readers(context: int) -> list[str]:
    """The reader names; an empty list when none is connected."""
    hresult, readers = _scard().SCardListReaders(context, [])
    code = hr32(hresult)
    if code == SCARD_E_NO_READERS_AVAILABLE:
        return []
    if code in SERVICE_DOWN:
        raise ServiceUnavailable(f"SCardListReaders {pcsc_errors.describe(code)}")
    if code != 0:
        raise ReaderError(f"SCardListReaders {pcsc_errors.describe(code)}")
    return list(readers)


@dataclass(frozen=True)
class Response:
    """An APDU answer split into data and status word."""

    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        """Status word 90 00."""
        return self.sw == 0x9000

    @property
    def end_of_file(self) -> bool:
        """``62 82``: end of file reached before Le bytes (the data returned is valid)."""
        return self.sw == 0x6282

    @property
    def sw_text(self) -> str:
        """``6A82`` — for diagnostics."""
        return f"{self.sw:04X}"

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        """Split a raw answer (at least two bytes)."""
        if len(raw) < 2:
            raise CardRemoved("answer shorter than 2 bytes")
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])


# --- APDU builders ------------------------------------------------------------------------------


def select_file(fid: int) -> bytes:
    """SELECT by file id (``00 A4 00 00 02 <fid>``)."""
    return bytes([0x00, 0xA4, 0x00, 0x00, 0x02, fid >> 8, fid & 0xFF])


def read_binary(offset: int, length: int) -> bytes:
    """READ BINARY ``00 B0 <off_hi> <off_lo> <len>`` (length 1..256; 256 is sent as 00)."""
    if not 0 <= offset <= 0x7FFF or not 1 <= length <= 256:
        raise ValueError("offset or length out of range")
    return bytes([0x00, 0xB0, offset >> 8, offset & 0xFF, length & 0xFF])


GET_UID = bytes([0xFF, 0xCA, 0x00, 0x00, 0x00])


def get_response(length: int) -> bytes:
    """GET RESPONSE ``00 C0 00 00 <len>`` (T=0: fetch the data a ``61xx`` announced)."""
    return bytes([0x00, 0xC0, 0x00, 0x00, length & 0xFF])


def with_le(apdu: bytes, le: int) -> bytes:
    """``apdu`` with its Le set to ``le`` (T=0 ``6Cxx``: repeat with the exact length)."""
    if len(apdu) <= 4:
        return bytes(apdu[:4]).ljust(4, b"\x00") + bytes([le & 0xFF])
    if len(apdu) == 5:  # case 2: the fifth byte is Le
        return bytes(apdu[:4]) + bytes([le & 0xFF])
    lc = apdu[4]
    return bytes(apdu[: 5 + lc]) + bytes([le & 0xFF])


def get_challenge(length: int = 8) -> bytes:
    """GET CHALLENGE ``00 84 00 00 <len>``."""
    return bytes([0x00, 0x84, 0x00, 0x00, length])


def command(
    cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None
) -> bytes:
    """A short APDU (case 1–4)."""
    out = bytes([cla, ins, p1, p2])
    if data:
        if len(data) > 255:
            raise ValueError("data too long for a short APDU")
        out += bytes([len(data)]) + data
    if le is not None:
        out += bytes([le & 0xFF])
    return out


# --- one card handle per read -------------------------------------------------------------------


class CardChannel:
    """Its own context and card handle on one reader; never shared across threads.

    ``abort`` (set by the monitor when the card leaves) makes the next transmit fail with
    :class:`CardRemoved` before touching the card.
    """

    def __init__(self, reader: str, *, abort: threading.Event | None = None) -> None:
        self.reader = reader
        self.abort = abort or threading.Event()
        self.atr = b""
        self._context: int | None = None
        self._card: int | None = None
        self._protocol = 0

    def open(self) -> CardChannel:
        """Connect (one retry, as a card that just arrived may not answer yet)."""
        self._context = establish_context()
        last = 0
        for attempt in range(2):
            hresult, card, protocol = _scard().SCardConnect(
                self._context,
                self.reader,
                _scard().SCARD_SHARE_SHARED,
                _scard().SCARD_PROTOCOL_T0 | _scard().SCARD_PROTOCOL_T1,
            )
            last = hr32(hresult)
            if last == 0:
                self._card, self._protocol = card, protocol
                break
            if last in SERVICE_DOWN:
                self.close()
                raise error_for("SCardConnect", last)
            log.info("connect to %s failed (%s), attempt %d", self.reader, hr_text(last), attempt)
            if self.abort.wait(0.15):
                break
        if self._card is None:
            self.close()
            raise error_for("SCardConnect", last)
        self.atr = self._status_atr()
        return self

    def reconnect(self, *, reset: bool = False) -> None:
        """``SCardReconnect`` the handle (after ``SCARD_W_RESET_CARD``, or to reset a SAM).

        ``reset`` asks the reader to reset the card (a warm reset of the SAM).
        """
        if self._card is None:
            raise CardRemoved("no card handle")
        disposition = _scard().SCARD_RESET_CARD if reset else _scard().SCARD_LEAVE_CARD
        hresult, protocol = _scard().SCardReconnect(
            self._card,
            _scard().SCARD_SHARE_SHARED,
            _scard().SCARD_PROTOCOL_T0 | _scard().SCARD_PROTOCOL_T1,
            disposition,
        )
        code = hr32(hresult)
        if code != 0:
            raise error_for("SCardReconnect", code)
        self._protocol = protocol
        self.atr = self._status_atr()

    def _status_atr(self) -> bytes:
        hresult, _reader, _state, _protocol, atr = _scard().SCardStatus(self._card)
        return bytes(atr) if hr32(hresult) == 0 else b""

    def _raw(self, apdu: bytes) -> Response:
        if self._card is None:
            raise CardRemoved("no card handle")
        if self.abort.is_set():
            raise CardRemoved("card removal seen by the monitor")
        hresult, answer = _scard().SCardTransmit(self._card, self._protocol, list(apdu))
        code = hr32(hresult)
        if code != 0:
            raise error_for("SCardTransmit", code)
        return Response.parse(bytes(answer))

    def transmit(self, apdu: bytes) -> Response:
        """Send one APDU and apply the T=0 transport rules; failures raise typed errors.

        ``6Cxx`` (wrong Le): the command is repeated once with Le = xx. ``61xx`` (more data):
        GET RESPONSE fetches it, chained until the final status word. Both appear with T=0
        cards and SAMs; a T=1/T=CL card never sends them, so the rules cost nothing there.
        """
        answer = self._raw(apdu)
        if answer.sw >> 8 == 0x6C:
            answer = self._raw(with_le(apdu, answer.sw & 0xFF))
        data = bytearray(answer.data)
        rounds = 0
        while answer.sw >> 8 == 0x61:
            rounds += 1
            if rounds > MAX_GET_RESPONSE:
                raise error_for("GET RESPONSE", 0x80100014)
            answer = self._raw(get_response(answer.sw & 0xFF))
            if answer.sw >> 8 == 0x6C:
                answer = self._raw(get_response(answer.sw & 0xFF))
            data += answer.data
        if rounds:
            return Response(bytes(data), answer.sw)
        return answer

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the card exclusively (``SCardBeginTransaction``) for the read."""
        if self._card is None:
            raise CardRemoved("no card handle")
        code = hr32(_scard().SCardBeginTransaction(self._card))
        if code == SCARD_W_RESET_CARD:
            # Reset by another program since we connected: reconnect once, then begin again.
            self.reconnect()
            code = hr32(_scard().SCardBeginTransaction(self._card))
        if code != 0:
            raise error_for("SCardBeginTransaction", code)
        try:
            yield
        finally:
            if self._card is not None:
                _scard().SCardEndTransaction(self._card, _scard().SCARD_LEAVE_CARD)

    def close(self) -> None:
        """Disconnect and release the context (safe to call twice, safe on a dead service)."""
        if self._card is not None:
            _scard().SCardDisconnect(self._card, _scard().SCARD_LEAVE_CARD)
            self._card = None
        if self._context is not None:
            release_context(self._context)
            self._context = None

    def __enter__(self) -> CardChannel:
        return self.open()

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
