"""Personal-data incidents (UU 27/2022 Pasal 46, R-28): the record, the 3×24-hour deadline, and
a written notice draft for Dinas Dukcapil and the PDP authority.

An incident holds what happened, when it was discovered, which counters, and how many residents
were affected — counted from the audit trail as distinct keyed NIK hashes, never identities.
Free text is refused when it looks like it carries a NIK.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import UserFacingError
from app.domain.i18n import N_, _
from app.services.audit import AuditTrail
from app.services.clock import Clock, system_clock
from app.services.officers import NotPermitted, OfficerView, Role
from app.services.persistence.models import AuditRecord
from app.services.persistence.supervisor_models import Incident

#: The written notice is owed within 3 × 24 hours of discovery (UU 27/2022 Pasal 46(1)).
NOTICE_DEADLINE = timedelta(hours=72)
_LONG_NUMBER = re.compile(r"\d{12,}")


class IncidentError(UserFacingError):
    """An incident record that cannot be kept as entered."""

    def __init__(self, msgid: str) -> None:
        super().__init__("incident")
        self._msgid = msgid

    @property
    def message(self) -> str:
        """What to fix, in the user's language."""
        return _(self._msgid)


@dataclass(frozen=True, slots=True)
class IncidentView:
    """One incident as the supervisor sees it (counts, no identities)."""

    number: str
    summary: str
    measures: str
    occurred_from: datetime | None
    occurred_to: datetime | None
    discovered_at: datetime
    counters: tuple[str, ...]
    residents: int
    recorded_by: str
    notified_at: datetime | None

    @property
    def deadline(self) -> datetime:
        """When the written notice is due (3 × 24 hours after discovery)."""
        return self.discovered_at + NOTICE_DEADLINE

    def time_left(self, now: datetime) -> timedelta:
        """Time until the deadline (negative once past)."""
        return self.deadline - now


def _view(row: Incident) -> IncidentView:
    return IncidentView(
        row.number,
        row.summary,
        row.measures,
        row.occurred_from,
        row.occurred_to,
        row.discovered_at,
        tuple(c for c in row.counters.split(",") if c),
        row.residents,
        row.recorded_by,
        row.notified_at,
    )


def count_residents(
    session: Session, start: datetime, end: datetime, counters: Sequence[str]
) -> int:
    """Distinct residents (keyed NIK hashes) in the audit between ``start`` and ``end`` at
    ``counters`` (all when empty): a count, the hashes never leave the query."""
    query = select(func.count(func.distinct(AuditRecord.nik_hash))).where(
        AuditRecord.nik_hash.is_not(None), AuditRecord.at >= start, AuditRecord.at <= end
    )
    if counters:
        query = query.where(AuditRecord.counter_id.in_(list(counters)))
    return int(session.execute(query).scalar_one())


@dataclass
class IncidentService:
    """Record, list and notify incidents (supervisors)."""

    sessions: sessionmaker[Session]
    audit: AuditTrail
    clock: Clock = system_clock

    def record(
        self,
        officer: OfficerView,
        *,
        summary: str,
        discovered_at: datetime,
        occurred_from: datetime | None,
        occurred_to: datetime | None,
        counters: Sequence[str],
        measures: str = "",
    ) -> IncidentView:
        """Record an incident; the residents are counted from the audit for the window."""
        if not officer.has_role(Role.SUPERVISOR):
            raise NotPermitted(officer.username)
        summary, measures = summary.strip(), measures.strip()
        if not summary:
            raise IncidentError(N_("Describe what happened."))
        if _LONG_NUMBER.search(summary) or _LONG_NUMBER.search(measures):
            raise IncidentError(
                N_("The description must not hold a NIK or any other personal number.")
            )
        now = self.clock()
        if discovered_at > now:
            raise IncidentError(N_("The discovery time cannot lie in the future."))
        start = occurred_from or discovered_at - NOTICE_DEADLINE
        end = occurred_to or discovered_at
        if end < start:
            raise IncidentError(N_("The incident's end lies before its start."))
        names = sorted({c.strip() for c in counters if c.strip()})
        with self.sessions.begin() as session:
            residents = count_residents(session, start, end, names)
            sequence = session.execute(select(func.count(Incident.id))).scalar_one() + 1
            row = Incident(
                number=f"INS-{discovered_at:%Y}-{sequence:04d}",
                summary=summary,
                occurred_from=start,
                occurred_to=end,
                discovered_at=discovered_at,
                counters=",".join(names),
                residents=residents,
                measures=measures,
                recorded_at=now,
                recorded_by=officer.username,
            )
            session.add(row)
            session.flush()
            self.audit.append(
                session,
                officer.username,
                "incident.recorded",
                detail={"incident": row.number, "residents": residents},
            )
            return _view(row)

    def mark_notified(self, officer: OfficerView, number: str) -> IncidentView:
        """The written notice was sent (audited)."""
        if not officer.has_role(Role.SUPERVISOR):
            raise NotPermitted(officer.username)
        with self.sessions.begin() as session:
            row = session.execute(
                select(Incident).where(Incident.number == number)
            ).scalar_one_or_none()
            if row is None:
                raise IncidentError(N_("No incident with this number."))
            row.notified_at = self.clock()
            self.audit.append(
                session, officer.username, "incident.notified", detail={"incident": number}
            )
            return _view(row)

    def list(self) -> list[IncidentView]:
        """Every incident, newest first."""
        with self.sessions() as session:
            rows = session.execute(
                select(Incident).order_by(Incident.discovered_at.desc(), Incident.id.desc())
            ).scalars()
            return [_view(row) for row in rows]

    def get(self, number: str) -> IncidentView:
        """One incident by number."""
        for incident in self.list():
            if incident.number == number:
                return incident
        raise IncidentError(N_("No incident with this number."))
