"""What a KTP-el read yields, kept in memory only and wiped when the consumer releases it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import TracebackType

from app.domain.nik import Nik, NikError, parse_nik
from app.reader.errors import InvalidCardData
from app.reader.parsers import DemographicRecord, ParseIssue, parse_demographic


def _zero(buffer: bytearray) -> None:
    buffer[:] = b"\x00" * len(buffer)
    del buffer[:]


@dataclass(eq=False, repr=False)
class PhotoRead:
    """UID and photo (the part readable without the SAM). ``wipe()`` zeroes the buffers."""

    uid: bytearray
    photo: bytearray
    atr_hex: str = ""

    def wipe(self) -> None:
        """Zero and drop the buffers."""
        _zero(self.uid)
        _zero(self.photo)

    def __repr__(self) -> str:
        return f"PhotoRead(photo={len(self.photo)} bytes)"

    def __enter__(self) -> PhotoRead:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.wipe()


@dataclass(eq=False, repr=False)
class CardData:
    """The card's data. Use as a context manager (or call ``wipe()``) to release it.

    ``repr()`` shows only the masked NIK, so an accidental log line leaks nothing else.
    """

    nik: Nik | None
    fields: dict[str, str]
    date_of_birth: dt.date | None
    valid_until: dt.date | None
    valid_for_life: bool
    issues: tuple[ParseIssue, ...]
    uid: bytearray = field(default_factory=bytearray)
    photo: bytearray = field(default_factory=bytearray)
    signature_png: bytearray = field(default_factory=bytearray)
    source: str = ""
    wiped: bool = False

    @classmethod
    def from_record(
        cls,
        record: DemographicRecord,
        *,
        uid: bytes = b"",
        photo: bytes | bytearray = b"",
        signature_png: bytes = b"",
        source: str = "",
    ) -> CardData:
        """Build from a parsed record; the NIK goes through ``parse_nik``.

        Raises :class:`InvalidCardData` when the card's NIK is not a valid NIK.
        """
        try:
            nik = parse_nik(record.fields.get("nik", ""))
        except NikError as exc:
            raise InvalidCardData(f"card NIK rejected: {exc.code}") from None
        return cls(
            nik=nik,
            fields=dict(record.fields),
            date_of_birth=record.date_of_birth,
            valid_until=record.valid_until,
            valid_for_life=record.valid_for_life,
            issues=record.issues,
            uid=bytearray(uid),
            photo=bytearray(photo),
            signature_png=bytearray(signature_png),
            source=source,
        )

    @classmethod
    def from_raw(
        cls,
        raw_demographic: bytes | bytearray,
        *,
        uid: bytes = b"",
        photo: bytes | bytearray = b"",
        signature_png: bytes = b"",
        source: str = "",
    ) -> CardData:
        """Parse the raw 6FF1 record, then build as :meth:`from_record`."""
        record = parse_demographic(bytes(raw_demographic))
        return cls.from_record(
            record, uid=uid, photo=photo, signature_png=signature_png, source=source
        )

    @property
    def name(self) -> str:
        """The holder's name."""
        return self.fields.get("name", "")

    def wipe(self) -> None:
        """Zero the byte buffers and drop every reference to the card's data."""
        for buffer in (self.uid, self.photo, self.signature_png):
            _zero(buffer)
        for key in list(self.fields):
            self.fields[key] = ""
        self.fields.clear()
        self.nik = None
        self.date_of_birth = None
        self.valid_until = None
        self.issues = ()
        self.wiped = True

    def __repr__(self) -> str:
        masked = self.nik.masked() if self.nik else "-"
        return f"CardData(nik={masked}, wiped={self.wiped})"

    def __enter__(self) -> CardData:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.wipe()
