"""The filtered, normalised record a lookup hands to the rest of the application."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from app.services.dukcapil.normalise import RecordValue


class PermittedRecord(Mapping[str, RecordValue]):
    """Read-only mapping of gateway key → value, holding only the profile's permitted keys.

    Lives in memory only. :meth:`wipe` drops every value (call it when the case closes or the
    screen locks); Python cannot overwrite the strings themselves, so nothing else may keep
    references to them. ``repr`` never shows values.
    """

    __slots__ = ("_values", "profile_id")

    def __init__(self, profile_id: str, values: Mapping[str, RecordValue]) -> None:
        self.profile_id = profile_id
        self._values: dict[str, RecordValue] = dict(values)

    def __getitem__(self, key: str) -> RecordValue:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def text(self, key: str) -> str | None:
        """The value of ``key`` if it is a string (None when absent)."""
        value = self._values.get(key)
        return value if isinstance(value, str) else None

    def wipe(self) -> None:
        """Forget every value."""
        self._values.clear()

    @property
    def wiped(self) -> bool:
        """True once the record holds nothing."""
        return not self._values

    def __repr__(self) -> str:
        return f"PermittedRecord(profile={self.profile_id!r}, fields={len(self._values)})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a PermittedRecord must not be pickled or copied out of memory")
