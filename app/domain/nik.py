"""The NIK (Nomor Induk Kependudukan): parsing, validation and masking.

Layout of the 16 digits: ``PP KK CC DDMMYY SSSS`` — province, regency/city and
kecamatan codes of first issue, birth date (day + 40 for women) and a serial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from app.domain.i18n import N_, _
from app.domain.regions import RegionTable, default_regions
from app.domain.scrub import scrub

NIK_LENGTH = 16
_SEPARATORS = " .-"
_ALLOWED = re.compile(r"[0-9 .\-]*")
_GROUPED = re.compile(r"[0-9]+(?:[ .\-]+[0-9]+)*")
_MASK = "•" * 8

ERROR_MESSAGES: dict[str, str] = {
    "empty": N_("Enter the NIK: the field is empty."),
    "characters": N_(
        "A NIK contains only digits; spaces, dots or dashes may separate groups of digits."
    ),
    "length": N_("A NIK has exactly 16 digits."),
    "province": N_("The first two digits are not a province code: check the NIK."),
    "birth_date": N_(
        "Digits 7 to 12 are not a valid birth date (day 01-31, or 41-71 for women; "
        "month 01-12): check the NIK."
    ),
    "serial": N_("The last four digits of a NIK cannot be 0000: check the NIK."),
}

WARNING_MESSAGES: dict[str, str] = {
    "regency_unknown": N_(
        "The regency/city code is in no edition of the region list; check the NIK against the card."
    ),
    "district_unknown": N_(
        "The kecamatan code is in no edition of the region list; check the NIK against the card."
    ),
}


class NikError(ValueError):
    """An invalid NIK; ``code`` says why (one of :data:`ERROR_MESSAGES`)."""

    def __init__(self, code: str) -> None:
        if code not in ERROR_MESSAGES:
            raise ValueError(f"unknown NIK error code {code!r}")
        self.code = code
        super().__init__(ERROR_MESSAGES[code])

    @property
    def message(self) -> str:
        """The explanation in the installed language."""
        return _(ERROR_MESSAGES[self.code])


@dataclass(frozen=True, slots=True)
class Nik:
    """A NIK that passed every format check."""

    value: str
    birth_date: date
    warnings: tuple[str, ...] = field(default=())

    @property
    def province(self) -> str:
        """Two-digit province code."""
        return self.value[:2]

    @property
    def regency(self) -> str:
        """Four-digit regency/city code."""
        return self.value[:4]

    @property
    def district(self) -> str:
        """Six-digit kecamatan code."""
        return self.value[:6]

    @property
    def sex(self) -> str:
        """``"L"`` (laki-laki) or ``"P"`` (perempuan), from the birth day."""
        return "P" if int(self.value[6:8]) > 40 else "L"

    @property
    def serial(self) -> str:
        """The last four digits."""
        return self.value[12:]

    def masked(self) -> str:
        """The NIK as it may appear outside the case screen: ``3303••••••••0001``."""
        return mask_nik(self.value)

    def warning_messages(self) -> list[str]:
        """The warnings in the installed language."""
        return [_(WARNING_MESSAGES[w]) for w in self.warnings]

    def __repr__(self) -> str:  # never leak the full number through a repr
        return f"Nik({self.masked()!r})"

    __str__ = __repr__


def mask_nik(digits: str) -> str:
    """Mask a 16-digit string as ``3303••••••••0001``."""
    return digits[:4] + _MASK + digits[12:]


def remove_niks(text: str) -> str:
    """Free text without anything :func:`parse_nik` would read as a NIK (see :func:`scrub`)."""
    return scrub(text)


def normalise_digits(text: str) -> str:
    """Strip whitespace and group separators; raise :class:`NikError` on anything else.

    Only ASCII digits are accepted here; :func:`app.domain.scrub.scrub` removes a superset
    (digits of any script, any separators) from free text."""
    stripped = text.strip()
    if not stripped:
        raise NikError("empty")
    if not _ALLOWED.fullmatch(stripped) or not _GROUPED.fullmatch(stripped):
        raise NikError("characters")
    return "".join(ch for ch in stripped if ch not in _SEPARATORS)


def resolve_birth_date(day: int, month: int, yy: int, today: date) -> date | None:
    """The birth date in the latest century not in the future, or None if it never exists."""
    existing: list[date] = []
    for century in (2000, 1900, 1800):
        try:
            existing.append(date(century + yy, month, day))
        except ValueError:
            continue
    if not existing:
        return None
    for candidate in existing:
        if candidate <= today:
            return candidate
    return existing[-1]


def parse_nik(text: str, *, today: date | None = None, regions: RegionTable | None = None) -> Nik:
    """Parse and validate a NIK as typed or read from a card.

    Raises :class:`NikError` with ``code`` one of ``empty``, ``characters``,
    ``length``, ``province``, ``birth_date``, ``serial``.
    """
    if not isinstance(text, str):
        raise NikError("characters")
    digits = normalise_digits(text)
    if len(digits) != NIK_LENGTH:
        raise NikError("length")
    table = regions if regions is not None else default_regions()
    province = table.get(digits[:2])
    if province is None or province.level != "provinsi":
        raise NikError("province")
    day, month, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    if day > 40:
        day -= 40
        if day > 31:
            raise NikError("birth_date")
    elif day > 31:
        raise NikError("birth_date")
    if day < 1 or not 1 <= month <= 12:
        raise NikError("birth_date")
    birth = resolve_birth_date(day, month, yy, today or date.today())
    if birth is None:
        raise NikError("birth_date")
    if digits[12:] == "0000":
        raise NikError("serial")
    warnings: list[str] = []
    if digits[:4] not in table:
        warnings.append("regency_unknown")
    if digits[:6] not in table:
        warnings.append("district_unknown")
    return Nik(value=digits, birth_date=birth, warnings=tuple(warnings))
