"""A resident's request for the record of processing of their own data (UU 27/2022, R-28).

The audit trail stores the NIK only as a keyed hash, so the record is found by hashing
the NIK the resident gives; it lists who processed the data, when, what was done and for
which programme/purpose — never any gateway record field (none is stored).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.audit_chain import detail_mapping
from app.domain.i18n import N_, _
from app.domain.nik import Nik
from app.services.documents.page import draw_demo_watermark, official
from app.services.keys import KeyRing
from app.services.persistence.models import AuditRecord, CaseRow

ACTION_LABELS: dict[str, str] = {
    "lookup.sent": N_("Lookup sent to Dukcapil"),
    "lookup.answered": N_("Dukcapil answered"),
    "lookup.failed": N_("Lookup failed (no answer)"),
    "card.read": N_("KTP-el read at the counter"),
    "guard.refused": N_("Lookup refused by the pattern guard"),
    "guard.override": N_("Pattern guard overridden by a supervisor"),
    "balikan.queued": N_("Data balikan queued"),
    "balikan.delivered": N_("Data balikan delivered"),
    "balikan.nik_replaced": N_("Data balikan moved to the corrected NIK"),
    "case.resume_nik_mismatch": N_("Resume refused: NIK did not match"),
    "case.opened": N_("Case opened"),
    "case.check_documents": N_("Documents checked"),
    "case.cross_check": N_("Checked against the Dukcapil answer"),
    "case.approve": N_("Request approved"),
    "case.return_for_fixes": N_("Returned for fixes"),
    "case.refuse": N_("Request refused"),
    "case.complete_fixes": N_("Fixes brought in"),
    "case.issue": N_("Statement issued"),
    "case.approve_issue": N_("Request approved and statement issued"),
    "statement.printed": N_("Statement printed"),
    "case.hand_over": N_("Statement handed over"),
    "case.queue_balikan": N_("Data balikan prepared"),
    "case.close": N_("Case closed"),
    "case.hand_over_close": N_("Statement handed over, data balikan queued, case closed"),
    "case.nik_corrected": N_("NIK corrected in the same case"),
    "case.documents_rechecked": N_("Documents checked again"),
    "case.returned_closed": N_("Returned case closed: the applicant did not come back"),
    "case.returned_expired": N_("Returned case closed after the waiting time"),
    "quota.refused": N_("Lookup refused: daily quota used up"),
    "case.cancel": N_("Case cancelled"),
    "lookup.refused": N_("Lookup refused"),
    "subject_access.printed": N_("Record of processing printed for the resident"),
}
#: Actions without their own label are named by their kind, never by the internal code.
ACTION_KIND_LABELS: dict[str, str] = {
    "case": N_("Case step"),
    "lookup": N_("Lookup"),
    "card": N_("KTP-el read at the counter"),
    "guard": N_("Pattern guard"),
    "balikan": N_("Data balikan"),
}
OTHER_ACTION = N_("Other processing")


def action_label(action: str) -> str:
    """The resident-readable (translated) name of an audit action code."""
    label = ACTION_LABELS.get(action)
    if label is None:
        label = ACTION_KIND_LABELS.get(action.split(".", 1)[0], OTHER_ACTION)
    return _(label)


@dataclass(frozen=True, slots=True)
class ProcessingEvent:
    """One processing of the resident's data."""

    at: datetime
    actor: str
    counter_id: str
    action: str
    case_number: str | None
    programme: str | None
    purpose: str | None
    outcome: str | None


def processing_record(
    sessions: sessionmaker[Session], keys: KeyRing, nik: Nik
) -> list[ProcessingEvent]:
    """Every audit record about this NIK, oldest first, with the case's stated purpose.

    The records that name the NIK (lookups, answers, card reads, data balikan), and the
    steps of the resident's cases, whose records name the case only (the case row holds
    the NIK hash). A record that names another NIK (before a correction) is not listed."""
    nik_hash = keys.nik_hash(nik.value)
    with sessions() as session:
        cases = {
            row.number: row
            for row in session.execute(
                select(CaseRow).where(CaseRow.nik_hash == nik_hash)
            ).scalars()
        }
        named = select(AuditRecord).where(AuditRecord.nik_hash == nik_hash)
        found = {row.seq: row for row in session.execute(named).scalars()}
        if cases:
            steps = select(AuditRecord).where(
                AuditRecord.case_number.in_(list(cases)), AuditRecord.nik_hash.is_(None)
            )
            found.update((row.seq, row) for row in session.execute(steps).scalars())
        rows = [found[seq] for seq in sorted(found)]
        events: list[ProcessingEvent] = []
        for row in rows:
            case = cases.get(row.case_number or "")
            detail = detail_mapping(row.detail)
            events.append(
                ProcessingEvent(
                    at=row.at,
                    actor=row.actor,
                    counter_id=row.counter_id,
                    action=row.action,
                    case_number=row.case_number,
                    programme=case.programme if case else None,
                    purpose=case.purpose if case else None,
                    outcome=str(detail.get("outcome")) if detail.get("outcome") else None,
                )
            )
    return events


@official
def render_processing_record(
    events: list[ProcessingEvent],
    nik: Nik,
    agency_name: str,
    requested_by: str,
    printed_at: datetime,
    *,
    demo: bool = False,
) -> bytes:
    """The answer to the resident as PDF bytes (masked NIK; the resident proves identity),
    in Indonesian, with the DEMO watermark on every page in demo mode."""
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        invariant=True,
        title=_("Record of processing of personal data"),
        author=agency_name,
    )
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8, leading=10)
    rows = [[_("Time"), _("Officer"), _("Counter"), _("Action"), _("Case / purpose")]]
    for event in events:
        purpose = " · ".join(p for p in (event.case_number, event.programme, event.purpose) if p)
        rows.append(
            [
                f"{event.at:%d-%m-%Y %H:%M}",
                event.actor,
                event.counter_id,
                Paragraph(action_label(event.action), cell),
                Paragraph(purpose, cell),
            ]
        )
    table = Table(rows, colWidths=[28 * mm, 25 * mm, 25 * mm, 50 * mm, 52 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("GRID", (0, 0), (-1, -1), 0.4, "#888888"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story: list[object] = [
        Paragraph(agency_name, styles["Title"]),
        Paragraph(_("Record of processing of personal data"), styles["Heading2"]),
        Paragraph(
            _("NIK {nik}: {count} processing record(s). Printed {at} for {who}.").format(
                nik=nik.masked(),
                count=len(events),
                at=f"{printed_at:%d-%m-%Y %H:%M}",
                who=requested_by,
            ),
            styles["Normal"],
        ),
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 5 * mm),
        Paragraph(
            _(
                "The agency keeps no copy of the population data it received; this record "
                "lists only who processed it, when and for which purpose."
            ),
            styles["Italic"],
        ),
    ]
    if demo:
        doc.build(story, onFirstPage=_demo_page, onLaterPages=_demo_page)
    else:
        doc.build(story)
    return buffer.getvalue()


def _demo_page(canvas: Canvas, _doc: object) -> None:
    draw_demo_watermark(canvas)
