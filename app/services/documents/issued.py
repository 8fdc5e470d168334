"""The statement of verification / receipt handed to the applicant (R-25).

Built in memory and returned as bytes: the caller previews and prints it; no
copy is ever written to disk. The verified NIK appears only after a FOUND (or
fully matching verify-by-element) answer, never after DUPLICATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from app.domain.i18n import N_, _
from app.domain.nik import Nik
from app.domain.outcomes import ISSUABLE, OutcomeKind
from app.services.documents.page import (
    A4,
    draw_label_value,
    draw_signature,
    letter_page,
    mm,
    official,
    simple_split,
)

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


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


@official
def render_issued_document(doc: IssuedDocument) -> bytes:
    """The PDF as bytes."""
    if doc.nik is not None and doc.outcome not in ISSUABLE:
        raise NikNotPrintable(doc.outcome.name)
    return letter_page(
        title=f"{_(TITLE)} {doc.case_number}",
        agency_name=doc.agency_name,
        agency_address=doc.agency_address,
        demo=doc.demo,
        body=lambda canvas: _statement_body(canvas, doc),
    )


def _statement_body(canvas: Canvas, doc: IssuedDocument) -> None:
    width, height = A4
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(width / 2, height - 48 * mm, _(TITLE))
    canvas.setFont("Helvetica", 10)
    canvas.drawCentredString(
        width / 2, height - 54 * mm, _("Number: {number}").format(number=doc.document_number)
    )
    y = height - 70 * mm
    y = draw_label_value(canvas, y, _("Case number"), doc.case_number)
    y = draw_label_value(canvas, y, _("Programme / service"), doc.programme)
    y = draw_label_value(canvas, y, _("Date"), doc.issued_at.strftime("%d-%m-%Y %H:%M"))
    y = draw_label_value(canvas, y, _("Officer"), doc.officer_name)
    y = draw_label_value(canvas, y, _("Decision"), doc.decision)
    if doc.nik is not None:
        y = draw_label_value(canvas, y, _("Verified NIK"), doc.nik.value)
    y -= 5 * mm
    canvas.setFont("Helvetica", 9)
    text = canvas.beginText(25 * mm, y)
    for sentence in _(
        "The NIK above was checked against the population database of the Directorate "
        "General of Population and Civil Registration under the cooperation agreement. "
        "This statement contains no other population data."
    ).split(". "):
        line = sentence.strip().rstrip(".") + "."
        for part in simple_split(line, "Helvetica", 9, width - 50 * mm):
            text.textLine(part)
    canvas.drawText(text)
    draw_signature(canvas, _("Officer"), doc.officer_name)
