"""Local officer accounts (R-08): argon2id passwords, roles, NDA on file, lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import UserFacingError
from app.domain.i18n import N_
from app.services.audit import AuditTrail
from app.services.clock import Clock, system_clock
from app.services.persistence.models import Officer

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8


#: argon2id with one of OWASP's recommended configurations (Password Storage Cheat Sheet:
#: 12 MiB of memory, 3 iterations, 1 lane — listed there as equal in defence to 19 MiB/t=2 and
#: 46 MiB/t=1, trading memory for CPU). A counter PC signs in with little memory to spare; the
#: library default (64 MiB, t=3, p=4) cost 64 MiB of peak memory at every sign-in. Hashes made
#: with other parameters still verify and are rehashed to these at the next sign-in.
ARGON2_MEMORY_KIB = 12 * 1024
ARGON2_TIME_COST = 3
ARGON2_PARALLELISM = 1


def password_hasher() -> PasswordHasher:
    """The counter's password hasher (argon2id, an OWASP-recommended configuration)."""
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        type=Type.ID,
    )


class Role(Enum):
    """What an account may do."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


class OfficerError(UserFacingError):
    """A refusal about accounts."""

    msgid = N_("The account action was refused.")


class LoginFailed(OfficerError):
    """Wrong user name or password (never says which)."""

    msgid = N_("Wrong user name or password.")


class AccountLocked(OfficerError):
    """Too many failed attempts."""

    msgid = N_("Too many failed attempts: the account is locked for 15 minutes.")


class AccountDisabled(OfficerError):
    """Disabled by an administrator."""

    msgid = N_("This account is disabled. Contact the administrator.")


class NdaMissing(OfficerError):
    """No NDA on file: the officer may not serve (R-08)."""

    msgid = N_(
        "No signed confidentiality statement (NDA) is on file for this officer, so lookups "
        "are not allowed. The administrator records the NDA date and reference."
    )


class NotPermitted(OfficerError):
    """The role does not allow this."""

    msgid = N_("Your role does not allow this action.")


class WeakPassword(OfficerError):
    """Password too short."""

    msgid = N_("The password must have at least 8 characters.")


class PasswordsDiffer(OfficerError):
    """The new password and its repetition are not the same."""

    msgid = N_("The new password and its repetition differ. Type the same password twice.")


class PasswordUnchanged(OfficerError):
    """The new password is the old one."""

    msgid = N_("The new password must differ from the current one.")


class WrongCurrentPassword(LoginFailed):
    """The current password given to change it is wrong."""

    msgid = N_("The current password is wrong.")


def check_new_password(new: str, repeat: str) -> None:
    """Refuse a new password that is too short or was not typed the same twice."""
    if len(new) < MIN_PASSWORD_LENGTH:
        raise WeakPassword()
    if new != repeat:
        raise PasswordsDiffer()


class DuplicateUsername(OfficerError):
    """User name already taken."""

    msgid = N_("This user name is already in use.")


@dataclass(frozen=True, slots=True)
class OfficerView:
    """What the rest of the app knows about a signed-in officer."""

    id: int
    username: str
    display_name: str
    role: Role
    nda_on_file: bool
    must_change_password: bool
    nda_date: date | None = None
    nda_reference: str | None = None

    def has_role(self, *roles: Role) -> bool:
        """True if the officer holds one of ``roles`` (administrators hold all)."""
        return self.role in roles or self.role is Role.ADMINISTRATOR

    @property
    def may_serve(self) -> bool:
        """Lookups need an NDA on file."""
        return self.nda_on_file


def _view(row: Officer) -> OfficerView:
    return OfficerView(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        nda_on_file=row.nda_date is not None and bool(row.nda_reference),
        must_change_password=row.must_change_password,
        nda_date=row.nda_date,
        nda_reference=row.nda_reference,
    )


class OfficerService:
    """Accounts: create, authenticate, NDA, disable/enable, passwords."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        audit: AuditTrail,
        clock: Clock = system_clock,
        hasher: PasswordHasher | None = None,
    ) -> None:
        self._sessions = sessions
        self._audit = audit
        self._clock = clock
        self._hasher = hasher or password_hasher()

    def _require_admin(self, actor: OfficerView | None) -> str:
        if actor is None:
            return "system"
        if actor.role is not Role.ADMINISTRATOR:
            raise NotPermitted(actor.username)
        return actor.username

    def create(
        self,
        actor: OfficerView | None,
        username: str,
        display_name: str,
        password: str,
        role: Role,
        *,
        nda_date: date | None = None,
        nda_reference: str | None = None,
        must_change_password: bool = True,
        password_hash: str | None = None,
    ) -> OfficerView:
        """Create an account (administrators only; ``actor=None`` for first-run set-up).

        ``password_hash``: an argon2 hash of ``password`` computed beforehand (the fixed demo
        accounts), so creating them costs no hashing time or memory at start-up.
        """
        who = self._require_admin(actor)
        username = username.strip().lower()
        if not username or len(username) > 64:
            raise OfficerError("username")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword()
        with self._sessions.begin() as session:
            if session.execute(select(Officer).where(Officer.username == username)).first():
                raise DuplicateUsername(username)
            row = Officer(
                username=username,
                display_name=display_name.strip() or username,
                role=role.value,
                password_hash=password_hash or self._hasher.hash(password),
                active=True,
                nda_date=nda_date,
                nda_reference=nda_reference,
                failed_logins=0,
                must_change_password=must_change_password,
                created_at=self._clock(),
            )
            session.add(row)
            session.flush()
            self._audit.append(
                session, who, "officer.created", detail={"username": username, "role": role.value}
            )
            return _view(row)

    def authenticate(self, username: str, password: str) -> OfficerView:
        """Sign in; lock the account after repeated failures.

        Failures are committed before the refusal is raised, so the counter and
        the audit record survive the error.
        """
        now = self._clock()
        username = username.strip().lower()
        refusal: OfficerError | None = None
        with self._sessions.begin() as session:
            row = session.execute(
                select(Officer).where(Officer.username == username)
            ).scalar_one_or_none()
            if row is None:
                self._hasher.hash(password)  # same cost whether or not the user exists
                self._audit.append(session, username or "?", "login.failed")
                refusal = LoginFailed()
            elif row.locked_until and row.locked_until > now:
                self._audit.append(session, username, "login.refused_locked")
                refusal = AccountLocked()
            elif not row.active:
                self._audit.append(session, username, "login.refused_disabled")
                # only who knows the password learns that the account is disabled: anyone
                # else gets the same answer as for an unknown user (no account enumeration)
                matches = self._password_matches(row.password_hash, password)
                refusal = AccountDisabled() if matches else LoginFailed()
            elif not self._password_matches(row.password_hash, password):
                row.failed_logins += 1
                if row.failed_logins >= MAX_FAILED_LOGINS:
                    row.locked_until = now + LOCKOUT
                    row.failed_logins = 0
                    self._audit.append(session, username, "login.locked")
                    refusal = AccountLocked()
                else:
                    self._audit.append(session, username, "login.failed")
                    refusal = LoginFailed()
            else:
                row.failed_logins = 0
                row.locked_until = None
                if self._hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = self._hasher.hash(password)
                self._audit.append(session, username, "login.ok")
                view = _view(row)
        if refusal is not None:
            raise refusal
        return view

    def _password_matches(self, stored: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def record_nda(
        self, actor: OfficerView | None, officer_id: int, nda_date: date, reference: str
    ) -> OfficerView:
        """Record that the officer's signed NDA is on file."""
        who = self._require_admin(actor)
        if not reference.strip():
            raise OfficerError("nda reference")
        with self._sessions.begin() as session:
            row = session.get_one(Officer, officer_id)
            row.nda_date = nda_date
            row.nda_reference = reference.strip()
            self._audit.append(
                session, who, "officer.nda_recorded", detail={"username": row.username}
            )
            return _view(row)

    def set_active(self, actor: OfficerView, officer_id: int, active: bool) -> OfficerView:
        """Disable or enable an account."""
        who = self._require_admin(actor)
        with self._sessions.begin() as session:
            row = session.get_one(Officer, officer_id)
            row.active = active
            action = "officer.enabled" if active else "officer.disabled"
            self._audit.append(session, who, action, detail={"username": row.username})
            return _view(row)

    def change_password(
        self, officer: OfficerView, old: str, new: str, repeat: str | None = None
    ) -> OfficerView:
        """The officer changes their own password (``repeat``: the new one typed again).

        Returns the officer's view with ``must_change_password`` cleared. A wrong current
        password is audited (committed) before the refusal is raised.
        """
        check_new_password(new, new if repeat is None else repeat)
        if new == old:
            raise PasswordUnchanged()
        with self._sessions.begin() as session:
            row = session.get_one(Officer, officer.id)
            wrong = not self._password_matches(row.password_hash, old)
            if wrong:
                self._audit.append(session, row.username, "officer.password_change_refused")
            else:
                row.password_hash = self._hasher.hash(new)
                row.must_change_password = False
                self._audit.append(session, row.username, "officer.password_changed")
                view = _view(row)
        if wrong:
            raise WrongCurrentPassword()
        return view

    def reset_password(self, actor: OfficerView, officer_id: int, new: str) -> None:
        """An administrator sets a temporary password (changed at next sign-in)."""
        who = self._require_admin(actor)
        if len(new) < MIN_PASSWORD_LENGTH:
            raise WeakPassword()
        with self._sessions.begin() as session:
            row = session.get_one(Officer, officer_id)
            row.password_hash = self._hasher.hash(new)
            row.must_change_password = True
            row.failed_logins = 0
            row.locked_until = None
            self._audit.append(
                session, who, "officer.password_reset", detail={"username": row.username}
            )

    def list(self) -> list[tuple[OfficerView, bool]]:
        """All accounts with their active flag."""
        with self._sessions() as session:
            rows = session.execute(select(Officer).order_by(Officer.username)).scalars()
            return [(_view(r), r.active) for r in rows]

    def count(self) -> int:
        """How many accounts exist (0 before first-run set-up)."""
        with self._sessions() as session:
            return len(session.execute(select(Officer.id)).all())
