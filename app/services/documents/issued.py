"""The statement of verification / receipt handed to the applicant (R-25).

Built in memory and returned as bytes: the caller previews and prints it; no
copy is ever written to disk. The verified NIK appears only after a FOUND (or
fully matching verify-by-element) answer, never after DUPLICATE.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from app.domain.i18n import N_, _
from app.domain.nik import Nik
from app.domain.outcomes import ISSUABLE, OutcomeKind

DEMO_WATERMARK = "DEMO / CONTOH"


class NikNotPrintable(ValueError):
    """The NIK may not be printed as verified after this outcome."""


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """What goes on the statement (agency data and the case; no gateway record fields)."""

    agency_name: str
    agency_address: str
    case_number: str
    document_number: str
    programme: str
    officer_name: str
    issued_at: datetime
    decision: str
    outcome: OutcomeKind
    nik: Nik | None
    demo: bool


TITLE = N_("STATEMENT OF NIK VERIFICATION")


def _line(canvas: Canvas, y: float, label: str, value: str) -> float:
    canvas.setFont("Helvetica", 10)
    canvas.drawString(25 * mm, y, label)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(80 * mm, y, value)
    return float(y - 7 * mm)


def draw_demo_watermark(canvas: Canvas) -> None:
    """The diagonal "DEMO / CONTOH" across the page (demo mode)."""
    width, height = A4
    canvas.saveState()
    canvas.setFont("Helvetica-Bold", 60)
    canvas.setFillGray(0.85)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, 0, DEMO_WATERMARK)
    canvas.restoreState()


def draw_letterhead(canvas: Canvas, agency_name: str, agency_address: str) -> None:
    """The agency's name and address over a rule at the top of the page."""
    width, height = A4
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(width / 2, height - 25 * mm, agency_name.upper())
    canvas.setFont("Helvetica", 9)
    if agency_address:
        canvas.drawCentredString(width / 2, height - 31 * mm, agency_address)
    canvas.setLineWidth(1.2)
    canvas.line(20 * mm, height - 35 * mm, width - 20 * mm, height - 35 * mm)


def render_issued_document(doc: IssuedDocument) -> bytes:
    """The PDF as bytes."""
    if doc.nik is not None and doc.outcome not in ISSUABLE:
        raise NikNotPrintable(doc.outcome.name)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{_(TITLE)} {doc.case_number}")
    canvas.setAuthor(doc.agency_name)
    width, height = A4
    if doc.demo:
        draw_demo_watermark(canvas)
    draw_letterhead(canvas, doc.agency_name, doc.agency_address)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(width / 2, height - 48 * mm, _(TITLE))
    canvas.setFont("Helvetica", 10)
    canvas.drawCentredString(
        width / 2, height - 54 * mm, _("Number: {number}").format(number=doc.document_number)
    )
    y = height - 70 * mm
    y = _line(canvas, y, _("Case number"), doc.case_number)
    y = _line(canvas, y, _("Programme / service"), doc.programme)
    y = _line(canvas, y, _("Date"), doc.issued_at.strftime("%d-%m-%Y %H:%M"))
    y = _line(canvas, y, _("Officer"), doc.officer_name)
    y = _line(canvas, y, _("Decision"), doc.decision)
    if doc.nik is not None:
        y = _line(canvas, y, _("Verified NIK"), doc.nik.value)
    y -= 5 * mm
    canvas.setFont("Helvetica", 9)
    text = canvas.beginText(25 * mm, y)
    for sentence in _(
        "The NIK above was checked against the population database of the Directorate "
        "General of Population and Civil Registration under the cooperation agreement. "
        "This statement contains no other population data."
    ).split(". "):
        line = sentence.strip().rstrip(".") + "."
        for part in simpleSplit(line, "Helvetica", 9, width - 50 * mm):
            text.textLine(part)
    canvas.drawText(text)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(width - 80 * mm, 60 * mm, _("Officer"))
    canvas.drawString(width - 80 * mm, 35 * mm, f"( {doc.officer_name} )")
    if doc.demo:
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(20 * mm, 15 * mm, DEMO_WATERMARK)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
