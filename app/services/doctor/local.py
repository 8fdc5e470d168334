"""Doctor checks of this PC: versions, administrator file, secret store, database, quota, term."""

from __future__ import annotations

import os
import platform
import stat
import sys
from datetime import date
from importlib import metadata
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from app import __version__
from app.domain.agreement_term import TermPhase, term_status
from app.domain.i18n import _
from app.services.access import grants_or_fallback
from app.services.doctor import Check, error, ok, warning
from app.services.persistence.db import create_db_engine, current_revision, head_revision
from app.services.persistence.models import BalikanItem, QuotaDay
from app.services.secrets import (
    BALIKAN_TOKEN,
    ENCRYPTION_KEY,
    GATEWAY_PASSWORD,
    GATEWAY_USER,
    HMAC_KEY,
    SAM_CONF,
    SAM_PCID,
    SecretStore,
    SecretStoreUnavailable,
)
from app.services.settings import Settings

_PACKAGES = ("PySide6-Essentials", "SQLAlchemy", "httpx", "reportlab", "pyscard", "keyring")


def versions() -> Check:
    """The app, Python and the main libraries."""
    parts = [f"Loket KTP-el {__version__}", f"Python {platform.python_version()}"]
    for name in _PACKAGES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} -")
    return ok("versions", ", ".join(parts))


def admin_file(settings: Settings, path: Path) -> Check:
    """The administrator file exists and only administrators can change it."""
    if settings.is_demo and not path.exists():
        return warning(
            "admin_file",
            _("no administrator file at {path}: demo mode").format(path=path),
            _("Run the first-run set-up (loket run) to configure this counter."),
        )
    try:
        info = path.stat()
    except OSError:
        return error(
            "admin_file",
            _("{path} cannot be read").format(path=path),
            _("Restore the administrator file or run the first-run set-up again."),
        )
    mode = stat.S_IMODE(info.st_mode)
    found = _("{path}, mode {mode}").format(path=path, mode=f"{mode:04o}")
    if sys.platform != "win32":
        if mode & 0o022:
            return error(
                "admin_file",
                found + " — " + _("writable by other users"),
                _("As administrator: chmod 644 {path} (owner root).").format(path=path),
            )
        if info.st_uid != 0:
            return warning(
                "admin_file",
                found + " — " + _("not owned by root"),
                _("As administrator: chown root {path}, so users cannot change it.").format(
                    path=path
                ),
            )
        if os.access(path, os.W_OK) and os.geteuid() != 0:
            return warning(
                "admin_file",
                found + " — " + _("this user can change it"),
                _("Let only administrators write the file."),
            )
    return ok("admin_file", found)


def _required_secrets(settings: Settings) -> list[str]:
    names = [HMAC_KEY, ENCRYPTION_KEY]
    if grants_or_fallback(settings).uses_web_service:
        names += [GATEWAY_USER, GATEWAY_PASSWORD]
    if settings.balikan.delivery == "web_service":
        names.append(BALIKAN_TOKEN)
    if settings.reader.session in ("apdu_sam", "vendor_sdk"):
        names += [SAM_PCID, SAM_CONF]
    return names


def secret_store(settings: Settings, store: SecretStore) -> list[Check]:
    """The store answers, and the secrets this configuration needs are set (never shown)."""
    label = str(getattr(store, "label", type(store).__name__))
    if settings.is_demo:
        return [
            ok("secret_store", _("demo mode: secrets live in memory ({label})").format(label=label))
        ]
    try:
        missing = [name for name in _required_secrets(settings) if not store.get(name)]
    except SecretStoreUnavailable as failure:
        return [
            error(
                "secret_store",
                _("{label} does not answer ({detail})").format(label=label, detail=failure),
                _("Unlock or start the operating system's keyring, then try again."),
            )
        ]
    checks = [ok("secret_store", _("{label} answers").format(label=label))]
    if missing:
        checks.append(
            error(
                "secrets",
                _("not set: {names}").format(names=", ".join(missing)),
                _("As administrator: loket secrets set NAME for each one."),
            )
        )
    else:
        checks.append(ok("secrets", _("every secret this configuration needs is set")))
    return checks


def _sqlite_file(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    database = url.split("///", 1)[-1]
    return Path(database) if database and database != ":memory:" else None


def open_database(url: str) -> tuple[Engine | None, list[Check]]:
    """Connect without creating or migrating anything; the engine when reachable."""
    path = _sqlite_file(url)
    if path is not None and not path.exists():
        return None, [
            error(
                "database",
                _("no database file at {path}").format(path=path),
                _("Start the app once (it creates the database) or restore the backup."),
            )
        ]
    try:
        engine = create_db_engine(url)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as failure:
        return None, [
            error(
                "database",
                _("not reachable ({kind})").format(kind=type(failure).__name__),
                _("Check database_url, the network to the database server and its account."),
            )
        ]
    return engine, [ok("database", _("reachable ({dialect})").format(dialect=engine.dialect.name))]


def migration_level(engine: Engine) -> Check:
    """The schema revision against this version's newest."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return ok("migration", _("schema {rev} (newest)").format(rev=current))
    return warning(
        "migration",
        _("schema {rev}, this version expects {head}").format(rev=current or "-", head=head),
        _("As administrator: loket db upgrade (a backup is taken first)."),
    )


def quota_today(engine: Engine, settings: Settings, today: date) -> Check:
    """Hits used today against the agency's daily limit."""
    with engine.connect() as connection:
        used = connection.execute(select(QuotaDay.used).where(QuotaDay.day == today)).scalar()
        pending = connection.execute(
            select(func.count()).where(BalikanItem.status != "delivered")
        ).scalar_one()
    used = int(used or 0)
    limit = settings.quota.daily_limit
    found = _("{used} of {limit} hits used today; {pending} data balikan owed").format(
        used=used, limit=limit if limit is not None else "∞", pending=pending
    )
    if limit is not None and used >= limit:
        return error("quota", found, _("No lookups until tomorrow; ask applicants to come back."))
    if limit is not None and used >= 0.8 * limit:
        return warning("quota", found, _("Use the remaining lookups only for applicants present."))
    return ok("quota", found)


def agreement_term(settings: Settings, today: date) -> Check:
    """Where today falls in the agreement's term (R-27)."""
    agreement = settings.agreement
    status = term_status(today, agreement.start, agreement.end)
    span = f"{agreement.start or '-'} – {agreement.end or '-'}"
    if status.phase is TermPhase.ACTIVE:
        return ok("agreement", _("in force {span}").format(span=span))
    if status.phase is TermPhase.RENEWAL_DUE:
        return warning(
            "agreement",
            _("ends in {days} days ({span})").format(days=status.days_left, span=span),
            _("Request the renewal from the Dinas now (at least 2 months before the end)."),
        )
    if status.phase is TermPhase.UNKNOWN:
        found = _("no end date set ({span})").format(span=span)
        action = _("Enter the agreement's start and end in the administrator file.")
        if settings.is_demo:
            return warning("agreement", found, action)
        return error("agreement", found, action)
    return error(
        "agreement",
        _("not in force today ({span})").format(span=span),
        _("No lookups or card reads are lawful: renew the agreement or decommission."),
    )
