"""The return slip (flowchart 4b): what the applicant must fix, and the case number.

The applicant keeps the slip, so it carries no population data at all: no NIK, no name, no
record field — only the agency, the case number, the date, the officer, the reasons chosen
from the fixed list and the officer's remark (held in memory only, already scrubbed of NIKs
and of every word of the answer; scrubbed of NIKs once more here). The PDF is built in
memory and returned as bytes; the caller previews and prints it, and no copy is written to
disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.domain.i18n import N_, _
from app.domain.scrub import scrub
from app.services.cases.active import ActiveCase
from app.services.documents.page import (
    A4,
    draw_label_value,
    draw_signature,
    letter_page,
    mm,
    official,
    simple_split,
)
from app.services.settings import Settings

TITLE = N_("RETURN SLIP: REQUEST TO BE COMPLETED")

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


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


@official
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
        note=_slip_note(case),
        demo=settings.is_demo,
    )


def _slip_note(case: ActiveCase) -> str:
    """The reasons, one per line, then the officer's remark."""
    lines = [f"- {reason.label}" for reason in case.reasons]
    remark = scrub(case.remark).strip()
    if remark:
        lines.append(remark)
    return "\n".join(lines)


def _paragraph(canvas: Canvas, y: float, text: str, size: int = 10, bold: bool = False) -> float:
    width, _height = A4
    font = "Helvetica-Bold" if bold else "Helvetica"
    canvas.setFont(font, size)
    for line in text.splitlines() or [""]:
        for part in simple_split(line, font, size, width - 50 * mm) or [""]:
            canvas.drawString(25 * mm, y, part)
            y -= size * 0.5 * mm
    return y


@official
def render_return_slip(slip: ReturnSlip) -> bytes:
    """The slip as PDF bytes (one A4 page)."""
    return letter_page(
        title=f"{_(TITLE)} {slip.case_number}",
        agency_name=slip.agency_name,
        agency_address=slip.agency_address,
        demo=slip.demo,
        body=lambda canvas: _slip_body(canvas, slip),
    )


def _slip_body(canvas: Canvas, slip: ReturnSlip) -> None:
    width, height = A4
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(width / 2, height - 48 * mm, _(TITLE))
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawCentredString(
        width / 2, height - 58 * mm, _("Case number: {number}").format(number=slip.case_number)
    )
    y = height - 72 * mm
    y = draw_label_value(canvas, y, _("Programme / service"), slip.programme)
    y = draw_label_value(canvas, y, _("Date"), slip.returned_at.strftime("%d-%m-%Y %H:%M"))
    y = draw_label_value(canvas, y, _("Officer"), slip.officer_name)
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
    draw_signature(canvas, _("Officer"), slip.officer_name)


@official
def render_return_slip_for(
    case: ActiveCase, settings: Settings, officer_name: str, returned_at: datetime
) -> bytes:
    """The return slip of ``case`` as PDF bytes, in memory only."""
    return render_return_slip(return_slip_for(case, settings, officer_name, returned_at))
