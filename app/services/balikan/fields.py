"""Data balikan fields of an agreement: validation, the item's snapshot, wire keys, columns.

An agreement profile lists the values its data balikan carries (``[[balikan_fields]]``:
e.g. the NOP PBB-P2 and the NPWPD of seed 001). When an item is queued the values are
checked against the profile and stored on the item together with each field's name and
label, so a later change of the profile never breaks an item already owed: the item keeps
sending and exporting what it was queued with.

On the wire a field travels in the item's ``param`` object under its name in upper case
(``nop_pbb_p2`` → ``NOP_PBB_P2``), the style of the agreed keys (``NO_PENERIMA``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.i18n import N_, _
from app.services.dukcapil.profiles import BalikanField

FIELD_REQUIRED = N_("{label} must be filled in.")
FIELD_FORMAT = N_("{label} is not in the format the agreement sets.")
FIELD_UNKNOWN = N_("The agreement has no data balikan field {name}.")
FIELD_TOO_LONG = N_("{label} is too long (at most {limit} characters).")

#: The longest value one field may hold (the agreements' numbers are far shorter).
MAX_VALUE_LENGTH = 64


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One value of an item's data balikan, with the name and label it was queued under."""

    name: str
    label: str
    value: str

    @property
    def wire_key(self) -> str:
        """The key of this value in the ``param`` object."""
        return wire_key(self.name)


class FieldsInvalid(ValueError):
    """Values that do not fit the agreement's data balikan fields.

    ``problems`` maps each field name to its (translated) message; ``message`` joins them.
    """

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: invalid" for name in self.problems))

    @property
    def message(self) -> str:
        """Every problem, one per line, for the officer."""
        return "\n".join(self.problems.values())


def wire_key(name: str) -> str:
    """The ``param`` key of a field name (``nop_pbb_p2`` → ``NOP_PBB_P2``)."""
    return name.upper()


def field_problem(field: BalikanField, value: str, *, require: bool = True) -> str | None:
    """Why ``value`` does not fit ``field`` (translated), or None when it fits.

    ``require`` False accepts an empty required field (nothing was issued, so the value may
    not exist); the format is checked whenever a value is given."""
    text = value.strip()
    if not text:
        return _(FIELD_REQUIRED).format(label=field.label) if field.required and require else None
    if len(text) > MAX_VALUE_LENGTH:
        return _(FIELD_TOO_LONG).format(label=field.label, limit=MAX_VALUE_LENGTH)
    if field.format is not None and re.fullmatch(field.format, text) is None:
        return _(FIELD_FORMAT).format(label=field.label)
    return None


def validate_fields(
    fields: Sequence[BalikanField], values: Mapping[str, str], *, require: bool = True
) -> tuple[FieldValue, ...]:
    """The profile's fields filled with ``values`` (trimmed), in the profile's order.

    Raises :class:`FieldsInvalid` naming every field that is missing (when ``require``),
    malformed, or not a field of the profile at all."""
    known = {field.name for field in fields}
    problems: dict[str, str] = {}
    for name in values:
        if name not in known:
            problems[name] = _(FIELD_UNKNOWN).format(name=name)
    filled: list[FieldValue] = []
    for field in fields:
        value = str(values.get(field.name, "")).strip()
        problem = field_problem(field, value, require=require)
        if problem is not None:
            problems[field.name] = problem
        filled.append(FieldValue(field.name, field.label, value))
    if problems:
        raise FieldsInvalid(problems)
    return tuple(filled)


def encode_fields(values: Iterable[FieldValue]) -> str:
    """The item's snapshot as stored (JSON text)."""
    return json.dumps(
        [{"name": v.name, "label": v.label, "value": v.value} for v in values],
        ensure_ascii=False,
    )


def decode_fields(text: str | None) -> tuple[FieldValue, ...]:
    """The snapshot stored on an item; anything unreadable counts as no fields."""
    try:
        data = json.loads(text or "[]")
    except (ValueError, RecursionError):
        return ()
    if not isinstance(data, list):
        return ()
    found: list[FieldValue] = []
    for entry in data:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            name = entry["name"]
            label = entry.get("label")
            found.append(
                FieldValue(
                    name, label if isinstance(label, str) else name, str(entry.get("value", ""))
                )
            )
    return tuple(found)


def field_columns(
    snapshots: Iterable[Sequence[FieldValue]], labels: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(name, header) of one export column per field, the union over ``snapshots`` in
    first-seen order. The header is the profile's label when ``labels`` knows the field,
    else the label the item was queued with; equal headers are told apart by the name."""
    seen: dict[str, str] = {}
    for snapshot in snapshots:
        for value in snapshot:
            if value.name not in seen:
                seen[value.name] = (labels or {}).get(value.name) or value.label
    counts: dict[str, int] = {}
    for header in seen.values():
        counts[header] = counts.get(header, 0) + 1
    return [
        (name, header if counts[header] == 1 else f"{header} ({name})")
        for name, header in seen.items()
    ]
