"""Printing without a printer, the lock screen, officer admin, language of the demo hints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.domain.outcomes import OutcomeKind
from app.services.demo import DemoWorld
from app.services.documents.statement import render_statement
from app.services.settings import demo_settings
from app.services.translations import install_language
from app.ui.app_window import AppWindow
from app.ui.document_preview import DocumentPreview
from app.ui.main import demo_window, first_run_wizard
from app.ui.officers_admin import OfficerDialog
from app.ui.reader_bridge import SimulatedReader
from tests.services.cases.conftest import World
from tests.services.test_ui_support import _case
from tests.ui.conftest import click, settled, sign_in


def test_no_printer_installed_is_said_plainly(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_language("id")
    preview = DocumentPreview()
    qtbot.addWidget(preview)
    preview.show_pdf(
        render_statement(_case(OutcomeKind.FOUND), demo_settings(), "Petugas", datetime(2026, 1, 5))
    )
    assert preview.loaded
    preview.printer_names = lambda: []
    opened: list[object] = []
    preview.print_dialog_factory = lambda *args: opened.append(args)  # type: ignore[assignment,misc,return-value]
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text, *rest: shown.append((title, text))
    )
    assert preview.print_document() is False
    assert opened == []  # no print dialog over no printer
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Belum ada printer"
    assert "Belum ada printer yang terpasang" in text
    assert "PDF" not in text and "berkas" not in text.lower()


def _fits(widget: QWidget) -> bool:
    """The widget got at least the height it needs at its width."""
    needed = widget.heightForWidth(widget.width())
    needed = needed if needed > 0 else widget.minimumSizeHint().height()
    return widget.height() >= needed


def test_lock_screen_fields_and_notice_get_their_full_height(
    qtbot: QtBot, window: AppWindow
) -> None:
    window.resize(1366, 768)
    sign_in(qtbot, window)
    window.lock()
    login = window.login
    qtbot.waitUntil(lambda: login.lock_notice.isVisible())
    QApplication.processEvents()
    assert "dikunci" in login.lock_notice.text()
    for widget in (login.lock_notice, login.username, login.password, login.language_box):
        assert _fits(widget), (widget.objectName(), widget.height())
    for wrapped in (login.lock_notice, login.demo_label):
        assert wrapped.geometry().bottom() <= wrapped.parentWidget().contentsRect().bottom()
        assert wrapped.height() >= wrapped.heightForWidth(wrapped.width())


def test_record_of_processing_preview_does_not_say_counts_only(
    qtbot: QtBot, window: AppWindow
) -> None:
    from app.ui.reports_dialog import open_processing_record

    install_language("id")
    sign_in(qtbot, window, "supervisor")
    assert window.officer is not None
    dialog = open_processing_record(window, window.services, window.officer, "3303014505900001")
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview.loaded, timeout=10000)  # built off the UI thread
    notice = dialog.preview.notice.text()
    assert notice == "Dokumen ditampilkan dari memori; tidak ada salinan yang disimpan."
    dialog.done(0)


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_short_password_keeps_the_form_open_with_the_input(qtbot: QtBot, window: AppWindow) -> None:
    install_language("id")
    sign_in(qtbot, window, "admin")
    window.admin_action.trigger()
    admin = window.admin
    settled(qtbot, admin)
    admin.select("petugas2")
    forms: list[OfficerDialog] = []

    def ask(mode: str, submit: Callable[[dict[str, Any]], object]) -> bool:
        form = OfficerDialog(mode, admin, submit)
        qtbot.addWidget(form)
        form.show()
        forms.append(form)
        form.password.setText("pendek")
        form.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert not form.buttons.isEnabled()  # handed over off the UI thread: no second submit
        qtbot.waitUntil(lambda: form.error.text() != "", timeout=10000)
        assert form.isVisible()  # refused: still open
        assert form.error.text() == "Kata sandi minimal 8 karakter."
        assert form.password.text() == "pendek"  # nothing typed is lost
        assert form.password.isEnabled() and form.buttons.isEnabled()
        form.password.setText("pendek-tapi-cukup")
        form.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: not form.isVisible(), timeout=10000)
        return form.result() == QDialog.DialogCode.Accepted

    admin.ask = ask
    click(qtbot, admin.reset_button)
    assert len(forms) == 1 and not forms[0].isVisible()
    settled(qtbot, admin)
    assert admin.message.styleSheet() == "color:#1b5e20;"
    assert window.services.officers.authenticate("petugas2", "pendek-tapi-cukup").username == (
        "petugas2"
    )


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_nda_date_must_be_entered(qtbot: QtBot) -> None:
    install_language("id")
    submitted: list[dict[str, Any]] = []
    form = OfficerDialog("nda", None, submitted.append)
    qtbot.addWidget(form)
    form.show()
    assert form.values()["nda_date"] is None  # no default date
    form.nda_reference.setText("NDA/9/2026")
    form.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert submitted == [] and form.isVisible()
    assert form.error.text() == "Isi tanggal penandatanganan NDA."
    form.nda_date.setDate(QDate(2026, 1, 7))
    form.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10000)  # handed over, accepted
    assert form.result() == QDialog.DialogCode.Accepted
    assert submitted and submitted[0]["nda_date"] == date(2026, 1, 7)
    assert submitted[0]["nda_reference"] == "NDA/9/2026"


def test_officer_table_shows_the_nda_date_and_reference(qtbot: QtBot, window: AppWindow) -> None:
    sign_in(qtbot, window, "admin")
    window.admin_action.trigger()
    settled(qtbot, window.admin)
    table = window.admin.table
    rows = {table.item(row, 0).text(): table.item(row, 3).text() for row in range(table.rowCount())}
    assert rows["petugas"] == "16-09-2025 · NDA-DEMO/PETUGAS"
    assert rows["supervisor"] == "16-09-2025 · NDA-DEMO/SUPERVISOR"


def test_demo_sign_in_hint_follows_the_language_switch(
    qtbot: QtBot, world: World, reader: SimulatedReader
) -> None:
    install_language("id")
    window = demo_window(DemoWorld(world.services, None), reader)
    qtbot.addWidget(window)
    assert window.login.demo_label.text().startswith("DEMO: masuk sebagai petugas")
    box = window.login.language_box
    box.setCurrentIndex(box.findData("en"))
    assert window.login.demo_label.text().startswith("DEMO: sign in as petugas")
    box = window.login.language_box  # the screen was rebuilt
    box.setCurrentIndex(box.findData("id"))
    assert window.login.demo_label.text().startswith("DEMO: masuk sebagai petugas")
    window.close()


def test_first_run_wizard_opens_in_indonesian(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOKET_USER_CONFIG", str(tmp_path / "none" / "settings.toml"))
    install_language("en")  # whatever was installed before: nothing was chosen yet
    wizard = first_run_wizard()
    qtbot.addWidget(wizard)
    assert wizard.windowTitle() == "Loket KTP-el — penyiapan awal"
    install_language("id")


def test_training_menu_lists_the_demo_niks_by_outcome(
    qtbot: QtBot, world: World, reader: SimulatedReader
) -> None:
    install_language("id")
    examples = {
        "found": "3303014505900001",
        "deceased": "3303010101800002",
        "not_found": "3303016512990003",
    }
    window = AppWindow(world.services, reader, demo_hint="DEMO", training_niks=examples)
    qtbot.addWidget(window)
    titles = [action.text() for action in window.menuBar().actions()]
    assert "Latihan" in titles
    assert window.training_action is not None
    window.training_action.trigger()
    dialog = window.training_dialog
    assert dialog is not None
    table = dialog.findChild(QTableWidget, "trainingNiks")
    rows = [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]
    assert rows == [
        ("Ditemukan: NIK terverifikasi", "3303014505900001"),
        ("Tidak ditemukan di database kependudukan", "3303016512990003"),
        ("Tercatat meninggal dunia", "3303010101800002"),
    ]
    dialog.close()
    window.close()
