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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from app.domain.guard_rules import GuardThresholds

APP_NAME = "loket-ktpel"
MODES = ("demo", "production")
ACCESS_METHODS = ("web_service", "web_portal")
USER_SECTIONS = frozenset({"ui"})


class SettingsError(ValueError):
    """A settings file is unreadable or holds an invalid value (the message names the key)."""


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
    access_method: str = "web_service"
    start: date | None = None
    end: date | None = None
    portal_url: str = ""
    reference: str = ""


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
    link_share: float = 0.3
    link_kbps: float = 1000.0
    batch_size: int = 25
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


@dataclass(frozen=True, slots=True)
class UiSettings:
    """Personal preferences of the person at the PC."""

    language: str = "id"
    idle_lock_minutes: int = 5


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, validated."""

    mode: str = "demo"
    counter_id: str = "LOKET-1"
    database_url: str = ""
    agency: AgencySettings = field(default_factory=AgencySettings)
    agreement: AgreementSettings = field(default_factory=AgreementSettings)
    gateway: GatewaySettings = field(default_factory=GatewaySettings)
    balikan: BalikanSettings = field(default_factory=BalikanSettings)
    quota: QuotaSettings = field(default_factory=QuotaSettings)
    guard: GuardSettings = field(default_factory=GuardSettings)
    reader: ReaderSettings = field(default_factory=ReaderSettings)
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
    "ui": UiSettings,
}
_TOP_LEVEL = ("mode", "counter_id", "database_url")
_SPECIAL: dict[str, Any] = {
    "agreement.start": "date",
    "agreement.end": "date",
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


def _validate(settings: Settings) -> None:
    if settings.mode not in MODES:
        raise SettingsError(f"mode: must be one of {', '.join(MODES)}")
    agreement = settings.agreement
    if agreement.access_method not in ACCESS_METHODS:
        raise SettingsError(f"agreement.access_method: must be one of {', '.join(ACCESS_METHODS)}")
    if agreement.start and agreement.end and agreement.end < agreement.start:
        raise SettingsError("agreement.end: must not be before agreement.start")
    portal = agreement.access_method == "web_portal"
    if portal and settings.mode == "production" and not agreement.portal_url:
        raise SettingsError("agreement.portal_url: required with access_method web_portal")
    agency = settings.agency
    if not (len(agency.id_lembaga) == 6 and agency.id_lembaga.isdigit()):
        raise SettingsError("agency.id_lembaga: must be 6 digits")
    if not agency.programmes:
        raise SettingsError("agency.programmes: list at least one programme")
    gateway = settings.gateway
    if gateway.layout not in ("consumer", "regional"):
        raise SettingsError("gateway.layout: must be consumer or regional")
    for name in ("key_style", "verify_key_style"):
        if getattr(gateway, name) not in ("default", "lower", "upper"):
            raise SettingsError(f"gateway.{name}: must be default, lower or upper")
    if gateway.connect_timeout <= 0 or gateway.read_timeout <= 0:
        raise SettingsError("gateway.read_timeout: timeouts must be greater than 0")
    if gateway.base_url.startswith("http://") and not gateway.allow_plain_http:
        raise SettingsError(
            "gateway.base_url: plain http needs gateway.allow_plain_http = true (set by the "
            "administrator only where the closed network requires it)"
        )
    if settings.balikan.body_shape not in ("form", "batch"):
        raise SettingsError("balikan.body_shape: must be form or batch")
    balikan = settings.balikan
    if not 0 < balikan.link_share <= 1:
        raise SettingsError("balikan.link_share: must be between 0 and 1")
    if balikan.link_kbps <= 0:
        raise SettingsError("balikan.link_kbps: must be greater than 0")
    if not 1 <= balikan.batch_size <= 500:
        raise SettingsError("balikan.batch_size: must be between 1 and 500")
    if balikan.timeout <= 0:
        raise SettingsError("balikan.timeout: must be greater than 0")
    if balikan.delivery not in ("web_service", "file"):
        raise SettingsError("balikan.delivery: must be web_service or file")
    if balikan.base_url.startswith("http://") and not balikan.allow_plain_http:
        raise SettingsError(
            "balikan.base_url: plain http needs balikan.allow_plain_http = true (set by the "
            "administrator only where the closed network requires it)"
        )
    quota = settings.quota
    if quota.daily_limit is not None and quota.daily_limit < 1:
        raise SettingsError("quota.daily_limit: must be at least 1 (or 0 for unlimited)")
    if not all(0 < f < 1 for f in quota.warn_fractions):
        raise SettingsError("quota.warn_fractions: each must be between 0 and 1")
    guard = settings.guard
    for name in guard.__dataclass_fields__:
        if getattr(guard, name) < 0:
            raise SettingsError(f"guard.{name}: must not be negative")
    if settings.reader.session not in ("photo_only", "vendor_sdk", "apdu_sam", "simulated"):
        raise SettingsError("reader.session: must be photo_only, vendor_sdk, apdu_sam or simulated")
    if settings.reader.session == "simulated" and settings.mode == "production":
        raise SettingsError("reader.session: the simulated reader is refused in production")
    if settings.ui.language not in ("id", "en"):
        raise SettingsError("ui.language: must be id or en")
    if settings.ui.idle_lock_minutes < 1:
        raise SettingsError("ui.idle_lock_minutes: must be at least 1")


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
        base = merged.get(key, {})
        merged[key] = {**value, **base} if isinstance(base, dict) else value
    kwargs: dict[str, Any] = {}
    for key, value in merged.items():
        kwargs[key] = _section(key, value) if key in _SECTIONS else value
    settings = Settings(**kwargs)
    _validate(settings)
    return settings


def load_settings(admin_path: Path | None = None, user_path: Path | None = None) -> Settings:
    """Read and validate both files (a missing file contributes nothing)."""
    admin = _read_toml(admin_path or admin_settings_path())
    user = _read_toml(user_path or user_settings_path())
    try:
        return settings_from_dicts(admin, user)
    except SettingsError as error:
        raise SettingsError(f"{admin_path or admin_settings_path()}: {error}") from error


def is_configured(admin_path: Path | None = None) -> bool:
    """True once an administrator file exists (else ``loket run`` opens first-run setup)."""
    return (admin_path or admin_settings_path()).is_file()


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
    lines = ["[ui]"]
    for key, value in ui.items():
        if key not in UiSettings.__dataclass_fields__:
            continue
        rendered = f'"{value}"' if isinstance(value, str) else str(int(value))
        lines.append(f"{key} = {rendered}")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_suffix(".tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
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
