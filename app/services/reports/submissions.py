"""The record that a usage report was handed to the Dinas (R-21): the agency's evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import UserFacingError
from app.domain.i18n import N_, _
from app.services.audit import AuditTrail
from app.services.clock import Clock, system_clock
from app.services.persistence.supervisor_models import ReportSubmission

#: How a report reaches the Dinas (Pasal 8; R-21 amendment).
CHANNELS: dict[str, str] = {
    "hard_copy": N_("Hard copy"),
    "email": N_("E-mail to the Dinas"),
    "online": N_("Online reporting site"),
}


class SubmissionError(UserFacingError):
    """A submission record that cannot be kept as entered."""

    def __init__(self, text: str) -> None:
        super().__init__("submission")
        self._text = text

    @property
    def message(self) -> str:
        """What to fix, in the user's language."""
        return _(self._text)


@dataclass(frozen=True, slots=True)
class SubmissionView:
    """One recorded submission."""

    id: int
    period_start: date
    period_end: date
    submitted_on: date
    channel: str
    reference: str
    recorded_by: str

    @property
    def channel_label(self) -> str:
        """The channel in the user's language."""
        return _(CHANNELS.get(self.channel, self.channel))


def _view(row: ReportSubmission) -> SubmissionView:
    return SubmissionView(
        row.id,
        row.period_start,
        row.period_end,
        row.submitted_on,
        row.channel,
        row.reference,
        row.recorded_by,
    )


def record_submission(
    sessions: sessionmaker[Session],
    audit: AuditTrail,
    actor: str,
    counter_id: str,
    *,
    period: tuple[date, date],
    submitted_on: date,
    channel: str,
    reference: str,
    clock: Clock = system_clock,
) -> SubmissionView:
    """Record that the report for ``period`` was handed in (audited)."""
    start, end = period
    reference = reference.strip()
    if channel not in CHANNELS:
        raise SubmissionError(N_("Choose how the report was sent: hard copy, e-mail or online."))
    if end < start:
        raise SubmissionError(N_("The period ends before it starts."))
    if not reference:
        raise SubmissionError(
            N_("Enter the reference (letter number, e-mail subject or receipt number).")
        )
    if len(reference) > 120:
        raise SubmissionError(N_("The reference is too long (120 characters at most)."))
    if submitted_on < start or submitted_on > clock().date():
        raise SubmissionError(
            N_("The submission date must lie between the period's start and today.")
        )
    with sessions.begin() as session:
        row = ReportSubmission(
            period_start=start,
            period_end=end,
            submitted_on=submitted_on,
            channel=channel,
            reference=reference,
            recorded_at=clock(),
            recorded_by=actor,
            counter_id=counter_id,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor,
            "report.submitted",
            detail={
                "period": f"{start.isoformat()}/{end.isoformat()}",
                "channel": channel,
                "submission": row.id,
            },
        )
        return _view(row)


def list_submissions(sessions: sessionmaker[Session]) -> list[SubmissionView]:
    """Every recorded submission, newest period first."""
    with sessions() as session:
        rows = session.execute(
            select(ReportSubmission).order_by(
                ReportSubmission.period_start.desc(), ReportSubmission.id.desc()
            )
        ).scalars()
        return [_view(row) for row in rows]


def submitted_periods(sessions: sessionmaker[Session]) -> list[tuple[date, date]]:
    """The periods a submission was recorded for."""
    with sessions() as session:
        return [
            (start, end)
            for start, end in session.execute(
                select(ReportSubmission.period_start, ReportSubmission.period_end)
            )
        ]
