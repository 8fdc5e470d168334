"""Usage reports for supervisors (R-21, R-22): daily summary and semester report, as PDF.

Reports carry counts only — hits, outcomes, officers, quota, data balikan — never
population data. They are built in memory; the UI previews and prints them.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.i18n import N_, _
from app.domain.outcomes import OutcomeKind
from app.services.documents.page import draw_demo_watermark
from app.services.persistence.models import BalikanItem, CaseRow, LookupRow, Officer, QuotaDay

OUTCOME_LABELS: dict[str, str] = {
    OutcomeKind.FOUND.value: N_("Data found"),
    OutcomeKind.VERIFIED.value: N_("Verified by element"),
    OutcomeKind.DECEASED.value: N_("Found, deceased"),
    OutcomeKind.DUPLICATE.value: N_("Found, duplicate record"),
    OutcomeKind.NOT_FOUND.value: N_("Not found"),
    OutcomeKind.INACTIVE.value: N_("Found, inactive"),
    OutcomeKind.INVALID_FORMAT.value: N_("NIK not in Dukcapil format"),
    OutcomeKind.LOGIN_FAILED.value: N_("Login failed"),
    OutcomeKind.IP_REJECTED.value: N_("IP address rejected"),
    OutcomeKind.QUOTA_EXHAUSTED.value: N_("Quota used up"),
    OutcomeKind.INSTITUTION_INACTIVE.value: N_("Agency inactive"),
    OutcomeKind.USER_INACTIVE.value: N_("User id inactive"),
    OutcomeKind.ACCESS_TIME.value: N_("Outside access hours"),
    OutcomeKind.BAD_REQUEST.value: N_("Request refused"),
    OutcomeKind.UNKNOWN.value: N_("Unknown answer"),
    "transport_error": N_("No answer (network)"),
}


@dataclass
class UsageSummary:
    """Counts for one period."""

    start: date
    end: date
    hits: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_officer: Counter[str] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)
    cases_opened: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    quota_used: int = 0
    balikan_created: int = 0
    balikan_delivered: int = 0
    balikan_pending: int = 0


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def summarise(sessions: sessionmaker[Session], start: date, end: date) -> UsageSummary:
    """Count what happened between ``start`` and ``end`` (inclusive)."""
    low, high = _bounds(start, end)
    summary = UsageSummary(start, end)
    with sessions() as session:
        names = {o.id: o.display_name for o in session.execute(select(Officer)).scalars()}
        for lookup in session.execute(
            select(LookupRow).where(LookupRow.at >= low, LookupRow.at < high)
        ).scalars():
            summary.hits += 1
            summary.by_outcome[lookup.outcome] += 1
            summary.by_officer[names.get(lookup.officer_id, "?")] += 1
            summary.by_method[lookup.method] += 1
        for case in session.execute(
            select(CaseRow).where(CaseRow.opened_at >= low, CaseRow.opened_at < high)
        ).scalars():
            summary.cases_opened += 1
            summary.decisions[case.decision or case.state] += 1
        for day in session.execute(
            select(QuotaDay).where(QuotaDay.day >= start, QuotaDay.day <= end)
        ).scalars():
            summary.quota_used += day.used
        for item in session.execute(select(BalikanItem)).scalars():
            if low <= item.created_at < high:
                summary.balikan_created += 1
            if item.delivered_at is not None and low <= item.delivered_at < high:
                summary.balikan_delivered += 1
            if item.status != "delivered":
                summary.balikan_pending += 1
    return summary


def semester_of(day: date) -> tuple[date, date]:
    """The semester (1 Jan-30 Jun or 1 Jul-31 Dec) containing ``day``."""
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def report_due(semester_end: date, working_days: int = 10) -> date:
    """The due date: ``working_days`` working days (Mon-Fri) after the semester ends."""
    day = semester_end
    left = working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """Who the report is for."""

    agency_name: str
    counter_id: str
    agreement_reference: str
    printed_by: str
    printed_at: datetime
    demo: bool


def _table(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def render_usage_report(summary: UsageSummary, header: ReportHeader, title: str) -> bytes:
    """The PDF (counts only) as bytes."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()

    def decorate(canvas: Canvas, _doc: object) -> None:
        if not header.demo:
            return
        draw_demo_watermark(canvas)

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        title=title,
        author=header.agency_name,
        invariant=True,
    )
    period = f"{summary.start:%d-%m-%Y} – {summary.end:%d-%m-%Y}"
    story: list[object] = [
        Paragraph(header.agency_name, styles["Title"]),
        Paragraph(title, styles["Heading2"]),
        Paragraph(
            _("Period: {period} · Counter: {counter} · Agreement: {ref}").format(
                period=period, counter=header.counter_id, ref=header.agreement_reference or "-"
            ),
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    overview = [
        [_("Item"), _("Count")],
        [_("Cases opened"), str(summary.cases_opened)],
        [_("Lookups (hits)"), str(summary.hits)],
        [_("Quota used"), str(summary.quota_used)],
        [_("Data balikan created"), str(summary.balikan_created)],
        [_("Data balikan delivered"), str(summary.balikan_delivered)],
        [_("Data balikan still pending"), str(summary.balikan_pending)],
    ]
    story += [_table(overview, [110 * mm, 40 * mm]), Spacer(1, 6 * mm)]
    outcomes = [[_("Outcome"), _("Count")]] + [
        [_(OUTCOME_LABELS.get(key, key)), str(count)]
        for key, count in sorted(summary.by_outcome.items(), key=lambda kv: -kv[1])
    ]
    story += [Paragraph(_("Lookups by outcome"), styles["Heading3"])]
    story += [_table(outcomes, [110 * mm, 40 * mm]), Spacer(1, 6 * mm)]
    officers = [[_("Officer"), _("Lookups")]] + [
        [name, str(count)] for name, count in sorted(summary.by_officer.items())
    ]
    story += [Paragraph(_("Lookups by officer"), styles["Heading3"])]
    story += [_table(officers, [110 * mm, 40 * mm]), Spacer(1, 6 * mm)]
    story.append(
        Paragraph(
            _("Printed {at} by {who}. This report holds counts only, no population data.").format(
                at=f"{header.printed_at:%d-%m-%Y %H:%M}", who=header.printed_by
            ),
            styles["Italic"],
        )
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


DAILY_TITLE = N_("Daily usage summary")
SEMESTER_TITLE = N_("Semester usage report (semester {n} {year})")


def daily_report(sessions: sessionmaker[Session], day: date, header: ReportHeader) -> bytes:
    """The supervisor's daily summary."""
    return render_usage_report(summarise(sessions, day, day), header, _(DAILY_TITLE))


def semester_report(sessions: sessionmaker[Session], day: date, header: ReportHeader) -> bytes:
    """The semester report owed to Dukcapil (R-21) for the semester containing ``day``."""
    start, end = semester_of(day)
    title = _(SEMESTER_TITLE).format(n=1 if start.month == 1 else 2, year=start.year)
    return render_usage_report(summarise(sessions, start, end), header, title)
