"""Agreement profiles: which data elements a PKS permits (requirement R-03).

Profiles are TOML files in ``resources/profiles/``::

    id = "purbalingga-8"
    name = "Bappelitbangda Kab. Purbalingga (8 elements)"
    lookup = true            # may query by NIK and see the permitted elements
    verify = true            # may use verify by element

    [[elements]]
    id = "alamat_sekarang"                 # one of ELEMENT_LABELS
    keys = ["ALAMAT", "PROP_NAME", ...]    # gateway record keys shown for this element
    verify_keys = ["ALAMAT"]               # keys sent to verify by element (default: keys)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.domain.i18n import N_
from app.services.dukcapil.normalise import RecordValue, normalise_value
from app.services.dukcapil.record import PermittedRecord

# Element id → English label msgid (translate with ``_()`` when shown).
ELEMENT_LABELS: Mapping[str, str] = {
    "nik": N_("NIK"),
    "no_kk": N_("Family card number (No. KK)"),
    "nama_lengkap": N_("Full name"),
    "jenis_kelamin": N_("Sex"),
    "tempat_lahir": N_("Place of birth"),
    "tanggal_lahir": N_("Date of birth"),
    "status_perkawinan": N_("Marital status"),
    "jenis_pekerjaan": N_("Occupation"),
    "alamat_sekarang": N_("Current address"),
}


class ProfileError(ValueError):
    """A profile file is missing or malformed."""


@dataclass(frozen=True)
class Element:
    """One permitted data element and the gateway keys that carry it."""

    id: str
    keys: tuple[str, ...]
    verify_keys: tuple[str, ...]

    @property
    def label(self) -> str:
        """English label msgid (wrap in ``_()`` for display)."""
        return ELEMENT_LABELS[self.id]


@dataclass(frozen=True)
class AgreementProfile:
    """The elements one agreement permits and the access it grants."""

    id: str
    name: str
    lookup: bool
    verify: bool
    elements: tuple[Element, ...]

    @property
    def permitted_keys(self) -> frozenset[str]:
        """Every gateway record key a lookup may keep."""
        return frozenset(key for element in self.elements for key in element.keys)

    @property
    def verify_keys(self) -> frozenset[str]:
        """Every key that may be sent to (and reported by) verify by element."""
        return frozenset(key for element in self.elements for key in element.verify_keys)

    def filter_record(self, raw: Mapping[str, object]) -> PermittedRecord:
        """Keep the permitted keys of a raw record, normalised; everything else is dropped."""
        values: dict[str, RecordValue] = {}
        if self.lookup:
            for key in sorted(self.permitted_keys):
                value = normalise_value(key, raw.get(key))
                if value is not None:
                    values[key] = value
        return PermittedRecord(self.id, values)


def load_profiles(resources: Path) -> dict[str, AgreementProfile]:
    """Every profile in ``resources/profiles``, by id."""
    profiles: dict[str, AgreementProfile] = {}
    for path in sorted((resources / "profiles").glob("*.toml")):
        profile = _parse(path)
        if profile.id in profiles:
            raise ProfileError(f"duplicate profile id {profile.id!r}")
        profiles[profile.id] = profile
    return profiles


def load_profile(resources: Path, profile_id: str) -> AgreementProfile:
    """One profile by id; raises ProfileError if it does not exist."""
    try:
        return load_profiles(resources)[profile_id]
    except KeyError:
        raise ProfileError(f"no profile {profile_id!r}") from None


def _parse(path: Path) -> AgreementProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        elements = tuple(_element(item) for item in data["elements"])
        profile = AgreementProfile(
            id=_str(data["id"]),
            name=_str(data["name"]),
            lookup=_bool(data["lookup"]),
            verify=_bool(data["verify"]),
            elements=elements,
        )
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise ProfileError(f"profile {path.name}: {exc}") from exc
    if not elements or len({e.id for e in elements}) != len(elements):
        raise ProfileError(f"profile {path.name}: elements missing or repeated")
    if profile.id != path.stem:
        raise ProfileError(f"profile {path.name}: id must match the file name")
    return profile


def _element(item: object) -> Element:
    if not isinstance(item, dict):
        raise TypeError("an element must be a table")
    element_id = _str(item["id"])
    if element_id not in ELEMENT_LABELS:
        raise TypeError(f"unknown element {element_id!r}")
    keys = _keys(item["keys"])
    verify_keys = _keys(item.get("verify_keys", list(keys)))
    return Element(element_id, keys, verify_keys)


def _keys(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise TypeError("keys must be a non-empty list")
    return tuple(_str(key).upper() for key in value)


def _str(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TypeError("expected a non-empty string")
    return value.strip()


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value
