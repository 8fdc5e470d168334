"""Typed settings: a per-user TOML file plus a machine-wide administrator file.

The administrator file (Linux ``/etc/loket/loket.toml``, Windows
``%PROGRAMDATA%\\Loket\\loket.toml``) holds everything that decides what the
counter may do (mode, agreement, access method, endpoints, quota, counter id);
a user cannot override those keys. The user file (platform config dir) may only
set personal preferences (``[ui]``). Values are validated on load; an error
names the offending key.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w
from platformdirs import user_config_dir

from app.domain.guard_rules import GuardThresholds
from app.services.settings_checks import ACCESS_METHODS as ACCESS_METHODS
from app.services.settings_checks import GUARD_FLOORS as GUARD_FLOORS
from app.services.settings_checks import MODES as MODES
from app.services.settings_checks import SettingsError as SettingsError
from app.services.settings_checks import check_admin_file, validate

APP_NAME = "loket-ktpel"
USER_SECTIONS = frozenset({"ui"})
USER_KEYS = frozenset({"language", "idle_lock_minutes"})


@dataclass(frozen=True, slots=True)
class AgencySettings:
    """The user agency (OPD) that signed the agreement."""

    id_lembaga: str = "000000"
    name: str = "Instansi Contoh"
    address: str = ""
    programmes: tuple[str, ...] = ("PKH", "BPNT", "PBI")


@dataclass(frozen=True, slots=True)
class AgreementSettings:
    """The PKS: which elements, which access method, for how long."""

    profile: str = "purbalingga-8"
    #: No default in production: the agreements grant the web portal until a PoC (R-24).
    access_method: str = ""
    start: date | None = None
    end: date | None = None
    portal_url: str = ""
    reference: str = ""
    #: The Proof of Concept result letter that allows ``web_service`` (number and date).
    poc_letter_number: str = ""
    poc_letter_date: date | None = None
    #: A renewal requested in writing before the end (SPTJM): letter, date and the last day
    #: the administrator allows service after ``end`` while the addendum is pending.
    renewal_letter_number: str = ""
    renewal_letter_date: date | None = None
    renewal_limit: date | None = None

    @property
    def renewal_requested(self) -> bool:
        """True when a renewal request is on record."""
        return self.renewal_limit is not None
    # Pasal 8: the usage report is made in June (semester 1) and December (semester 2);
    # 0 = due by the end of that month, N = N working days after it (the due rule, R-21).
    report_months: tuple[int, ...] = (6, 12)
    report_due_working_days: int = 0


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """How to reach the Dukcapil gateway (secrets live in the secret store)."""

    base_url: str = ""
    layout: str = "consumer"
    consumer_id: str = ""
    region_code: str = ""
    instansi: str = ""
    lookup_method: str = "CALL_NIK"
    verify_method: str = "CALL_VERIFY_BY_ELEMEN"
    key_style: str = "default"
    verify_key_style: str = "upper"
    ip_user: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    certificate_file: str = ""
    certificate_sha256: str = ""
    allow_plain_http: bool = False


@dataclass(frozen=True, slots=True)
class BalikanSettings:
    """Where and how data balikan is delivered."""

    base_url: str = ""
    store_path: str = "/api/store"
    params_path: str = "/api/getparam_bylembaga"
    body_shape: str = "form"
    link_share: float = 0.95
    link_kbps: float = 1000.0
    batch_size: int = 25
    max_in_flight: int = 32
    timeout: float = 30.0
    delivery: str = "web_service"
    certificate_file: str = ""
    certificate_sha256: str = ""
    allow_plain_http: bool = False
    number_key: str = "NO_PENERIMA"
    programme_key: str = "JENIS_PROGRAM"
    note_key: str = "KETERANGAN"


@dataclass(frozen=True, slots=True)
class QuotaSettings:
    """The agency's daily hit limit (None: unlimited, after the PoC)."""

    daily_limit: int | None = 200
    warn_fractions: tuple[float, ...] = (0.8, 0.95)


#: Thresholds of the pattern guard (R-07), section ``[guard]``.
GuardSettings = GuardThresholds


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """Card reader configuration (SAM secrets live in the secret store)."""

    card_slot_patterns: tuple[str, ...] = ()
    sam_slot_patterns: tuple[str, ...] = ()
    session: str = "photo_only"
    sdk_library: str = ""
    #: Explicit slot pairs, each "card reader name | SAM reader name" (exact names).
    slot_pairs: tuple[str, ...] = ()
    #: The APDU SAM flow: "public" (the public integrations) or "legacy" (earlier guess).
    sam_flow: str = "public"
    #: Creator CRT-603 only: the SAM slot to select before opening the SAM (0 = none).
    sam_slot_select: int = 0


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long the agency keeps what it records (UU 27/2022; section ``[retention]``), in days.

    The answer kind next to a case's NIK hash goes first (0: at the first purge after the case
    closed); a closed case's NIK hash and free text later; delivered data balikan items lose
    their NIK hash and fields; confirmed export records are deleted; audit details are redacted
    (the answer kind in a closed case's audit records with the case's answer kind, the rest
    after ``audit_detail_days``) while the chain stays verifiable. Counts stay for reports.
    """

    answer_kind_days: int = 0
    case_days: int = 365
    delivered_item_days: int = 90
    export_record_days: int = 365
    #: Audit records keep their place in the chain, but their details are sealed-redacted.
    audit_detail_days: int = 365
    #: A returned case whose applicant has not come back closes after this many days (R-20).
    returned_case_days: int = 30


@dataclass(frozen=True, slots=True)
class UiSettings:
    """Personal preferences of the person at the PC."""

    language: str = "id"
    idle_lock_minutes: int = 5
    #: The administrator's maximum; the user file can only choose a shorter lock.
    idle_lock_max_minutes: int = 15


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, validated."""

    mode: str = "demo"
    counter_id: str = "LOKET-1"
    database_url: str = ""
    # PostgreSQL: the owner role's URL, used only to migrate; the app role in database_url may
    # then only INSERT/SELECT the audit table (README, "PostgreSQL roles").
    database_owner_url: str = ""
    agency: AgencySettings = field(default_factory=AgencySettings)
    agreement: AgreementSettings = field(default_factory=AgreementSettings)
    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    balikan: BalikanSettings = field(default_factory=BalikanSettings)
    quota: QuotaSettings = field(default_factory=QuotaSettings)
    guard: GuardSettings = field(default_factory=GuardSettings)
    reader: ReaderSettings = field(default_factory=ReaderSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    ui: UiSettings = field(default_factory=UiSettings)

    @property
    def is_demo(self) -> bool:
        """True in demo mode (simulator, ephemeral secrets, DEMO watermark)."""
        return self.mode == "demo"


def admin_settings_path() -> Path:
    """The machine-wide administrator file."""
    override = os.environ.get("LOKET_ADMIN_CONFIG")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(base) / "Loket" / "loket.toml"
    return Path("/etc/loket/loket.toml")


def user_settings_path() -> Path:
    """The per-user preferences file."""
    override = os.environ.get("LOKET_USER_CONFIG")
    if override:
        return Path(override)
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "settings.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: not valid TOML ({error})") from error
    except OSError as error:
        raise SettingsError(f"{path}: cannot be read ({error.strerror})") from error


def _check(key: str, value: Any, expected: Any, default: Any) -> Any:
    """Validate one value against the type of its default."""
    if expected is bool or isinstance(default, bool):
        if not isinstance(value, bool):
            raise SettingsError(f"{key}: must be true or false")
        return value
    if isinstance(default, float) or expected == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SettingsError(f"{key}: must be a number")
        return float(value)
    if isinstance(default, int) or expected == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingsError(f"{key}: must be a whole number")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str | float | int) for v in value):
            raise SettingsError(f"{key}: must be a list")
        return tuple(value)
    if expected == "date":
        if not isinstance(value, date):
            raise SettingsError(f"{key}: must be a date like 2027-09-16")
        return value
    if not isinstance(value, str):
        raise SettingsError(f"{key}: must be text")
    return value


_SECTIONS: dict[str, type[Any]] = {
    "agency": AgencySettings,
    "agreement": AgreementSettings,
    "gateway": GatewaySettings,
    "balikan": BalikanSettings,
    "quota": QuotaSettings,
    "guard": GuardSettings,
    "reader": ReaderSettings,
    "retention": RetentionSettings,
    "ui": UiSettings,
}
_TOP_LEVEL = ("mode", "counter_id", "database_url", "database_owner_url")
_SPECIAL: dict[str, Any] = {
    "agreement.start": "date",
    "agreement.end": "date",
    "agreement.poc_letter_date": "date",
    "agreement.renewal_letter_date": "date",
    "agreement.renewal_limit": "date",
    "quota.daily_limit": "int",
}


def _section(name: str, data: Any) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(data, dict):
        raise SettingsError(f"{name}: must be a table [{name}]")
    defaults = cls()
    values: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{name}.{key}"
        if key not in cls.__dataclass_fields__:
            raise SettingsError(f"{full}: unknown setting")
        default = getattr(defaults, key)
        if full == "quota.daily_limit" and value in (0, "unlimited"):
            values[key] = None
            continue
        values[key] = _check(full, value, _SPECIAL.get(full), default)
    return cls(**values)


def settings_from_dicts(admin: dict[str, Any], user: dict[str, Any] | None = None) -> Settings:
    """Build validated settings; user values apply only to user sections."""
    merged: dict[str, Any] = {}
    for key, value in admin.items():
        if key in _TOP_LEVEL:
            merged[key] = _check(key, value, None, getattr(Settings(), key))
        elif key in _SECTIONS:
            merged[key] = dict(value) if isinstance(value, dict) else value
        else:
            raise SettingsError(f"{key}: unknown setting")
    for key, value in (user or {}).items():
        if key not in USER_SECTIONS:
            continue  # the administrator decides everything else; ignored, not an error
        if not isinstance(value, dict):
            raise SettingsError(f"{key}: must be a table [{key}]")
        personal = {k: v for k, v in value.items() if k in USER_KEYS}
        base = merged.get(key, {})
        merged[key] = {**personal, **base} if isinstance(base, dict) else base
    kwargs: dict[str, Any] = {}
    for key, value in merged.items():
        kwargs[key] = _section(key, value) if key in _SECTIONS else value
    settings = Settings(**kwargs)
    if not settings.agreement.access_method and settings.mode != "production":
        # demo: the built-in simulator answers; production never gets a default
        settings = replace(
            settings, agreement=replace(settings.agreement, access_method="web_service")
        )
    ui = settings.ui
    if ui.idle_lock_minutes > ui.idle_lock_max_minutes:
        settings = replace(settings, ui=replace(ui, idle_lock_minutes=ui.idle_lock_max_minutes))
    validate(settings)
    return settings


def load_settings(admin_path: Path | None = None, user_path: Path | None = None) -> Settings:
    """Read and validate both files (a missing file contributes nothing)."""
    check_admin_file(admin_path or admin_settings_path())
    admin = _read_toml(admin_path or admin_settings_path())
    user = _read_toml(user_path or user_settings_path())
    try:
        return settings_from_dicts(admin, user)
    except SettingsError as error:
        raise SettingsError(f"{admin_path or admin_settings_path()}: {error}") from error


def is_configured(admin_path: Path | None = None) -> bool:
    """True once anything exists at the administrator path (else ``loket run`` opens the
    first-run setup); :func:`load_settings` then refuses what is not a usable file."""
    return os.path.lexists(admin_path or admin_settings_path())


def user_language(path: Path | None = None) -> str:
    """The person's saved language choice, else Indonesian (the default)."""
    ui = _read_toml(path or user_settings_path()).get("ui", {})
    chosen = ui.get("language") if isinstance(ui, dict) else None
    return chosen if chosen in ("id", "en") else "id"


def save_user_language(language: str, path: Path | None = None) -> Path:
    """Remember the person's language choice in the user file (only ``[ui]`` lives there)."""
    if language not in ("id", "en"):
        raise SettingsError("ui.language: must be id or en")
    target = path or user_settings_path()
    current = _read_toml(target).get("ui", {})
    ui = dict(current) if isinstance(current, dict) else {}
    ui["language"] = language
    personal = {key: value for key, value in ui.items() if key in USER_KEYS}
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_suffix(".tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(tomli_w.dumps({"ui": personal}).encode("utf-8"))
    os.replace(temporary, target)
    return target


def demo_settings(user_path: Path | None = None) -> Settings:
    """The embedded default: demo mode with the built-in simulator (personal ``[ui]`` kept)."""
    user = _read_toml(user_path or user_settings_path())
    return settings_from_dicts(
        {
            "mode": "demo",
            "counter_id": "LOKET-DEMO",
            "agency": {
                "id_lembaga": "330301",
                "name": "Bappelitbangda Kabupaten Contoh (DEMO)",
                "programmes": ["PKH", "BPNT", "PBI", "Beasiswa Daerah"],
            },
            "agreement": {
                "profile": "purbalingga-8",
                "access_method": "web_service",
                "start": date(2025, 9, 16),
                "end": date(2027, 9, 16),
                "reference": "PKS DEMO/001/2025",
            },
            "quota": {"daily_limit": 200},
        },
        user,
    )
