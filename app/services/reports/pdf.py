"""The usage report as an official letter-style PDF: letterhead, number, date, signature block.

Laid out like a report an Indonesian agency hands to the Dinas: the agency's letterhead over a
double rule, the title and number centred, the period and the counters covered, the figures in
numbered sections, a per-hour chart, the closing sentence and the signature block on the right.
Counts only; built in memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.domain.i18n import N_, _, current_language
from app.services.documents.page import draw_demo_watermark
from app.services.reports.figures import ReportFigures
from app.services.reports.labels import (
    decision_label,
    guard_rule_label,
    method_label,
    outcome_label,
)


@dataclass(frozen=True, slots=True)
class ReportHeader:
    """Who the report is from and who prints it."""

    agency_name: str
    counter_id: str
    agreement_reference: str
    printed_by: str
    printed_at: datetime
    demo: bool
    agency_address: str = ""
    #: The agency's letter number for the report; blank dots when the registry assigns it later.
    number: str = ""
    signer_role: str = ""
    #: The audit trail's signed checkpoint when printed: kept on paper, outside the database's
    #: reach, it lets ``loket audit verify --checkpoint`` detect records cut or rewritten later.
    audit_checkpoint: str = ""


def long_date(day: date) -> str:
    """``1 Desember 2026`` in the installed language."""
    return format_date(day, format="long", locale=current_language())


def counters_line(figures: ReportFigures) -> str:
    """Exactly which counters the report covers (R-22: no report labelled with one counter
    while counting all of them)."""
    seen = ", ".join(figures.counters_seen) or "-"
    if figures.all_counters:
        return _(
            "All counters of the agency on this database (recorded in the period: {seen})"
        ).format(seen=seen)
    return _("Only {asked} (recorded in the period: {seen})").format(
        asked=", ".join(figures.counters_requested), seen=seen
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontSize=13, leading=16, spaceAfter=1 * mm
        ),
        "centre": ParagraphStyle("centre", parent=base["Normal"], alignment=TA_CENTER),
        "section": ParagraphStyle(
            "section", parent=base["Heading4"], spaceBefore=4 * mm, spaceAfter=1.5 * mm
        ),
        "body": ParagraphStyle("body", parent=base["Normal"], fontSize=9.5, leading=12.5),
        "closing": ParagraphStyle(
            "closing", parent=base["Normal"], fontSize=9.5, leading=12.5, alignment=TA_JUSTIFY
        ),
        "small": ParagraphStyle("small", parent=base["Normal"], fontSize=8, leading=10),
    }


def _table(rows: list[list[str]], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1 if header else 0)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ]
    table.setStyle(TableStyle(style))
    return table


def hourly_chart(by_hour: list[int], width: float = 170 * mm, height: float = 55 * mm) -> Drawing:
    """Lookups per hour of the day as a bar chart (reportlab graphics)."""
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = width - 16 * mm, height - 16 * mm
    chart.data = [list(by_hour)]
    chart.categoryAxis.categoryNames = [f"{h:02d}" for h in range(24)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max(by_hour) if any(by_hour) else 1
    chart.valueAxis.valueMax = top + max(1, top // 10)
    chart.valueAxis.valueStep = max(1, (top + 4) // 5)
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#3b6ea5")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(width / 2, 1 * mm, _("Hour of the day"), fontSize=7, textAnchor="middle"))
    return drawing


def _section(number: int, title: str, styles: dict[str, ParagraphStyle]) -> Paragraph:
    return Paragraph(f"{_roman(number)}. {title}", styles["section"])


def _roman(number: int) -> str:
    return ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII"][number]


def _count_rows(title: str, counts: dict[str, int], label: object) -> list[list[str]]:
    rows = [[title, _("Count")]]
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        rows.append([label(key) if callable(label) else key, str(count)])
    if len(rows) == 1:
        rows.append([_("(none)"), "0"])
    return rows


def report_story(figures: ReportFigures, header: ReportHeader, title: str) -> list[Flowable]:
    """The flowables of one report (letterhead excluded: it is drawn on the page)."""
    styles = _styles()
    wide, narrow = 125 * mm, 35 * mm
    number = header.number or "." * 30
    story: list[Flowable] = [
        Paragraph(
            _("REPORT ON THE USE OF NIK, POPULATION DATA AND KTP-EL").upper(), styles["title"]
        ),
        Paragraph(title, styles["centre"]),
        Paragraph(_("Number: {number}").format(number=number), styles["centre"]),
        Spacer(1, 5 * mm),
    ]
    identity = [
        [_("Period"), f"{long_date(figures.start)} – {long_date(figures.end)}"],
        [_("Counters covered"), Paragraph(counters_line(figures), styles["body"])],
        [_("Agreement (PKS)"), header.agreement_reference or "-"],
        [_("Printed at counter"), header.counter_id],
    ]
    info = Table(identity, colWidths=[48 * mm, 122 * mm], hAlign="LEFT")
    info.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [info, Spacer(1, 2 * mm)]

    story.append(_section(1, _("Summary"), styles))
    overview = [
        [_("Item"), _("Count")],
        [_("Cases opened"), str(figures.cases_opened)],
        [_("Lookups (hits)"), str(figures.hits)],
        [_("KTP-el card reads"), str(figures.card_reads)],
        [_("  of which with population data (SAM)"), str(figures.card_reads_demographic)],
        [_("Quota used (whole agency)"), str(figures.quota_used)],
    ]
    story.append(_table(overview, [wide, narrow]))

    story.append(_section(2, _("Lookups by outcome, method and officer"), styles))
    story.append(
        _table(_count_rows(_("Outcome"), figures.by_outcome, outcome_label), [wide, narrow])
    )
    story.append(Spacer(1, 2 * mm))
    story.append(_table(_count_rows(_("Method"), figures.by_method, method_label), [wide, narrow]))
    story.append(Spacer(1, 2 * mm))
    story.append(_table(_count_rows(_("Officer"), figures.by_officer, None), [wide, narrow]))

    story.append(_section(3, _("Decisions on the cases opened"), styles))
    story.append(
        _table(_count_rows(_("Decision"), figures.decisions, decision_label), [wide, narrow])
    )

    story.append(
        KeepTogether(
            [
                _section(4, _("Load per hour (lookups)"), styles),
                hourly_chart(figures.by_hour),
            ]
        )
    )

    story.append(_section(5, _("Refusals, overrides and lock-outs"), styles))
    controls = [[_("Item"), _("Count")]]
    for rule, count in sorted(figures.guard_refusals.items()):
        controls.append(
            [
                _("Refused by the pattern guard: {rule}").format(rule=guard_rule_label(rule)),
                str(count),
            ]
        )
    controls += [
        [_("Refused by the pattern guard (total)"), str(figures.guard_refusals_total)],
        [_("Allowed by a supervisor's override"), str(figures.overrides)],
        [_("Refused: daily quota used up"), str(figures.quota_refusals)],
        [_("Refused for other reasons (NDA, term, access)"), str(figures.other_refusals)],
        [
            _("Access lock-outs set by the gateway (whole agency)"),
            str(figures.access_lockouts_total),
        ],
    ]
    for kind, count in sorted(figures.access_lockouts.items()):
        controls.append(["  " + outcome_label(kind), str(count)])
    controls.append(
        [_("Officer accounts locked after failed sign-ins"), str(figures.account_lockouts)]
    )
    story.append(_table(controls, [wide, narrow]))

    story.append(_section(6, _("Data balikan (whole agency)"), styles))
    balikan = [
        [_("Item"), _("Count")],
        [_("Data balikan created"), str(figures.balikan_created)],
        [_("Data balikan delivered"), str(figures.balikan_delivered)],
        [_("Data balikan still pending (now)"), str(figures.balikan_pending)],
    ]
    story.append(_table(balikan, [wide, narrow]))
    story.append(Spacer(1, 5 * mm))
    story.append(
        Paragraph(
            _(
                "This report holds counts only and no population data. Thus this report is made "
                "truthfully, to be used as appropriate."
            ),
            styles["closing"],
        )
    )
    story.append(Spacer(1, 6 * mm))
    story.append(_signature_block(header, styles))
    return story


def _signature_block(header: ReportHeader, styles: dict[str, ParagraphStyle]) -> Flowable:
    role = header.signer_role or _("The reporting officer,")
    lines = [
        [long_date(header.printed_at.date())],
        [Paragraph(role, styles["body"])],
        [""],
        [""],
        [""],
        [f"( {header.printed_by} )"],
        [_("NIP.") + " " + "." * 28],
    ]
    block = Table(lines, colWidths=[70 * mm], hAlign="RIGHT")
    block.setStyle(
        TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9.5), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return KeepTogether([block])


PRINTED_NOTE = N_("Printed {at} by {who} · page {page} · counts only, no population data")
CHECKPOINT_NOTE = N_("Audit checkpoint: {code}")


def render_report(figures: ReportFigures, header: ReportHeader, title: str) -> bytes:
    """The report as PDF bytes."""
    buffer = io.BytesIO()
    width, height = A4

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawCentredString(width / 2, height - 18 * mm, header.agency_name.upper())
        canvas.setFont("Helvetica", 8.5)
        if header.agency_address:
            canvas.drawCentredString(width / 2, height - 23 * mm, header.agency_address)
        canvas.setLineWidth(1.4)
        canvas.line(18 * mm, height - 26 * mm, width - 18 * mm, height - 26 * mm)
        canvas.setLineWidth(0.5)
        canvas.line(18 * mm, height - 27 * mm, width - 18 * mm, height - 27 * mm)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawRightString(
            width - 18 * mm,
            10 * mm,
            _(PRINTED_NOTE).format(
                at=f"{header.printed_at:%d-%m-%Y %H:%M}", who=header.printed_by, page=doc.page
            ),
        )
        if header.audit_checkpoint:
            canvas.drawRightString(
                width - 18 * mm, 6 * mm,
                _(CHECKPOINT_NOTE).format(code=header.audit_checkpoint),
            )
        canvas.restoreState()
        if header.demo:
            draw_demo_watermark(canvas)

    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=32 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=header.agency_name,
        invariant=True,
    )
    doc.build(report_story(figures, header, title), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
