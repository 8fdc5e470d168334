"""First-run set-up (administrator): validate, write the administrator file, store secrets.

The UI's wizard collects the answers into a :class:`FirstRunPlan`; everything that decides
whether the answers are acceptable lives here. Secrets go to the secret store only, never to
the settings file; the pinned certificate (public) is copied next to the settings file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from app.domain.i18n import N_, _
from app.services.app_core import AppServices
from app.services.bootstrap import Core
from app.services.dukcapil.tls import certificate_sha256
from app.services.key_admin import import_keys, init_keys
from app.services.key_binding import open_keys
from app.services.key_bundle import BundleError, bundle_key_ids
from app.services.keys import KeyRing
from app.services.officers import MIN_PASSWORD_LENGTH, Role
from app.services.safe_output import OutputRefused, write_output
from app.services.secrets import BALIKAN_TOKEN, GATEWAY_PASSWORD, GATEWAY_USER, SecretStore
from app.services.settings import Settings, SettingsError, admin_settings_path, settings_from_dicts

CERTIFICATE_NAME = "gateway-cert.pem"
#: The administrator file and the certificate: owner and group (the administrators) only.
FILE_MODE = 0o640


class FirstRunError(ValueError):
    """The answers cannot be used; ``message`` says what to fix."""

    def __init__(self, msgid: str, detail: str = "") -> None:
        super().__init__(detail or msgid)
        self.msgid = msgid
        self.detail = detail

    @property
    def message(self) -> str:
        """Translated explanation (with the offending key, if any)."""
        text = _(self.msgid)
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class FirstOfficer:
    """An account created at set-up, with its NDA record (R-08)."""

    username: str
    display_name: str
    password: str
    role: Role
    nda_date: date | None
    nda_reference: str


@dataclass
class FirstRunPlan:
    """Everything the wizard collected."""

    admin: dict[str, Any]
    gateway_user: str = ""
    gateway_password: str = ""
    balikan_token: str = ""
    certificate_pem: str = ""
    officers: list[FirstOfficer] = field(default_factory=list)
    # "join an existing agency database": the agency's key bundle and its passphrase
    key_bundle: bytes | None = None
    bundle_passphrase: str = ""

    @property
    def joins_agency(self) -> bool:
        """True when this counter joins a database another counter already set up."""
        return self.key_bundle is not None


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    """TOML has no null: leave unset values out (their defaults apply)."""
    return {
        key: _without_none(value) if isinstance(value, dict) else value
        for key, value in data.items()
        if value is not None
    }


def to_toml(data: dict[str, Any]) -> str:
    """The administrator file as TOML (written by ``tomli-w``: quoting, line breaks, dates)."""
    return tomli_w.dumps(_without_none(data))


def validate_plan(plan: FirstRunPlan) -> Settings:
    """The settings the plan describes, or :class:`FirstRunError`."""
    admin = _without_none(plan.admin)
    admin["mode"] = "production"
    gateway = admin.setdefault("gateway", {})
    web_service = admin.get("agreement", {}).get("access_method") == "web_service"
    if plan.certificate_pem.strip():
        try:
            gateway["certificate_sha256"] = certificate_sha256(plan.certificate_pem)
        except ValueError as error:
            raise FirstRunError(N_("The certificate file is not a PEM certificate."), "") from error
    try:
        settings = settings_from_dicts(admin)
    except SettingsError as error:
        raise FirstRunError(N_("A setting is not valid."), str(error)) from error
    if web_service:
        if not settings.gateway.base_url:
            raise FirstRunError(N_("Enter the gateway address."), "gateway.base_url")
        if settings.gateway.base_url.startswith("https://") and not plan.certificate_pem.strip():
            raise FirstRunError(N_("Import the gateway's certificate (TLS is pinned to it)."))
        if not plan.gateway_user.strip() or not plan.gateway_password:
            raise FirstRunError(N_("Enter the gateway user id and password."))
    if plan.joins_agency:
        if not settings.database_url:
            raise FirstRunError(
                N_("Enter the address of the agency's shared database to join it."),
                "database_url",
            )
        if not plan.bundle_passphrase:
            raise FirstRunError(N_("Enter the passphrase of the agency's key bundle."))
        try:
            bundle_key_ids(plan.key_bundle or b"")
        except BundleError as error:
            raise FirstRunError(error.msgid) from error
    admins = [o for o in plan.officers if o.role is Role.ADMINISTRATOR]
    if not admins and not plan.joins_agency:
        raise FirstRunError(N_("Create at least one administrator account."))
    names = [o.username.strip().lower() for o in plan.officers]
    if len(set(names)) != len(names) or not all(names):
        raise FirstRunError(N_("Every account needs its own user name."))
    for officer in plan.officers:
        if len(officer.password) < MIN_PASSWORD_LENGTH:
            raise FirstRunError(
                N_("The password must have at least 8 characters."), officer.username
            )
        if officer.role is not Role.ADMINISTRATOR and not (
            officer.nda_date and officer.nda_reference.strip()
        ):
            raise FirstRunError(
                N_("Record the NDA date and reference of every officer."), officer.username
            )
    return settings


_CANNOT_WRITE = N_(
    "The machine-wide settings cannot be written here. Run the first-run set-up as an "
    "administrator of this PC (or let the administrator write the settings file)."
)


def apply_first_run(
    plan: FirstRunPlan, secrets: SecretStore, admin_path: Path | None = None
) -> Settings:
    """Validate, store the secrets, copy the certificate and write the administrator file."""
    settings = validate_plan(plan)
    path = admin_path or admin_settings_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        probe = path.parent / ".loket-write-test"
        probe.write_text("", encoding="ascii")
        probe.unlink()
    except OSError as error:
        # e.g. %PROGRAMDATA%\Loket is writable by administrators only, as it should be
        raise FirstRunError(_CANNOT_WRITE, f"{path.parent}: {error.strerror}") from error
    admin = _without_none(plan.admin)
    admin["mode"] = "production"
    gateway = admin.setdefault("gateway", {})
    if plan.certificate_pem.strip():
        cert = path.parent / CERTIFICATE_NAME
        try:
            write_output(cert, plan.certificate_pem.encode("ascii"), force=True, mode=FILE_MODE)
        except OutputRefused as error:
            raise FirstRunError(_CANNOT_WRITE, error.message) from error
        gateway["certificate_file"] = str(cert)
        gateway["certificate_sha256"] = settings.gateway.certificate_sha256
    if plan.gateway_user.strip():
        secrets.set(GATEWAY_USER, plan.gateway_user.strip())
    if plan.gateway_password:
        secrets.set(GATEWAY_PASSWORD, plan.gateway_password)
    if plan.balikan_token:
        secrets.set(BALIKAN_TOKEN, plan.balikan_token)
    try:
        write_output(path, to_toml(admin).encode("utf-8"), force=True, mode=FILE_MODE)
    except OutputRefused as error:
        raise FirstRunError(_CANNOT_WRITE, error.message) from error
    return settings_from_dicts(admin)


def setup_first_run_keys(core: Core, plan: FirstRunPlan, actor: str = "first-run") -> KeyRing:
    """The agency's keys for the new counter, created or imported on purpose.

    A new agency: the keys are created once (refused if the database or keyring already has
    some). Joining: the bundle's keys are imported, and refused unless they are the keys the
    shared database was written with. Either way the database's key ids are checked.
    """
    counter_id = core.settings.counter_id
    if plan.joins_agency:
        import_keys(
            core.engine,
            core.secrets,
            plan.key_bundle or b"",
            plan.bundle_passphrase,
            actor=actor,
            counter_id=counter_id,
        )
    else:
        init_keys(core.engine, core.secrets, actor, counter_id)
    core.keys = open_keys(core.engine, core.secrets)
    return core.keys


def create_first_officers(services: AppServices, plan: FirstRunPlan) -> int:
    """Create the plan's accounts (first run only: no account may exist yet)."""
    if services.officers.count():
        return 0
    for officer in plan.officers:
        services.officers.create(
            None,
            officer.username,
            officer.display_name,
            officer.password,
            officer.role,
            nda_date=officer.nda_date,
            nda_reference=officer.nda_reference.strip() or None,
            must_change_password=False,
        )
    return len(plan.officers)
