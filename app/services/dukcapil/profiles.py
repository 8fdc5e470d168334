"""Agreement profiles: which data elements a PKS permits (requirement R-03).

Profiles are TOML files, one per agreement (by convention named after its id). The shipped
ones are in ``resources/profiles/``; an administrator adds or overrides profiles in a
``profiles/`` folder beside the administrator file (:func:`admin_profiles_dir`), searched
first::

    id = "purbalingga-8"
    name = "Bappelitbangda Kab. Purbalingga (8 elements)"
    lookup = true            # may query by NIK and see the permitted elements
    verify = true            # may use verify by element
    lookup_via = "web_portal"     # optional: the channel the agreement names for the lookup
    verify_via = "web_service"    # optional: ... and for verify by element
    term_end = 2027-09-16         # optional: the last day of the agreement
    programmes = ["PKH"]          # optional: programmes the data balikan reports
    report_months = [6, 12]       # optional: months the usage report is due (Pasal 8)

    [[elements]]
    id = "alamat_sekarang"                 # one of ELEMENT_LABELS
    keys = ["ALAMAT", "PROP_NAME", ...]    # gateway record keys shown for this element
    verify_keys = ["ALAMAT"]               # keys sent to verify by element (default: keys)

    [[balikan_fields]]                     # optional: what the data balikan carries
    name = "nop_pbb_p2"                    # lower-case identifier, unique in the profile
    label = "NOP PBB-P2"                   # shown to the officer as written
    required = true                        # default false
    format = "[0-9]{18}"                   # optional regular expression the whole value matches
    source = "recipient_number"            # optional: the value is the case's own recipient
                                           # number ("recipient_number") or programme
                                           # ("programme"), sent in NO_PENERIMA/JENIS_PROGRAM
                                           # and not typed again

Every file is validated when loaded; a problem raises :class:`ProfileError` naming the file
and what is wrong (unknown element or key, duplicate id, bad format, missing field).
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.domain.i18n import N_
from app.services.dukcapil.normalise import RecordValue, normalise_value
from app.services.dukcapil.record import PermittedRecord
from app.services.settings import admin_settings_path

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


# The channels an agreement may name for an access method (Permendagri 102/2019).
ACCESS_CHANNELS = ("web_service", "web_portal")


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
class BalikanField:
    """One value the data balikan of an agreement carries (definition only)."""

    name: str
    label: str
    required: bool = False
    format: str | None = None
    #: None: typed with the decision; else the case value that carries it (FIELD_SOURCES)
    source: str | None = None

    @property
    def typed(self) -> bool:
        """True when the officer types the value (it is not one the case already holds)."""
        return self.source is None

    def accepts(self, value: str) -> bool:
        """True when ``value`` is acceptable: present if required, and of the format if any."""
        text = value.strip()
        if not text:
            return not self.required
        return self.format is None or re.fullmatch(self.format, text) is not None


@dataclass(frozen=True)
class AgreementProfile:
    """The elements one agreement permits and the access it grants."""

    id: str
    name: str
    lookup: bool
    verify: bool
    elements: tuple[Element, ...]
    lookup_via: str | None = None
    verify_via: str | None = None
    programmes: tuple[str, ...] = ()
    balikan_fields: tuple[BalikanField, ...] = ()
    term_end: date | None = None
    report_months: tuple[int, ...] = ()

    @property
    def element_ids(self) -> frozenset[str]:
        """The ids of the permitted elements."""
        return frozenset(element.id for element in self.elements)

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


def admin_profiles_dir() -> Path:
    """The administrator's profile folder: ``profiles/`` beside the administrator file."""
    return admin_settings_path().parent / "profiles"


def load_profiles(resources: Path, admin_dir: Path | None = None) -> dict[str, AgreementProfile]:
    """Every profile by id: the shipped ones in ``resources/profiles``, then the
    administrator's (``admin_dir``, default :func:`admin_profiles_dir`), which add profiles
    or replace a shipped one with the same id."""
    profiles = _shipped_profiles(resources / "profiles")
    folder = admin_profiles_dir() if admin_dir is None else admin_dir
    if folder.is_dir():
        profiles.update(_load_folder(folder, fail_closed=True))
    return profiles


def load_profile(
    resources: Path, profile_id: str, admin_dir: Path | None = None
) -> AgreementProfile:
    """One profile by id; raises ProfileError if it does not exist or any profile is invalid."""
    profiles = load_profiles(resources, admin_dir)
    try:
        return profiles[profile_id]
    except KeyError:
        folder = admin_profiles_dir() if admin_dir is None else admin_dir
        raise ProfileError(
            f"no profile {profile_id!r} (known: {', '.join(sorted(profiles))}; the "
            f"administrator adds one in {folder})"
        ) from None


_SHIPPED: dict[tuple[object, ...], dict[str, AgreementProfile]] = {}


def _shipped_profiles(folder: Path) -> dict[str, AgreementProfile]:
    """The shipped profiles, parsed once per process while their files stay the same (a
    start asks for them several times); the administrator's are read every time."""
    files = sorted(folder.glob("*.toml"))
    key = (folder, *((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in files))
    parsed = _SHIPPED.get(key)
    if parsed is None:
        parsed = _SHIPPED[key] = _load_folder(folder)
    return dict(parsed)  # the profiles are frozen; the mapping is the caller's own


def _load_folder(folder: Path, fail_closed: bool = False) -> dict[str, AgreementProfile]:
    profiles: dict[str, AgreementProfile] = {}
    origin: dict[str, Path] = {}
    if fail_closed:
        _refuse_writable_by_all(folder)
    for path in sorted(folder.glob("*.toml")):
        if fail_closed:
            _refuse_writable_by_all(path)
            if not path.is_file():
                raise ProfileError(f"profile {path}: is not a file")
        profile = _parse(path)
        if profile.id in profiles:
            raise ProfileError(
                f"profile {path}: duplicate profile id {profile.id!r} (also in "
                f"{origin[profile.id].name})"
            )
        profiles[profile.id] = profile
        origin[profile.id] = path
    return profiles


def _refuse_writable_by_all(path: Path) -> None:
    """An administrator's profile widens what the counter shows: like the administrator file,
    nobody else may change it (or the folder it is in)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ProfileError(f"profile {path}: cannot be read ({exc.strerror})") from exc
    if os.name == "posix" and mode & stat.S_IWOTH:
        raise ProfileError(
            f"profile {path}: every user of this PC may change it; the administrator must run "
            f"chmod o-w {path}"
        )


_PROFILE_KEYS = frozenset(
    {
        "id",
        "name",
        "lookup",
        "verify",
        "elements",
        "lookup_via",
        "verify_via",
        "programmes",
        "balikan_fields",
        "term_end",
        "report_months",
    }
)
_ELEMENT_KEYS = frozenset({"id", "keys", "verify_keys"})
_FIELD_KEYS = frozenset({"name", "label", "required", "format", "source"})
#: Case values a data balikan field may be carried by (instead of typed again).
FIELD_SOURCES = ("recipient_number", "programme")
_FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class _Invalid(Exception):
    """One problem in a profile file (becomes a ProfileError naming the file)."""


def _parse(path: Path) -> AgreementProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"profile {path}: cannot be read ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile {path}: not valid TOML ({exc})") from exc
    try:
        profile = _profile(data)
    except _Invalid as exc:
        raise ProfileError(f"profile {path}: {exc}") from None
    return profile


def _profile(data: dict[str, object]) -> AgreementProfile:
    _known_keys(data, _PROFILE_KEYS, "")
    lookup = _bool(_required(data, "lookup", ""), "lookup")
    verify = _bool(_required(data, "verify", ""), "verify")
    items = _required(data, "elements", "")
    if not isinstance(items, list) or not items:
        raise _Invalid("elements: at least one [[elements]] table is needed")
    elements = tuple(_element(item, index) for index, item in enumerate(items, 1))
    seen: set[str] = set()
    for element in elements:
        if element.id in seen:
            raise _Invalid(f"element {element.id!r} is listed twice")
        seen.add(element.id)
    fields = tuple(
        _field(item, index) for index, item in enumerate(_list(data, "balikan_fields"), 1)
    )
    names = [field.name for field in fields]
    for name in names:
        if names.count(name) > 1:
            raise _Invalid(f"balikan field {name!r} is defined twice")
    sources = [field.source for field in fields if field.source is not None]
    for source in sources:
        if sources.count(source) > 1:
            raise _Invalid(f"balikan fields: two fields take their value from {source!r}")
    programmes = tuple(_str(item, "programmes") for item in _list(data, "programmes"))
    if len(set(programmes)) != len(programmes):
        raise _Invalid("programmes: a programme is listed twice")
    term_end = data.get("term_end")
    if term_end is not None and (not isinstance(term_end, date) or hasattr(term_end, "hour")):
        raise _Invalid("term_end: must be a date like 2027-09-16")
    months = _months(_list(data, "report_months"))
    return AgreementProfile(
        id=_str(_required(data, "id", ""), "id"),
        name=_str(_required(data, "name", ""), "name"),
        lookup=lookup,
        verify=verify,
        elements=elements,
        lookup_via=_channel(data, "lookup_via", lookup, "lookup"),
        verify_via=_channel(data, "verify_via", verify, "verify"),
        programmes=programmes,
        balikan_fields=fields,
        term_end=term_end,
        report_months=months,
    )


def _months(values: list[object]) -> tuple[int, ...]:
    months: set[int] = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
            raise _Invalid("report_months: must be months 1 to 12, e.g. [6, 12]")
        if value in months:
            raise _Invalid(f"report_months: month {value} is listed twice")
        months.add(value)
    return tuple(sorted(months))


def _element(item: object, index: int) -> Element:
    where = f"elements[{index}]"
    if not isinstance(item, dict):
        raise _Invalid(f"{where}: must be a table")
    _known_keys(item, _ELEMENT_KEYS, where)
    element_id = _str(_required(item, "id", where), f"{where}.id")
    if element_id not in ELEMENT_LABELS:
        known = ", ".join(sorted(ELEMENT_LABELS))
        raise _Invalid(f"{where}: unknown element {element_id!r} (known: {known})")
    keys = _keys(_required(item, "keys", where), f"{where}.keys")
    verify_keys = _keys(item.get("verify_keys", list(keys)), f"{where}.verify_keys")
    return Element(element_id, keys, verify_keys)


def _field(item: object, index: int) -> BalikanField:
    where = f"balikan_fields[{index}]"
    if not isinstance(item, dict):
        raise _Invalid(f"{where}: must be a table")
    _known_keys(item, _FIELD_KEYS, where)
    name = _str(_required(item, "name", where), f"{where}.name")
    if not _FIELD_NAME.fullmatch(name):
        raise _Invalid(f"{where}.name: {name!r} must be a lower-case identifier like nop_pbb_p2")
    label = _str(_required(item, "label", where), f"{where}.label")
    required = _bool(item.get("required", False), f"{where}.required")
    pattern = item.get("format")
    if pattern is not None:
        pattern = _str(pattern, f"{where}.format")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _Invalid(f"{where}.format: not a valid regular expression ({exc})") from None
    source = item.get("source")
    if source is not None and source not in FIELD_SOURCES:
        raise _Invalid(f"{where}.source: must be one of {', '.join(FIELD_SOURCES)}")
    return BalikanField(name, label, required, pattern, source)


def _channel(data: Mapping[str, object], key: str, granted: bool, method: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if value not in ACCESS_CHANNELS:
        raise _Invalid(f"{key}: must be one of {', '.join(ACCESS_CHANNELS)}")
    if not granted:
        raise _Invalid(f"{key}: given but {method} = false")
    return str(value)


def _known_keys(table: Mapping[str, object], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        prefix = f"{where}: " if where else ""
        raise _Invalid(f"{prefix}unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")


def _required(table: Mapping[str, object], key: str, where: str) -> object:
    if key not in table:
        prefix = f"{where}: " if where else ""
        raise _Invalid(f"{prefix}required key {key!r} is missing")
    return table[key]


def _list(table: Mapping[str, object], key: str) -> list[object]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise _Invalid(f"{key}: must be a list")
    return value


def _keys(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _Invalid(f"{where}: must be a non-empty list of gateway keys")
    return tuple(_str(key, where).upper() for key in value)


def _str(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{where}: must be non-empty text")
    return value.strip()


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"{where}: must be true or false")
    return value
