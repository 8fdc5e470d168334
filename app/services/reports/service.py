"""The supervisor's reporting use cases: print, export, remind, record submissions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.clock import Clock, system_clock
from app.services.officers import NotPermitted, OfficerView, Role
from app.services.reports import REPORT_KINDS, report_title
from app.services.reports.due import DueReminder, DueRule, due_reminder, period_containing
from app.services.reports.export import export_figures
from app.services.reports.figures import ReportFigures, compute_figures
from app.services.reports.pdf import ReportHeader, render_report
from app.services.reports.submissions import (
    SubmissionView,
    list_submissions,
    record_submission,
    submitted_periods,
)
from app.services.settings import Settings


@dataclass
class ReportService:
    """Reports for supervisors (and administrators); every print and export is audited."""

    sessions: sessionmaker[Session]
    audit: AuditTrail
    settings: Settings
    clock: Clock = system_clock

    @property
    def rule(self) -> DueRule:
        """The agreement's due rule (default: Pasal 8, June and December)."""
        agreement = self.settings.agreement
        return DueRule(
            tuple(int(m) for m in agreement.report_months), agreement.report_due_working_days
        )

    def period(self, kind: str, day: date) -> tuple[date, date]:
        """The period of a ``daily`` or ``semester`` report containing ``day``."""
        if kind == "daily":
            return day, day
        if kind == "semester":
            found = period_containing(self.rule, day)
            return found.start, found.end
        raise ValueError(f"unknown report kind {kind!r}; one of {', '.join(REPORT_KINDS)}")

    def _allowed(self, officer: OfficerView) -> None:
        if not officer.has_role(Role.SUPERVISOR):
            raise NotPermitted(officer.username)

    def figures(
        self, officer: OfficerView, start: date, end: date, counters: Sequence[str] = ()
    ) -> ReportFigures:
        """The counted figures for a period (supervisors only)."""
        self._allowed(officer)
        return compute_figures(self.sessions, start, end, counters)

    def header(self, officer: OfficerView, number: str = "") -> ReportHeader:
        """The letterhead facts of a report printed by ``officer``."""
        settings = self.settings
        return ReportHeader(
            agency_name=settings.agency.name,
            agency_address=settings.agency.address,
            counter_id=settings.counter_id,
            agreement_reference=settings.agreement.reference,
            printed_by=officer.display_name,
            printed_at=self.clock(),
            demo=settings.is_demo,
            number=number,
            audit_checkpoint=self._checkpoint(),
        )

    def _checkpoint(self) -> str:
        with self.sessions() as session:
            return self.audit.current_checkpoint(session)

    def pdf(
        self,
        officer: OfficerView,
        kind: str,
        start: date,
        end: date,
        counters: Sequence[str] = (),
        number: str = "",
    ) -> bytes:
        """The report as PDF (audited as ``report.printed``)."""
        figures = self.figures(officer, start, end, counters)
        pdf = render_report(figures, self.header(officer, number), report_title(kind, start, end))
        self._audited(officer, "report.printed", kind, start, end, counters)
        return pdf

    def export(
        self,
        officer: OfficerView,
        file_format: str,
        start: date,
        end: date,
        counters: Sequence[str] = (),
    ) -> bytes:
        """The same figures as CSV or XLSX (audited as ``report.exported``)."""
        figures = self.figures(officer, start, end, counters)
        data = export_figures(figures, file_format)
        self._audited(officer, "report.exported", file_format, start, end, counters)
        return data

    def _audited(
        self,
        officer: OfficerView,
        action: str,
        kind: str,
        start: date,
        end: date,
        counters: Sequence[str],
    ) -> None:
        with self.sessions.begin() as session:
            self.audit.append(
                session,
                officer.username,
                action,
                detail={
                    "kind": kind,
                    "period": f"{start.isoformat()}/{end.isoformat()}",
                    "counters": ",".join(counters) or "*",
                },
            )

    def reminder(self) -> DueReminder | None:
        """The report owed soon (from two weeks before) or overdue, if any."""
        return due_reminder(self.rule, self.clock().date(), submitted_periods(self.sessions))

    def record_submission(
        self,
        officer: OfficerView,
        start: date,
        end: date,
        submitted_on: date,
        channel: str,
        reference: str,
    ) -> SubmissionView:
        """Record that the report for ``start``..``end`` was handed in (supervisors only)."""
        self._allowed(officer)
        return record_submission(
            self.sessions,
            self.audit,
            officer.username,
            self.settings.counter_id,
            period=(start, end),
            submitted_on=submitted_on,
            channel=channel,
            reference=reference,
            clock=self.clock,
        )

    def submissions(self) -> list[SubmissionView]:
        """Every recorded submission, newest first."""
        return list_submissions(self.sessions)
