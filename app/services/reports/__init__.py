"""Usage reports for supervisors (R-21, R-22): daily, semester and any period, as PDF or figures.

Reports carry counts only — hits, outcomes, card reads, decisions, refusals, overrides,
lock-outs, officers, quota, data balikan — never population data. The figures are counted in
SQL (:mod:`.figures`); the PDF is laid out like an official report (:mod:`.pdf`); the same
figures export as CSV/XLSX (:mod:`.export`); the due rule and reminder are in :mod:`.due`;
the record of each submission in :mod:`.submissions`; :mod:`.service` ties them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from app.domain.i18n import N_, _
from app.services.reports.due import DueRule, add_working_days, period_containing
from app.services.reports.figures import ReportFigures, compute_figures
from app.services.reports.labels import OUTCOME_LABELS
from app.services.reports.pdf import ReportHeader, render_report

__all__ = [
    "OUTCOME_LABELS",
    "ReportFigures",
    "ReportHeader",
    "compute_figures",
    "daily_report",
    "period_report",
    "report_due",
    "report_title",
    "semester_of",
    "semester_report",
]

DAILY_TITLE = N_("Daily usage summary")
SEMESTER_TITLE = N_("Semester usage report (semester {n} {year})")
PERIODIC_TITLE = N_("Periodic usage report")
PERIOD_TITLE = N_("Usage report on request")
REPORT_KINDS = ("daily", "semester", "period")


def semester_of(day: date) -> tuple[date, date]:
    """The semester (1 Jan-30 Jun or 1 Jul-31 Dec) containing ``day``."""
    period = period_containing(DueRule(), day)
    return period.start, period.end


def report_due(semester_end: date, working_days: int = 10) -> date:
    """``working_days`` working days (Mon-Fri) after the semester ends (a Juknis reading)."""
    return add_working_days(semester_end, working_days)


def report_title(kind: str, start: date, end: date) -> str:
    """The report's title in the user's language."""
    if kind == "daily":
        return _(DAILY_TITLE)
    if kind == "semester":
        if (start.month, start.day, end.month, end.day) in ((1, 1, 6, 30), (7, 1, 12, 31)):
            return _(SEMESTER_TITLE).format(n=1 if end.month == 6 else 2, year=end.year)
        return _(PERIODIC_TITLE)
    return _(PERIOD_TITLE)


def period_report(
    sessions: sessionmaker[Session],
    kind: str,
    start: date,
    end: date,
    header: ReportHeader,
    counters: Sequence[str] = (),
) -> bytes:
    """The PDF for ``start``..``end`` at ``counters`` (all when empty)."""
    figures = compute_figures(sessions, start, end, counters)
    return render_report(figures, header, report_title(kind, start, end))


def daily_report(sessions: sessionmaker[Session], day: date, header: ReportHeader) -> bytes:
    """The supervisor's daily summary (every counter on the database)."""
    return period_report(sessions, "daily", day, day, header)


def semester_report(sessions: sessionmaker[Session], day: date, header: ReportHeader) -> bytes:
    """The semester report owed to Dukcapil (R-21) for the semester containing ``day``."""
    start, end = semester_of(day)
    return period_report(sessions, "semester", start, end, header)
