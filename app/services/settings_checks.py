"""Validation of the settings: every rule that makes a value unusable, with the key named.

Split from :mod:`app.services.settings` (which builds the typed settings): production needs
an explicit access method, the agreement's term, the PoC letter for the web service; the
guard's rules can be tightened but not switched off; a SQLite path must be absolute; the
administrator file must be a plain file nobody else may write.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.guard_rules import GuardThresholds

if TYPE_CHECKING:
    from app.domain.access import AccessGrants
    from app.services.settings import Settings

MODES = ("demo", "production")
ACCESS_METHODS = ("web_service", "web_portal")

#: Each guard rule can be tightened, never switched off (R-07): the loosest allowed value.
GUARD_FLOORS: dict[str, int] = {
    "neighbour_window_minutes": 60,
    "neighbour_serial_distance": 5,
    "burst_window_minutes": 30,
    "min_seconds_between_lookups": 20,
}
#: A burst of this many distinct NIKs is the loosest rule allowed (fewer is tighter).
GUARD_BURST_RANGE = (2, 3)


class SettingsError(ValueError):
    """A settings file is unreadable or holds an invalid value (the message names the key)."""


def _validate_agreement(settings: Settings) -> None:
    agreement = settings.agreement
    production = settings.mode == "production"
    if agreement.access_method not in ACCESS_METHODS:
        raise SettingsError(
            f"agreement.access_method: must be one of {', '.join(ACCESS_METHODS)} (the "
            "agreement says which; web_service only after the Proof of Concept)"
        )
    if production and (agreement.start is None or agreement.end is None):
        raise SettingsError(
            "agreement.start, agreement.end: required (the term of the agreement, e.g. "
            "start = 2025-09-16, end = 2027-09-16)"
        )
    if agreement.start and agreement.end and agreement.end < agreement.start:
        raise SettingsError("agreement.end: must not be before agreement.start")
    web_service = agreement.access_method == "web_service"
    if (
        production
        and web_service
        and not (agreement.poc_letter_number.strip() and agreement.poc_letter_date)
    ):
        raise SettingsError(
            "agreement.poc_letter_number, agreement.poc_letter_date: web_service needs the "
            "Proof of Concept result letter (number and date); until then use web_portal"
        )
    renewal = (
        agreement.renewal_letter_number.strip(),
        agreement.renewal_letter_date,
        agreement.renewal_limit,
    )
    if any(renewal) and not all(renewal):
        raise SettingsError(
            "agreement.renewal_letter_number, agreement.renewal_letter_date, "
            "agreement.renewal_limit: a renewal request needs all three"
        )
    if agreement.renewal_limit is not None:
        if agreement.end is None or agreement.renewal_limit <= agreement.end:
            raise SettingsError("agreement.renewal_limit: must be after agreement.end")
        if agreement.renewal_letter_date and agreement.end < agreement.renewal_letter_date:
            raise SettingsError(
                "agreement.renewal_letter_date: the renewal must be requested before agreement.end"
            )


def _validate_guard(guard: GuardThresholds) -> None:
    for name, floor in GUARD_FLOORS.items():
        if getattr(guard, name) < floor:
            raise SettingsError(
                f"guard.{name}: must be at least {floor} (a rule can be tightened, not "
                "switched off)"
            )
    low, high = GUARD_BURST_RANGE
    if not low <= guard.burst_count <= high:
        raise SettingsError(
            f"guard.burst_count: must be between {low} and {high} (a rule can be tightened, "
            "not switched off)"
        )


def _validate_database_url(url: str) -> None:
    if not url:
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise SettingsError(f"database_url: not a database address ({error})") from error
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).is_absolute():
            raise SettingsError(
                "database_url: a SQLite file needs an absolute path "
                "(sqlite:////var/lib/loket/loket.sqlite3)"
            )
    elif parsed.get_backend_name() != "postgresql":
        raise SettingsError("database_url: must be postgresql://… or sqlite:////absolute/path")


def validate(settings: Settings) -> None:
    if settings.mode not in MODES:
        raise SettingsError(f"mode: must be one of {', '.join(MODES)}")
    _validate_agreement(settings)
    _validate_database_url(settings.database_url)
    agreement = settings.agreement
    months = agreement.report_months
    if not months or any(not isinstance(m, int) or not 1 <= m <= 12 for m in months):
        raise SettingsError("agreement.report_months: list months 1-12, e.g. [6, 12]")
    if len(set(months)) != len(months) or not 0 <= agreement.report_due_working_days <= 60:
        raise SettingsError("agreement.report_due_working_days: 0-60, months without repeats")
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
    if not 1 <= balikan.max_in_flight <= 64:
        raise SettingsError("balikan.max_in_flight: must be between 1 and 64")
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
    _validate_guard(settings.guard)
    if settings.reader.session not in ("photo_only", "vendor_sdk", "apdu_sam", "simulated"):
        raise SettingsError("reader.session: must be photo_only, vendor_sdk, apdu_sam or simulated")
    if settings.reader.sam_flow not in ("public", "legacy"):
        raise SettingsError("reader.sam_flow: must be public or legacy")
    if not 0 <= settings.reader.sam_slot_select <= 255:
        raise SettingsError("reader.sam_slot_select: must be between 0 and 255")
    for pair in settings.reader.slot_pairs:
        if pair.count("|") != 1 or not all(part.strip() for part in pair.split("|")):
            raise SettingsError("reader.slot_pairs: each must be 'card reader | SAM reader'")
    if settings.reader.session == "simulated" and settings.mode == "production":
        raise SettingsError("reader.session: the simulated reader is refused in production")
    from app.services.settings import RetentionSettings

    for name in RetentionSettings.__dataclass_fields__:
        if not 0 <= getattr(settings.retention, name) <= 36500:
            raise SettingsError(f"retention.{name}: must be 0-36500 days")
    if settings.retention.returned_case_days < 1:
        raise SettingsError("retention.returned_case_days: must be at least 1 day")
    if settings.ui.language not in ("id", "en"):
        raise SettingsError("ui.language: must be id or en")
    if settings.ui.idle_lock_minutes < 1:
        raise SettingsError("ui.idle_lock_minutes: must be at least 1")
    if not 1 <= settings.ui.idle_lock_max_minutes <= 240:
        raise SettingsError("ui.idle_lock_max_minutes: must be between 1 and 240")


def check_admin_file(path: Path) -> None:
    """Refuse an administrator file that is not a plain file, or that others may write."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if os.path.lexists(path):
            raise SettingsError(
                f"{path}: is a link to a file that does not exist; the administrator "
                "replaces it with the settings file"
            ) from None
        return
    except OSError as error:
        raise SettingsError(f"{path}: cannot be read ({error.strerror})") from error
    if not stat.S_ISREG(info.st_mode):
        raise SettingsError(
            f"{path}: exists but is not a file; the administrator replaces it with the "
            "settings file (demo mode is never chosen for a configured PC)"
        )
    if os.name == "posix" and info.st_mode & stat.S_IWOTH:
        raise SettingsError(
            f"{path}: every user of this PC may change it; the administrator must run "
            f"chmod o-w {path}"
        )


def grants_problem(settings: Settings, grants: AccessGrants) -> str | None:
    """What the agreement's grants need that the settings lack (English, names the key), or
    None. Checked at start with the profile: a method granted by the web service needs the
    PoC result letter in production, one granted by the web portal needs the portal address,
    and an agreement that grants nothing cannot serve."""
    agreement = settings.agreement
    if not grants.offered:
        return (
            f"agreement.profile: {agreement.profile!r} grants neither lookup nor verify by "
            "element; choose the agreement's profile"
        )
    if settings.mode != "production":
        return None
    if grants.uses_web_service and not (
        agreement.poc_letter_number.strip() and agreement.poc_letter_date
    ):
        return (
            "agreement.poc_letter_number, agreement.poc_letter_date: the agreement grants "
            f"access by web service ({grants.summary}); that needs the Proof of Concept result "
            "letter (number and date)"
        )
    if grants.uses_web_portal and not agreement.portal_url:
        return (
            f"agreement.portal_url: the agreement grants access by web portal ({grants.summary}); "
            "set the portal address"
        )
    return None
