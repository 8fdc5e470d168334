"""The administrators' screen records the User-ID form fields, NDA bermaterai and SPTJM,
shows the printable User-ID form and exports the records (issue 15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.services.officer_records import OfficerRecord
from app.services.translations import install_language
from app.ui.app_window import AppWindow
from app.ui.officer_records_ui import UserIdFormDialog
from tests.pdf_check import pdf_text
from tests.ui.conftest import answering, click, settled, sign_in

STAFF_NIK = "3303014107850002"  # synthetic
STAFF_NIP = "198507012010012003"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_officer_records_from_the_admin_screen(
    qtbot: QtBot, window: AppWindow, tmp_path: Path
) -> None:
    install_language("id")
    sign_in(qtbot, window, "admin")
    window.admin_action.trigger()
    admin = window.admin
    actions = admin.records
    settled(qtbot, admin)  # the list is read off the UI thread
    settled(qtbot, actions)
    admin.select("petugas")
    qtbot.waitUntil(  # read off the UI thread
        lambda: actions.sptjm_label.text() == "SPTJM penanggung jawab: belum tercatat"
    )

    def ask_form(record: OfficerRecord, submit: Callable[[dict[str, Any]], object]) -> bool:
        form = UserIdFormDialog(record, admin, submit)
        qtbot.addWidget(form)
        form.show()
        assert form.edits["local_user_id"].text() == "petugas"
        typed = {
            "nik": STAFF_NIK[:15],  # one digit short
            "nip": STAFF_NIP,
            "position": "Analis Data",
            "office_region_code": "33.03",
            "office_name": "Dinas Sosial Kabupaten Contoh",
            "office_address": "Jl. Contoh No. 1",
        }
        for name, value in typed.items():
            form.edits[name].setText(value)
        ok = form.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        ok.click()
        qtbot.waitUntil(lambda: form.error.text() != "", timeout=10000)  # checked off the UI thread
        assert form.isVisible()
        assert form.error.text() == "NIK petugas harus tepat 16 angka (sesuai KTP-el petugas)."
        assert form.edits["nik"].text() == STAFF_NIK[:15] and form.edits["nik"].isEnabled()
        form.edits["nik"].setText(STAFF_NIK)
        ok.click()
        qtbot.waitUntil(lambda: not form.isVisible(), timeout=10000)
        return form.result() == QDialog.DialogCode.Accepted

    actions.ask_form = ask_form
    click(qtbot, actions.form_button)
    settled(qtbot, admin)  # the record is read off the UI thread, then the form opens
    record = window.services.officer_records.by_username("petugas")
    assert record.form is not None and record.form.nik == STAFF_NIK

    admin.ask = answering(
        {"nda_date": date(2026, 11, 2), "nda_reference": "NDA/12/2026", "bermaterai": True}
    )
    click(qtbot, admin.nda)
    settled(qtbot, admin)
    assert window.services.officer_records.by_username("petugas").nda_bermaterai

    actions.ask_sptjm = lambda submit: bool(
        submit(
            {
                "head_name": "KEPALA CONTOH",
                "head_position": "Kepala Dinas Sosial",
                "head_nip": "197001011995031001",
                "signed_on": date(2026, 10, 1),
                "reference": "SPTJM/01/2026",
                "bermaterai": True,
            }
        )
    )
    click(qtbot, actions.sptjm_button)
    qtbot.waitUntil(
        lambda: actions.sptjm_label.text()
        == "SPTJM SPTJM/01/2026 ditandatangani 01-10-2026 oleh KEPALA CONTOH"
    )

    shown: list[bytes] = []
    actions.show_form = shown.append
    settled(qtbot, admin)  # the list was read again after the SPTJM was recorded
    admin.select("petugas")
    click(qtbot, actions.print_button)
    qtbot.waitUntil(lambda: len(shown) == 1)  # rendered off the UI thread
    text = " ".join(pdf_text(shown[0]).split())
    assert "FORMULIR PERMOHONAN USER ID" in text and STAFF_NIK in text
    assert "( KEPALA CONTOH )" in text

    target = tmp_path / "petugas.xlsx"
    actions.ask_period = lambda: (date(2000, 1, 1), date(2100, 1, 1))
    actions.save_path = lambda _suggested: target
    click(qtbot, actions.export_button)
    qtbot.waitUntil(target.exists)  # written off the UI thread
    settled(qtbot, admin)
    book = load_workbook(target)
    rows = {row[0]: row for row in book["petugas"].iter_rows(min_row=2, values_only=True)}
    assert rows["petugas"][4] == STAFF_NIK and rows["petugas"][14] == "ya"
    kinds = [row[2] for row in book["perubahan"].iter_rows(min_row=2, values_only=True)]
    assert "NDA dicatat atau diperbarui" in kinds and "Isian formulir User ID diubah" in kinds
