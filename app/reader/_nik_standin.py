"""Temporary stand-in for ``app.domain.nik`` until that module is merged (then removed)."""

from __future__ import annotations

from dataclasses import dataclass


class NikError(ValueError):
    """An invalid NIK; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, repr=False)
class Nik:
    """A syntactically valid 16-digit NIK."""

    value: str

    def masked(self) -> str:
        """``3303••••••••0001``."""
        return self.value[:4] + "•" * 8 + self.value[-4:]

    def __repr__(self) -> str:
        return f"Nik({self.masked()})"


def parse_nik(text: str) -> Nik:
    """Parse a NIK (stand-in: 16 digits only)."""
    value = text.strip()
    if len(value) != 16 or not value.isdigit():
        raise NikError("format")
    return Nik(value)
