"""Officer records as an XLSX workbook (Indonesian headings): the officers with their
User-ID form fields and NDA, the SPTJM on record, and the officer changes of a period."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from app.domain.i18n import N_, _
from app.services.documents.page import official
from app.services.officer_records import CHANGE_LABELS, OfficerChange, OfficerRecord, Sptjm

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

OFFICER_COLUMNS = (
    N_("User name"),
    N_("Full name"),
    N_("Role"),
    N_("Active"),
    "NIK",
    "NIP",
    N_("Employment status"),
    N_("Position"),
    N_("Office region code"),
    N_("Office name"),
    N_("Office address"),
    N_("User ID in the local application"),
    N_("NDA date"),
    N_("NDA reference"),
    N_("NDA with duty stamp (bermaterai)"),
)
SPTJM_COLUMNS = (
    N_("Head's name"),
    N_("Head's position"),
    "NIP",
    N_("Signed on"),
    N_("Reference"),
    N_("With duty stamp (bermaterai)"),
)
ROLE_NAMES = {
    "officer": N_("Officer"),
    "supervisor": N_("Supervisor"),
    "administrator": N_("Administrator"),
}
CHANGE_COLUMNS = (N_("Date and time"), N_("User name"), N_("Change"), N_("Detail"), N_("By"))


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _day(value: date | None) -> str:
    return "" if value is None else f"{value:%d-%m-%Y}"


def officer_rows(records: Sequence[OfficerRecord]) -> list[list[str]]:
    """One row per officer, in :data:`OFFICER_COLUMNS` order (an unrecorded form: blanks)."""
    rows: list[list[str]] = []
    for record in records:
        form = record.form
        fields = (
            [
                form.nik,
                form.nip,
                form.employment_status,
                form.position,
                form.office_region_code,
                form.office_name,
                form.office_address,
                form.local_user_id,
            ]
            if form is not None
            else [""] * 8
        )
        rows.append(
            [
                record.username,
                record.display_name,
                _(ROLE_NAMES[record.role.value]),
                _yes_no(record.active),
                *fields,
                _day(record.nda_date),
                record.nda_reference or "",
                _yes_no(record.nda_bermaterai),
            ]
        )
    return rows


def change_rows(changes: Sequence[OfficerChange]) -> list[list[str]]:
    """One row per change, in :data:`CHANGE_COLUMNS` order."""
    return [
        [f"{c.at:%d-%m-%Y %H:%M}", c.username, _(CHANGE_LABELS[c.kind]), c.detail, c.actor]
        for c in changes
    ]


def _sheet(sheet: Worksheet, columns: Sequence[str], rows: list[list[str]]) -> None:
    sheet.append([_(name) for name in columns])
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=1, max_row=len(rows) + 1):
        for cell in cells:
            cell.number_format = "@"  # a 16-digit NIK or 18-digit NIP stays text
            if cell.data_type == "f":  # a value starting with "=" stays text, never a formula
                cell.data_type = "s"
    for index in range(1, len(columns) + 1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 22


@official
def officers_xlsx(
    records: Sequence[OfficerRecord],
    sptjm: Sequence[Sptjm],
    changes: Sequence[OfficerChange] = (),
) -> bytes:
    """The workbook: sheets "petugas", "sptjm" and "perubahan" (the changes given)."""
    from openpyxl import Workbook

    book = Workbook()
    officers = book.active
    assert officers is not None
    officers.title = "petugas"
    _sheet(officers, OFFICER_COLUMNS, officer_rows(records))
    statements = [
        [
            s.head_name,
            s.head_position,
            s.head_nip,
            _day(s.signed_on),
            s.reference,
            _yes_no(s.bermaterai),
        ]
        for s in sptjm
    ]
    _sheet(book.create_sheet("sptjm"), SPTJM_COLUMNS, statements)
    _sheet(book.create_sheet("perubahan"), CHANGE_COLUMNS, change_rows(changes))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
