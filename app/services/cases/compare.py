"""The verification panel's rows: permitted elements only, registry vs. card / documents.

Qt-free so the rules (which elements, how values compare) stay testable and shared. Rows
hold population data: they live as long as the case screen shows them, never longer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from app.domain.i18n import N_, _
from app.domain.resource_files import resources_dir
from app.services.dukcapil.profiles import ELEMENT_LABELS, AgreementProfile, load_profile

#: Which field of a KTP-el read (app.reader DEMOGRAPHIC_FIELDS) carries each element.
CARD_FIELD_OF_ELEMENT: Mapping[str, str] = {
    "nik": "nik",
    "nama_lengkap": "name",
    "jenis_kelamin": "sex",
    "tempat_lahir": "place_of_birth",
    "tanggal_lahir": "date_of_birth",
    "status_perkawinan": "marital_status",
    "jenis_pekerjaan": "occupation",
    "alamat_sekarang": "address",
}

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ElementRow:
    """One permitted element: what Dukcapil says, what the card says, and whether they match."""

    element_id: str
    label: str  # English msgid: wrap in _() to show
    registry: str | None
    card: str | None
    match: bool | None  # None: nothing to compare with
    verdict: tuple[bool, int] | None = None  # verify by element: (Sesuai?, score)


@cache
def profile_of(profile_id: str) -> AgreementProfile:
    """The agreement profile (which elements are permitted) by id."""
    return load_profile(resources_dir(), profile_id)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    text = str(value).strip()
    return text or None


def _same(a: str, b: str) -> bool:
    return _SPACES.sub(" ", a).strip().upper() == _SPACES.sub(" ", b).strip().upper()


#: The address as an officer reads it: labelled parts, no internal region codes.
ADDRESS_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Alamat"), ("ALAMAT",)),
    (N_("RT/RW"), ("NO_RT", "NO_RW")),
    (N_("Kel/Desa"), ("KEL_NAME",)),
    (N_("Kecamatan"), ("KEC_NAME",)),
    (N_("Kab/Kota"), ("KAB_NAME",)),
    (N_("Provinsi"), ("PROP_NAME",)),
)


def address_value(record: Mapping[str, object], keys: tuple[str, ...]) -> str | None:
    """The address with each part labelled (Alamat, RT/RW, Kel/Desa, …), codes left out."""
    parts: list[str] = []
    for label, part_keys in ADDRESS_PARTS:
        present = [k for k in part_keys if k in keys]
        values = [_text(record.get(k)) for k in present]
        if not any(values):
            continue
        text = "/".join(v or "-" for v in values)
        parts.append(f"{_(label)}: {text}")
    return "; ".join(parts) or None


def registry_value(record: Mapping[str, object], keys: tuple[str, ...]) -> str | None:
    """The element's value for display: its keys' values joined (the address labelled)."""
    if "ALAMAT" in keys:
        return address_value(record, keys)
    parts = [t for key in keys if (t := _text(record.get(key))) is not None]
    if not parts:
        return None
    return ", ".join(parts)


def compare_elements(
    profile: AgreementProfile,
    record: Mapping[str, object] | None,
    card_fields: Mapping[str, str] | None = None,
    verdicts: Mapping[str, tuple[bool, int]] | None = None,
    documents: Mapping[str, str] | None = None,
) -> list[ElementRow]:
    """Rows for every permitted element, in the profile's order; nothing else is ever shown.

    ``documents``: verify by element, what the officer sent from the applicant's documents
    (by gateway key); shown in the card / documents column.
    """
    rows: list[ElementRow] = []
    for element in profile.elements:
        registry = registry_value(record, element.keys) if record else None
        card: str | None = None
        field = CARD_FIELD_OF_ELEMENT.get(element.id)
        if card_fields and field:
            card = _text(card_fields.get(field))
        if documents:
            sent = [t for key in element.verify_keys if (t := _text(documents.get(key)))]
            if sent:
                card = ", ".join(sent)
        match: bool | None = None
        primary = _text(record.get(element.keys[0])) if record else None
        if primary is not None and card is not None:
            match = _same(primary, card)
        verdict = None
        if verdicts:
            found = [verdicts[k] for k in element.verify_keys if k in verdicts]
            if found:
                verdict = (all(ok for ok, _s in found), min(score for _ok, score in found))
                match = verdict[0]
        if registry is None and card is None and verdict is None:
            continue
        label = ELEMENT_LABELS[element.id]
        rows.append(ElementRow(element.id, label, registry, card, match, verdict))
    return rows


def verify_fields(profile: AgreementProfile) -> list[tuple[str, str]]:
    """(gateway key, label msgid) the officer fills from the documents for verify by element."""
    fields: list[tuple[str, str]] = []
    for element in profile.elements:
        if element.id == "nik":
            continue
        for key in element.verify_keys:
            fields.append((key, ELEMENT_LABELS[element.id]))
    return fields


def verify_values_from_card(
    profile: AgreementProfile, card_fields: Mapping[str, str]
) -> dict[str, str]:
    """Prefill verify-by-element values from a card read (the officer still checks them)."""
    values: dict[str, str] = {}
    for element in profile.elements:
        field = CARD_FIELD_OF_ELEMENT.get(element.id)
        if element.id == "nik" or field is None or not card_fields.get(field):
            continue
        values[element.verify_keys[0]] = card_fields[field]
    return values
