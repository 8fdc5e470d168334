"""Normalise gateway record values by key (protocol §4).

NIK-like numbers become 16-digit strings without passing through float, RT/RW and region
numbers are zero-padded, dates become :class:`datetime.date`, strings are trimmed, and
``null``/empty values or values of an unexpected form give ``None`` (the key is dropped).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

RecordValue = str | date

DIGITS16_KEYS = frozenset({"NIK", "NO_KK", "NIK_IBU", "NIK_AYAH"})
PADDED_KEYS: dict[str, int] = {
    "NO_RT": 3,
    "NO_RW": 3,
    "NO_PROP": 2,
    "NO_KAB": 2,
    "NO_KEC": 2,
    "NO_KEL": 4,
    "KODE_POS": 5,
}
DATE_KEYS = frozenset({"TGL_LHR", "TGL_KWN", "TGL_CRAI", "EKTP_CREATED", "LAST_UPDATED"})

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?")
_DMY_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")
_MAX_DIGITS = 20


def normalise_value(key: str, value: object) -> RecordValue | None:
    """The normalised value of ``key``, or None when absent or unusable."""
    if key in DIGITS16_KEYS:
        digits = _digits(value)
        return digits if digits is not None and len(digits) == 16 else None
    if key in PADDED_KEYS:
        digits = _digits(value)
        return digits.zfill(PADDED_KEYS[key]) if digits else None
    if key in DATE_KEYS:
        return _date(value)
    return _text(value)


def _digits(value: object) -> str | None:
    """ASCII digits of a non-negative integer given as int, integral Decimal or digit string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        if not value.is_finite() or value.adjusted() > 20 or value != value.to_integral_value():
            return None
        value = int(value)
    if isinstance(value, int):
        if value < 0 or value >= 10**_MAX_DIGITS:
            return None
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
            return text
    return None


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if match := _ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DMY_DATE.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


def _text(value: object) -> str | None:
    if isinstance(value, str):
        text = " ".join(value.split())
        return text or None
    if isinstance(value, int | Decimal):
        return _digits(value)
    return None
