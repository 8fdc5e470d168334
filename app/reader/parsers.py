"""Pure parsers for the KTP-el files: demographic record (6FF1) and signature bitmap (6FF3)."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from dataclasses import dataclass

#: The 21 fields of the demographic record, in card order.
DEMOGRAPHIC_FIELDS: tuple[str, ...] = (
    "nik",
    "address",
    "rt",
    "rw",
    "place_of_birth",
    "kecamatan",
    "kelurahan_desa",
    "kabupaten_kota",
    "sex",
    "blood_type",
    "religion",
    "marital_status",
    "occupation",
    "name",
    "date_of_birth",
    "province",
    "valid_until",
    "right_finger",
    "left_finger",
    "nationality",
    "unnamed_20",
)

KNOWN_VALUES: dict[str, frozenset[str]] = {
    "sex": frozenset({"LAKI-LAKI", "PEREMPUAN"}),
    "blood_type": frozenset(
        {"A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "-", ""}
    ),
    "religion": frozenset(
        {
            "ISLAM",
            "KRISTEN",
            "KATHOLIK",
            "KATOLIK",
            "HINDU",
            "BUDHA",
            "BUDDHA",
            "KONGHUCU",
            "KHONGHUCU",
            "KEPERCAYAAN TERHADAP TUHAN YME",
        }
    ),
    "marital_status": frozenset({"BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"}),
}

LIFETIME = "SEUMUR HIDUP"
SIGNATURE_WIDTH = 168
SIGNATURE_HEIGHT = 44
SIGNATURE_BYTES = SIGNATURE_WIDTH * SIGNATURE_HEIGHT // 8

_DATE_FORMATS = (
    re.compile(r"^(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})$"),
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"),
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"),
)


@dataclass(frozen=True)
class ParseIssue:
    """Something in the record that was not understood. Holds no card value (safe to log)."""

    field: str
    reason: str


@dataclass(frozen=True)
class DemographicRecord:
    """The parsed 6FF1 record. ``fields`` holds every field by name (missing ones empty)."""

    fields: dict[str, str]
    date_of_birth: dt.date | None
    valid_until: dt.date | None
    valid_for_life: bool
    issues: tuple[ParseIssue, ...]


def parse_date(text: str) -> dt.date | None:
    """Parse ``dd-mm-yyyy``, ``dd/mm/yyyy``, ``yyyy-mm-dd`` (and ``dd.mm.yyyy``); else None."""
    text = text.strip()
    for pattern in _DATE_FORMATS:
        m = pattern.match(text)
        if m:
            try:
                return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                return None
    return None


def split_record(raw: bytes) -> list[str]:
    """Split the quoted, ``","``-separated record; tolerant of padding and stray quotes."""
    text = raw.decode("latin-1").strip("\x00\xff \r\n\t")
    if text.startswith('"'):
        text = text[1:]
    if text.endswith('"'):
        text = text[:-1]
    return [part.strip() for part in text.split('","')]


def parse_demographic(raw: bytes) -> DemographicRecord:
    """Parse the demographic record leniently; what is not understood lands in ``issues``."""
    parts = split_record(raw)
    issues: list[ParseIssue] = []
    if len(parts) != len(DEMOGRAPHIC_FIELDS):
        issues.append(
            ParseIssue("record", f"expected {len(DEMOGRAPHIC_FIELDS)} fields, found {len(parts)}")
        )
    padded = parts + [""] * (len(DEMOGRAPHIC_FIELDS) - len(parts))
    fields = {name: value.upper() for name, value in zip(DEMOGRAPHIC_FIELDS, padded, strict=False)}
    for name, known in KNOWN_VALUES.items():
        if fields[name] and fields[name] not in known:
            issues.append(ParseIssue(name, "unknown value"))
    birth = parse_date(fields["date_of_birth"])
    if birth is None:
        issues.append(ParseIssue("date_of_birth", "unparseable date"))
    valid_for_life = fields["valid_until"] == LIFETIME
    valid_until = None if valid_for_life else parse_date(fields["valid_until"])
    if not valid_for_life and valid_until is None and fields["valid_until"]:
        issues.append(ParseIssue("valid_until", "unparseable date"))
    if not fields["nik"]:
        issues.append(ParseIssue("nik", "missing"))
    return DemographicRecord(
        fields=fields,
        date_of_birth=birth,
        valid_until=valid_until,
        valid_for_life=valid_for_life,
        issues=tuple(issues),
    )


def build_demographic(values: dict[str, str]) -> bytes:
    """The inverse of :func:`parse_demographic` (used by the simulator and the test cards)."""
    return ('"' + '","'.join(values.get(n, "") for n in DEMOGRAPHIC_FIELDS) + '"').encode("ascii")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bitmap_to_png(
    raw: bytes,
    width: int = SIGNATURE_WIDTH,
    height: int = SIGNATURE_HEIGHT,
    *,
    ink_is_one: bool = True,
) -> bytes:
    """Encode a 1-bit, MSB-first, row-major bitmap as a PNG (grayscale, bit depth 1).

    ``ink_is_one``: a set bit is ink (drawn black). Short input is padded with blank rows.
    """
    stride = (width + 7) // 8
    needed = stride * height
    data = bytes(raw[:needed]).ljust(needed, b"\x00")
    rows = bytearray()
    for y in range(height):
        row = data[y * stride : (y + 1) * stride]
        rows.append(0)  # filter type: none
        rows += bytes(b ^ 0xFF for b in row) if ink_is_one else row
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _png_chunk(b"IEND", b"")
    )


def signature_to_png(raw: bytes) -> bytes:
    """The 168 × 44 signature bitmap (21 bytes per row) as PNG bytes."""
    return bitmap_to_png(raw, SIGNATURE_WIDTH, SIGNATURE_HEIGHT)


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's SOF marker, or None if not found (for display only)."""
    if not data.startswith(b"\xff\xd8"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
