"""The User-ID request form of one officer (form permohonan User ID), as PDF.

The fields are those the Juknis lists (seed 000 and 004: NIK, nama lengkap, nomor identitas
kepegawaian, status kepegawaian, jabatan, kode wilayah kantor, nama dan alamat kantor; seed
001 adds the user id in the agency's own application), followed by the officer's NDA, the
agency's SPTJM, and the signatures of the officer and of the responsible head.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.domain.i18n import N_, _
from app.services.documents.page import A4, letter_page, mm, official, simple_split
from app.services.officer_records import OfficerRecord, OfficerRecordError, Sptjm

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

FIELD_LABELS = (
    N_("Population identity number (NIK)"),
    N_("Full name"),
    N_("Employee identity number (NIP)"),
    N_("Employment status"),
    N_("Position"),
    N_("Office region code"),
    N_("Office name and address"),
    N_("User ID in the local application"),
)


class FormMissing(OfficerRecordError):
    """No User-ID form fields are recorded for the officer."""

    msgid = N_(
        "The User-ID form fields of this officer are not recorded yet. The administrator "
        "enters them first (NIK, NIP, employment status, position, office)."
    )


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


@official
def render_user_id_form(
    record: OfficerRecord,
    sptjm: Sptjm | None,
    *,
    agency_name: str,
    agency_address: str,
    demo: bool,
    today: date,
) -> bytes:
    """The officer's User-ID request form as PDF bytes (in memory; Indonesian)."""
    form = record.form
    if form is None:
        raise FormMissing(record.username)
    values = (
        form.nik,
        record.display_name,
        form.nip or "-",
        form.employment_status,
        form.position,
        form.office_region_code,
        f"{form.office_name}, {form.office_address}",
        form.local_user_id,
    )
    title = _("USER ID REQUEST FORM")

    def body(canvas: Canvas) -> None:
        width, height = A4
        y = height - 48 * mm
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawCentredString(width / 2, y, title)
        canvas.setFont("Helvetica", 10)
        y -= 6 * mm
        canvas.drawCentredString(width / 2, y, _("Access to population data (Dinas Dukcapil)"))
        y -= 12 * mm
        intro = _(
            "{agency} requests a User ID for access to population data for the officer below, "
            "for the service the cooperation agreement (PKS) names."
        ).format(agency=agency_name)
        for line in simple_split(intro, "Helvetica", 10, width - 45 * mm):
            canvas.drawString(22 * mm, y, line)
            y -= 5.5 * mm
        y -= 4 * mm
        for number, (label, value) in enumerate(zip(FIELD_LABELS, values, strict=True), 1):
            canvas.setFont("Helvetica", 10)
            canvas.drawString(22 * mm, y, f"{number}.")
            canvas.drawString(28 * mm, y, _(label))
            canvas.drawString(95 * mm, y, ":")
            canvas.setFont("Helvetica-Bold", 10)
            lines = simple_split(value, "Helvetica-Bold", 10, width - 120 * mm) or [""]
            for line in lines:
                canvas.drawString(98 * mm, y, line)
                y -= 6 * mm
            y -= 1.5 * mm
        y -= 4 * mm
        canvas.setFont("Helvetica", 10)
        nda = (
            _(
                "Confidentiality statement (NDA): signed {date}, reference {reference}, "
                "with duty stamp (bermaterai): {stamp}"
            ).format(
                date=f"{record.nda_date:%d-%m-%Y}",
                reference=record.nda_reference or "-",
                stamp=_yes_no(record.nda_bermaterai),
            )
            if record.nda_date is not None
            else _("Confidentiality statement (NDA): not on record")
        )
        if sptjm is not None:
            statement = _(
                "SPTJM signed by {name} ({position}) on {date}, reference {reference}, with "
                "duty stamp (bermaterai): {stamp}"
            ).format(
                name=sptjm.head_name,
                position=sptjm.head_position,
                date=f"{sptjm.signed_on:%d-%m-%Y}",
                reference=sptjm.reference,
                stamp=_yes_no(sptjm.bermaterai),
            )
        else:
            statement = _("SPTJM of the responsible head: not on record")
        for text in (nda, statement):
            for line in simple_split(text, "Helvetica", 10, width - 45 * mm):
                canvas.drawString(22 * mm, y, line)
                y -= 5.5 * mm
        _signatures(canvas, record, sptjm, today)

    return letter_page(
        title=title, agency_name=agency_name, agency_address=agency_address, demo=demo, body=body
    )


def _signatures(canvas: Canvas, record: OfficerRecord, sptjm: Sptjm | None, today: date) -> None:
    """The officer (left) and the responsible head who asks for the User ID (right)."""
    width, _height = A4
    left, right = 25 * mm, width - 85 * mm
    top = 72 * mm
    canvas.setFont("Helvetica", 10)
    canvas.drawString(right, top + 6 * mm, _("Date: {date}").format(date=f"{today:%d-%m-%Y}"))
    canvas.drawString(left, top, _("Officer requesting,"))
    canvas.drawString(right, top, _("Responsible for the User ID,"))
    position = sptjm.head_position if sptjm is not None else _("Head of the agency")
    for index, line in enumerate(simple_split(position, "Helvetica", 10, 65 * mm)[:2]):
        canvas.drawString(right, top - (5 + 5 * index) * mm, line)
    canvas.drawString(left, top - 30 * mm, f"( {record.display_name} )")
    head = sptjm.head_name if sptjm is not None else "." * 40
    canvas.drawString(right, top - 30 * mm, f"( {head} )")
    if record.form is not None and record.form.nip:
        canvas.drawString(left, top - 35 * mm, f"NIP {record.form.nip}")
    if sptjm is not None and sptjm.head_nip:
        canvas.drawString(right, top - 35 * mm, f"NIP {sptjm.head_nip}")
