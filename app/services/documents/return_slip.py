"""The return slip (flowchart 4b): what the applicant must fix, and the case number.

The applicant keeps the slip, so it carries no population data at all: no NIK, no name, no
record field — only the agency, the case number, the date, the officer and the officer's
note. A NIK typed into the note by mistake is removed. The PDF is built in memory and
returned as bytes; the caller previews and prints it, and no copy is written to disk.
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
from app.domain.nik import remove_niks
from app.services.cases.active import ActiveCase
from app.services.documents.issued import DEMO_WATERMARK, draw_demo_watermark, draw_letterhead
from app.services.settings import Settings

TITLE = N_("RETURN SLIP: REQUEST TO BE COMPLETED")


class NotReturned(ValueError):
    """Only a case returned for fixes gets a return slip."""


@dataclass(frozen=True, slots=True)
class ReturnSlip:
    """What goes on the slip: agency data and the case, nothing of the resident."""

    agency_name: str
    agency_address: str
    case_number: str
    programme: str
    officer_name: str
    returned_at: datetime
    note: str
    demo: bool


def return_slip_for(
    case: ActiveCase, settings: Settings, officer_name: str, returned_at: datetime
) -> ReturnSlip:
    """The slip of a case just returned for fixes."""
    if case.decision != "return":
        raise NotReturned(case.number)
    return ReturnSlip(
        agency_name=settings.agency.name,
        agency_address=settings.agency.address,
        case_number=case.number,
        programme=case.programme,
        officer_name=officer_name,
        returned_at=returned_at,
        note=remove_niks(case.note or "").strip(),
        demo=settings.is_demo,
    )


def _paragraph(canvas: Canvas, y: float, text: str, size: int = 10, bold: bool = False) -> float:
    width, _height = A4
    font = "Helvetica-Bold" if bold else "Helvetica"
    canvas.setFont(font, size)
    for line in text.splitlines() or [""]:
        for part in simpleSplit(line, font, size, width - 50 * mm) or [""]:
            canvas.drawString(25 * mm, y, part)
            y -= size * 0.5 * mm
    return y


def _row(canvas: Canvas, y: float, label: str, value: str) -> float:
    canvas.setFont("Helvetica", 10)
    canvas.drawString(25 * mm, y, label)
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(80 * mm, y, value)
    return float(y - 7 * mm)


def render_return_slip(slip: ReturnSlip) -> bytes:
    """The slip as PDF bytes (one A4 page)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{_(TITLE)} {slip.case_number}")
    canvas.setAuthor(slip.agency_name)
    width, height = A4
    if slip.demo:
        draw_demo_watermark(canvas)
    draw_letterhead(canvas, slip.agency_name, slip.agency_address)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(width / 2, height - 48 * mm, _(TITLE))
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawCentredString(
        width / 2, height - 58 * mm, _("Case number: {number}").format(number=slip.case_number)
    )
    y = height - 72 * mm
    y = _row(canvas, y, _("Programme / service"), slip.programme)
    y = _row(canvas, y, _("Date"), slip.returned_at.strftime("%d-%m-%Y %H:%M"))
    y = _row(canvas, y, _("Officer"), slip.officer_name)
    y -= 4 * mm
    y = _paragraph(canvas, y, _("What must be fixed or completed:"), bold=True)
    y -= 1 * mm
    y = _paragraph(canvas, y, slip.note or _("(see the officer's explanation)"), size=11)
    y -= 6 * mm
    y = _paragraph(
        canvas,
        y,
        _(
            "Fix or complete the documents above, then come back to this counter with this "
            "slip and the fixed documents. Show the case number {number}: the same request "
            "continues, and your KTP-el or documents are checked again."
        ).format(number=slip.case_number),
    )
    y -= 3 * mm
    _paragraph(canvas, y, _("This slip contains no population data."), size=8)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(width - 80 * mm, 60 * mm, _("Officer"))
    canvas.drawString(width - 80 * mm, 35 * mm, f"( {slip.officer_name} )")
    if slip.demo:
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(20 * mm, 15 * mm, DEMO_WATERMARK)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_return_slip_for(
    case: ActiveCase, settings: Settings, officer_name: str, returned_at: datetime
) -> bytes:
    """The return slip of ``case`` as PDF bytes, in memory only."""
    return render_return_slip(return_slip_for(case, settings, officer_name, returned_at))
