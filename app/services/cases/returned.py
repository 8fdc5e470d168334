"""Returned cases end (R-20): nothing owed stays hidden.

A returned case whose applicant does not come back closes after ``returned_case_days`` as
"pemohon tidak kembali", and its held data balikan item is released for sending. A supervisor
may close one earlier, and may close a case a crash left open on any counter of the agency.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.case_flow import CaseAction, CaseState, next_state
from app.domain.case_reasons import CaseReason, decode_reasons, encode_reasons
from app.domain.i18n import N_
from app.services.audit import AuditTrail
from app.services.balikan.outbox import HELD, BalikanParams, Outbox
from app.services.cases.errors import CaseError, SupervisorRequired
from app.services.clock import Clock
from app.services.officers import OfficerView, Role
from app.services.persistence.models import BalikanItem, CaseRow

log = logging.getLogger(__name__)

#: The data balikan note of a returned case whose applicant never came back (Indonesian: data
#: for Dukcapil).
NOTE_NOT_RETURNED = "PEMOHON TIDAK KEMBALI"
#: An open case counts as interrupted (closable from any counter) after this long untouched.
INTERRUPTED_AFTER = timedelta(hours=1)
SYSTEM_ACTOR = "system"

_OPEN_STATES = tuple(
    s.value
    for s in CaseState
    if s not in (CaseState.RETURNED, CaseState.CLOSED, CaseState.CANCELLED)
)


class CaseNotFound(CaseError):
    """No case with that number."""

    msgid = N_("There is no case with that number.")


class CaseNotReturned(CaseError):
    """The case is not waiting for its applicant."""

    msgid = N_("That case is not a returned case waiting for the applicant.")


class CaseNotInterrupted(CaseError):
    """The case is not open, or was used too recently to be called interrupted."""

    msgid = N_(
        "That case is not an interrupted case (it is finished, returned, or was used in the "
        "last hour on its counter)."
    )


@dataclass(frozen=True, slots=True)
class WaitingCase:
    """A returned or interrupted case as listed to supervisors (no NIK, no names)."""

    number: str
    counter_id: str
    state: str
    since: datetime
    age_days: int


def _require_supervisor(officer: OfficerView) -> None:
    if not officer.has_role(Role.SUPERVISOR):
        raise SupervisorRequired()


class ReturnedCases:
    """Ends returned cases (by age or by a supervisor) and interrupted ones, on any counter."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        audit: AuditTrail,
        clock: Clock,
        returned_days: int,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._audit = audit
        self._clock = clock
        self.returned_days = max(1, returned_days)

    # ------------------------------------------------------------------ lists
    def returned(self) -> list[WaitingCase]:
        """Every returned case of the agency, oldest first, with its age in days."""
        now = self._clock()
        with self._sessions() as session:
            rows = session.execute(
                select(CaseRow)
                .where(CaseRow.state == CaseState.RETURNED.value)
                .order_by(CaseRow.updated_at, CaseRow.id)
            ).scalars()
            return [_waiting(row, now) for row in rows]

    def interrupted(self) -> list[WaitingCase]:
        """Open cases of any counter untouched for :data:`INTERRUPTED_AFTER`: no screen
        serves them (a counter's own open cases are offered at its start-up as well)."""
        now = self._clock()
        with self._sessions() as session:
            rows = session.execute(
                select(CaseRow)
                .where(
                    CaseRow.state.in_(_OPEN_STATES),
                    CaseRow.updated_at <= now - INTERRUPTED_AFTER,
                )
                .order_by(CaseRow.opened_at, CaseRow.id)
            ).scalars()
            return [_waiting(row, now) for row in rows]

    # ------------------------------------------------------------------ ending
    def expire(self) -> list[str]:
        """Close every returned case older than ``returned_days``; the numbers closed."""
        horizon = self._clock() - timedelta(days=self.returned_days)
        with self._sessions() as session:
            numbers = list(
                session.execute(
                    select(CaseRow.number)
                    .where(
                        CaseRow.state == CaseState.RETURNED.value,
                        CaseRow.updated_at <= horizon,
                    )
                    .order_by(CaseRow.id)
                ).scalars()
            )
        closed = []
        for number in numbers:
            if self._end_returned(number, SYSTEM_ACTOR, "case.returned_expired", horizon):
                closed.append(number)
        if closed:
            log.info("returned cases closed after %d days: %d", self.returned_days, len(closed))
        return closed

    def close_returned(self, supervisor: OfficerView, number: str) -> None:
        """A supervisor closes a returned case early: the applicant will not come back."""
        _require_supervisor(supervisor)
        if not self._end_returned(number.strip(), supervisor.username, "case.returned_closed"):
            with self._sessions() as session:
                exists = session.execute(
                    select(CaseRow.id).where(CaseRow.number == number.strip())
                ).first()
            raise CaseNotReturned() if exists else CaseNotFound()

    def _end_returned(
        self, number: str, actor: str, action: str, horizon: datetime | None = None
    ) -> bool:
        """Cancel one returned case as "did not come back" and release what it owes."""
        with self._sessions.begin() as session:
            row = session.execute(
                select(CaseRow).where(CaseRow.number == number).with_for_update()
            ).scalar_one_or_none()
            if row is None or row.state != CaseState.RETURNED.value:
                return False
            if horizon is not None and row.updated_at > horizon:
                return False  # resumed or touched meanwhile
            now = self._clock()
            target = next_state(CaseState.RETURNED, CaseAction.CANCEL)
            row.state = target.value
            row.updated_at = now
            row.closed_at = now
            row.note = NOTE_NOT_RETURNED
            row.reasons = encode_reasons(
                (*decode_reasons(row.reasons), CaseReason.APPLICANT_DID_NOT_RETURN)
            )
            self._audit.append(
                session,
                actor,
                f"case.{CaseAction.CANCEL.value}",
                case_number=number,
                nik_hash=row.nik_hash,
                detail={"from": CaseState.RETURNED.value, "to": target.value},
            )
            self._audit.append(session, actor, action, case_number=number)
            self._release(session, row, actor)
        return True

    def _release(self, session: Session, row: CaseRow, actor: str) -> None:
        """The held item becomes pending, with the "did not come back" note."""
        item = session.execute(
            select(BalikanItem).where(BalikanItem.case_number == row.number)
        ).scalar_one_or_none()
        if item is None or item.status != HELD:
            if row.data_accessed and item is None:
                log.warning("returned case without a held data balikan item")
            return
        params = BalikanParams(programme=row.programme, note=NOTE_NOT_RETURNED)
        released = self._outbox.enqueue(session, row.number, "", params)
        self._audit.append(
            session,
            actor,
            "balikan.queued",
            case_number=row.number,
            nik_hash=row.nik_hash,
            detail={"item": released.id},
        )

    def check_interrupted(self, number: str) -> None:
        """Refuse a case that is not interrupted (see :meth:`interrupted`)."""
        with self._sessions() as session:
            row = session.execute(
                select(CaseRow).where(CaseRow.number == number)
            ).scalar_one_or_none()
        if row is None:
            raise CaseNotFound()
        if row.state not in _OPEN_STATES:
            raise CaseNotInterrupted()
        if row.updated_at > self._clock() - INTERRUPTED_AFTER:
            raise CaseNotInterrupted()


def _waiting(row: CaseRow, now: datetime) -> WaitingCase:
    since = row.updated_at
    return WaitingCase(
        number=row.number,
        counter_id=row.counter_id,
        state=row.state,
        since=since,
        age_days=max(0, (now - since).days),
    )
