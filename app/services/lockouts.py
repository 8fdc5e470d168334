"""Access lock-outs (R-05): gateway answers that stop every counter until cleared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.i18n import N_, _
from app.domain.outcomes import ACCESS_LOCKOUTS, OutcomeKind
from app.services.clock import Clock, system_clock
from app.services.persistence.models import Lockout

LOCKOUT_MESSAGES: dict[str, str] = {
    OutcomeKind.LOGIN_FAILED.value: N_(
        "Lookups are blocked: the gateway refused the agency's login. Call the administrator "
        "to check the user id and password; lookups stay blocked until the administrator "
        "clears this."
    ),
    OutcomeKind.IP_REJECTED.value: N_(
        "Lookups are blocked: the gateway does not accept this counter's network address. "
        "Call the administrator; lookups stay blocked until the administrator clears this."
    ),
    OutcomeKind.INSTITUTION_INACTIVE.value: N_(
        "Lookups are blocked: Dukcapil reports the agency's access as inactive. Call the "
        "administrator, who contacts Dinas Dukcapil; lookups stay blocked until cleared."
    ),
    OutcomeKind.USER_INACTIVE.value: N_(
        "Lookups are blocked: the agency's user id is inactive. Call the administrator, who "
        "contacts the Dukcapil admin; lookups stay blocked until cleared."
    ),
    OutcomeKind.QUOTA_EXHAUSTED.value: N_(
        "Lookups are blocked until tomorrow: today's access quota is used up."
    ),
    # set by ``loket decommission``: the agreement has ended at this agency
    "decommissioned": N_(
        "This counter has been decommissioned: lookups and card reads are stopped for good."
    ),
}


#: Built once: the blocks not cleared (a handful of rows at most; read on every lookup).
_NOT_CLEARED = select(Lockout.id, Lockout.kind, Lockout.code, Lockout.until_day).where(
    Lockout.cleared_at.is_(None)
)


@dataclass(frozen=True, slots=True)
class ActiveLockout:
    """A block in force."""

    id: int
    kind: str
    code: str | None
    until_day: date | None

    @property
    def message(self) -> str:
        """What to tell the officer."""
        return _(LOCKOUT_MESSAGES.get(self.kind, LOCKOUT_MESSAGES["login_failed"]))

    @property
    def needs_administrator(self) -> bool:
        """Quota blocks lift by themselves the next day; the others need an administrator."""
        return self.until_day is None


class LockoutService:
    """Sets, lists and clears blocks shared by all counters of the database."""

    def __init__(self, counter_id: str, clock: Clock = system_clock) -> None:
        self._counter_id = counter_id
        self._clock = clock

    def active(self, session: Session) -> list[ActiveLockout]:
        """Blocks in force now (Core: read on every lookup, no ORM objects)."""
        today = self._clock().date()
        return [
            ActiveLockout(id_, kind, code, until_day)
            for id_, kind, code, until_day in session.connection().execute(_NOT_CLEARED)
            if until_day is None or until_day >= today
        ]

    def set_from_outcome(
        self, session: Session, kind: OutcomeKind, code: str | None
    ) -> ActiveLockout | None:
        """Record a block if ``kind`` calls for one (idempotent per kind)."""
        if kind not in ACCESS_LOCKOUTS and kind is not OutcomeKind.QUOTA_EXHAUSTED:
            return None
        until = self._clock().date() if kind is OutcomeKind.QUOTA_EXHAUSTED else None
        for existing in self.active(session):
            if existing.kind == kind.value:
                return existing
        row = Lockout(
            kind=kind.value,
            code=code,
            set_at=self._clock(),
            set_by=self._counter_id,
            until_day=until,
        )
        session.add(row)
        session.flush()
        return ActiveLockout(row.id, row.kind, row.code, row.until_day)

    def clear_all(self, session: Session, actor: str) -> int:
        """An administrator lifts every block (after fixing the cause); returns how many."""
        count = 0
        for row in session.execute(select(Lockout).where(Lockout.cleared_at.is_(None))).scalars():
            row.cleared_at = self._clock()
            row.cleared_by = actor
            count += 1
        return count
