"""The KTP-el session interface, and the part readable without the SAM (UID and photo)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from app.reader.apdu import GET_UID, CardChannel, Response, read_binary, select_file
from app.reader.card_data import CardData, PhotoRead
from app.reader.errors import CardRemoved, CardReset, CorruptCardFile, NotAKtpel, ReadFailed

log = logging.getLogger(__name__)

DF_KTPEL = 0x7F0A
EF_CONTROL = 0x6FF0
EF_DEMOGRAPHIC = 0x6FF1
EF_PHOTO = 0x6FF2
EF_SIGNATURE = 0x6FF3
EF_MINUTIAE_1 = 0x6FF4
EF_MINUTIAE_2 = 0x6FF5
EF_DIGITAL_SIGNATURE = 0x6FF6

#: READ BINARY with a short offset (P1 bit 8 clear) reaches 0x7FFF: no readable EF is larger.
MAX_EF_SIZE = 0x8000
#: ``6B 00``: offset outside the EF.
SW_WRONG_OFFSET = 0x6B00

ProgressFn = Callable[[int], None]
Transmit = Callable[[bytes], Response]


def _no_progress(_percent: int) -> None:
    """Progress sink that ignores everything."""


@dataclass(frozen=True)
class ReadRequest:
    """What a session needs for one read. ``abort`` is set when the card leaves the field."""

    card_reader: str
    sam_reader: str | None = None
    progress: ProgressFn = _no_progress
    abort: threading.Event = field(default_factory=threading.Event)
    chunk_size: int = 248
    with_photo: bool = True
    with_signature: bool = True


class KtpelSession(Protocol):
    """Reads a KTP-el completely (demographic data through the SAM)."""

    name: str
    experimental: bool

    def read(self, request: ReadRequest) -> CardData:
        """Read the card; raise a :class:`~app.reader.errors.ReaderError` subclass on failure."""
        ...


class ProgressSpan:
    """Maps 0..1 of one step onto ``start..end`` percent of the whole read."""

    def __init__(self, sink: ProgressFn, start: int, end: int) -> None:
        self._sink, self._start, self._end = sink, start, end
        self._last = -1

    def __call__(self, fraction: float) -> None:
        value = self._start + int((self._end - self._start) * max(0.0, min(1.0, fraction)))
        if value != self._last:
            self._last = value
            self._sink(value)


class FileReader:
    """Selects and reads the files under DF 7F0A over a transmit function (plain or wrapped)."""

    def __init__(
        self, transmit: Transmit, *, chunk_size: int = 248, abort: threading.Event | None = None
    ) -> None:
        self._transmit = transmit
        self._chunk = chunk_size
        self._abort = abort or threading.Event()

    def send(self, apdu: bytes) -> Response:
        """Transmit, first checking whether the card already left."""
        if self._abort.is_set():
            raise CardRemoved("card removal seen by the monitor")
        return self._transmit(apdu)

    def is_ktpel(self) -> bool:
        """The functional test: SELECT DF 7F0A answers 90 00."""
        return self.send(select_file(DF_KTPEL)).ok

    def select(self, fid: int) -> None:
        """SELECT an EF; anything but 90 00 is a failed read."""
        answer = self.send(select_file(fid))
        if not answer.ok:
            raise ReadFailed(f"SELECT {fid:04X} answered {answer.sw_text}")

    def _chunk_at(self, offset: int, want: int, size: int) -> bytes:
        """One READ BINARY of the selected EF; ``62 82`` (end of file) returns what there is."""
        answer = self.send(read_binary(offset, want))
        if answer.ok and answer.data:
            return answer.data[:want]
        if answer.end_of_file or answer.sw == SW_WRONG_OFFSET:
            if answer.data:
                return answer.data[:want]
            raise CorruptCardFile(
                f"EF ends at {offset} bytes, {size} expected (SW {answer.sw_text})"
            )
        raise ReadFailed(f"READ BINARY at {offset} answered {answer.sw_text}")

    def read_fixed(self, size: int, progress: ProgressSpan | None = None) -> bytearray:
        """Read ``size`` bytes of the selected EF in chunks."""
        out = bytearray()
        while len(out) < size:
            want = min(self._chunk, size - len(out))
            out += self._chunk_at(len(out), want, size)
            if progress:
                progress(len(out) / size)
        return out

    def read_length_prefixed(self, progress: ProgressSpan | None = None) -> bytearray:
        """Read an EF whose first 2 bytes give the big-endian length of what follows.

        A file shorter than the first chunk answers ``62 82`` with all its bytes; a header
        announcing more than an EF can hold (``FFFF``) or a file that ends early raises
        :class:`CorruptCardFile`.
        """
        first = self.send(read_binary(0, self._chunk))
        if not (first.ok or first.end_of_file) or len(first.data) < 2:
            raise ReadFailed(f"READ BINARY header answered {first.sw_text}")
        length = (first.data[0] << 8) | first.data[1]
        total = 2 + length
        if total > MAX_EF_SIZE:
            raise CorruptCardFile(f"length header {length:04X} exceeds the largest EF")
        raw = bytearray(first.data[:total])
        if first.end_of_file and len(raw) < total:
            raise CorruptCardFile(f"EF ends at {len(raw)} bytes, {total} announced")
        while len(raw) < total:
            want = min(self._chunk, total - len(raw))
            raw += self._chunk_at(len(raw), want, total)
            if progress:
                progress(len(raw) / total)
        if progress:
            progress(1.0)
        body = bytearray(raw[2:])
        raw[:] = b"\x00" * len(raw)
        return body


class PhotoReader:
    """UID and photo of a KTP-el over an open :class:`CardChannel` (no SAM needed)."""

    def __init__(self, channel: CardChannel, *, chunk_size: int = 248) -> None:
        self.channel = channel
        self.files = FileReader(channel.transmit, chunk_size=chunk_size, abort=channel.abort)

    def check_ktpel(self) -> None:
        """Raise :class:`NotAKtpel` unless SELECT 7F0A answers 90 00."""
        if not self.files.is_ktpel():
            log.info("card with ATR %s is not a KTP-el", self.channel.atr.hex().upper())
            raise NotAKtpel("SELECT 7F0A refused")

    def uid(self) -> bytes:
        """The card UID (pseudo-APDU FF CA); empty when the reader does not answer it."""
        answer = self.files.send(GET_UID)
        return answer.data if answer.ok else b""

    def photo(self, progress: ProgressSpan | None = None) -> bytearray:
        """The JPEG photo from EF 6FF2."""
        self.files.select(EF_PHOTO)
        return self.files.read_length_prefixed(progress)


def read_uid_and_photo(request: ReadRequest) -> PhotoRead:
    """One complete SAM-less read; after a card reset (another program) it is retried once."""
    try:
        return _read_uid_and_photo(request)
    except CardReset as exc:
        if request.abort.is_set():
            raise
        log.warning("card reset during the read (%s); reconnecting and reading again", exc)
        return _read_uid_and_photo(request)


def _read_uid_and_photo(request: ReadRequest) -> PhotoRead:
    """Own context and handle, inside a transaction."""
    with CardChannel(request.card_reader, abort=request.abort) as channel, channel.transaction():
        reader = PhotoReader(channel, chunk_size=request.chunk_size)
        request.progress(0)
        reader.check_ktpel()
        uid = reader.uid()
        photo = reader.photo(ProgressSpan(request.progress, 5, 100))
        return PhotoRead(uid=bytearray(uid), photo=photo, atr_hex=channel.atr.hex().upper())
