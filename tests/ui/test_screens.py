"""Language switch, officer admin, first run, printing, DEMO marking."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.services.cases.compare import profile_of
from app.services.documents.statement import render_statement
from app.services.officers import Role
from app.services.secrets import MemorySecretStore
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_NEW, PAGE_NIK, CaseScreen
from app.ui.document_preview import DocumentPreview, printer_refused
from app.ui.first_run import FirstRunWizard
from app.ui.officers_admin import OfficersAdmin
from tests.pdf_check import WATERMARK_MIN_PIXELS, diagonal_watermark_pixels
from tests.services.cases.conftest import World
from tests.ui.conftest import answering, click, settled, sign_in, start_case


def test_language_switch_rebuilds_every_text(qtbot: QtBot, window: AppWindow) -> None:
    window.login.language_box.setCurrentIndex(window.login.language_box.findData("en"))
    assert window.login.sign_in.text() == "&Sign in"
    assert window.case_screen.nik_page.lookup.text() == "&Look up"
    window.login.language_box.setCurrentIndex(window.login.language_box.findData("id"))
    assert window.login.sign_in.text() == "&Masuk"
    sign_in(qtbot, window)
    assert window.case_screen.new_page.open_button.text() == "&Buka layanan"


def test_the_case_screen_is_built_at_sign_in_not_before(qtbot: QtBot, window: AppWindow) -> None:
    # signing in is possible with the sign-in screen alone: no case or officers' screen yet
    assert window.login.sign_in.isEnabled()
    assert window.built_case_screen is None
    assert not window.findChildren(CaseScreen)
    assert not window.findChildren(OfficersAdmin)
    sign_in(qtbot, window)
    screen = window.built_case_screen
    assert screen is not None
    assert window.stack.currentWidget() is screen and screen.isVisible()
    assert screen.page == PAGE_NEW and screen.officer is window.officer
    assert window.findChildren(CaseScreen) == [screen]
    assert not window.findChildren(OfficersAdmin)  # an officer never opens that one
    window.sign_out()
    sign_in(qtbot, window, "petugas2")
    assert window.built_case_screen is screen  # built once, kept for the next officer
    assert window.findChildren(CaseScreen) == [screen]


def test_input_is_watched_for_the_idle_lock_only_while_signed_in(
    qtbot: QtBot, window: AppWindow
) -> None:
    assert not window.idle.watching  # signed out: no application-wide event filter
    sign_in(qtbot, window)
    assert window.idle.watching and window.idle.timer.isActive()
    window.lock()
    assert window.stack.currentWidget() is window.login
    assert not window.idle.watching
    sign_in(qtbot, window)
    assert window.idle.watching
    window.sign_out()
    assert not window.idle.watching and not window.idle.timer.isActive()


def test_officer_admin_creates_records_nda_disables_and_resets(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    window.show_admin()
    assert window.stack.currentWidget() is not window.admin  # officers may not
    window.sign_out()
    sign_in(qtbot, window, "admin")
    window.admin_action.trigger()
    admin = window.admin
    assert window.stack.currentWidget() is admin
    settled(qtbot, admin)
    admin.ask = answering(
        {
            "username": "siti",
            "display_name": "Siti Contoh",
            "password": "rahasia123",
            "role": Role.OFFICER,
            "nda_date": None,
            "nda_reference": "",
        }
    )
    click(qtbot, admin.create_button)
    settled(qtbot, admin)
    views = {v.username: (v, active) for v, active in world.services.officers.list()}
    assert "siti" in views and not views["siti"][0].nda_on_file
    admin.select("siti")
    admin.ask = answering({"nda_date": date(2026, 1, 5), "nda_reference": "NDA/7/2026"})
    click(qtbot, admin.nda)
    settled(qtbot, admin)
    admin.select("siti")
    click(qtbot, admin.toggle)
    settled(qtbot, admin)
    views = {v.username: (v, active) for v, active in world.services.officers.list()}
    assert views["siti"][0].nda_on_file and views["siti"][1] is False
    # a refused password keeps the form open: tests/ui/test_counter_screens.py
    click(qtbot, admin.back)
    assert window.stack.currentWidget() is window.case_screen


def test_first_run_wizard_collects_a_valid_plan(qtbot: QtBot, tmp_path: Path) -> None:
    wizard = FirstRunWizard()
    qtbot.addWidget(wizard)
    wizard.id_lembaga.setText("330301")
    wizard.agency_name.setText("Dinas Contoh")
    wizard.programmes.setText("PKH, BPNT")
    assert wizard.access.currentData() == ""  # nothing pre-selected: the agreement says which
    wizard.access.setCurrentIndex(wizard.access.findData("web_service"))
    wizard.poc_number.setText("400.8/PoC/12/2026")
    wizard.base_url.setText("http://10.10.0.1:8080")
    wizard.allow_http.setChecked(True)
    wizard.gateway_user.setText("user")
    wizard.gateway_password.setText("rahasia")
    wizard.admin_password.setText("short")
    assert not wizard._validate()
    assert wizard.error.text()
    wizard.admin_password.setText("password1")
    wizard.officer_user.setText("budi")
    wizard.officer_password.setText("password2")
    wizard.nda_reference.setText("NDA/1/2026")
    assert wizard._validate(), wizard.error.text()
    assert wizard.plan is not None and len(wizard.plan.officers) == 2
    from app.services.first_run import apply_first_run

    secrets = MemorySecretStore()
    settings = apply_first_run(wizard.plan, secrets, tmp_path / "loket.toml")
    assert settings.agency.programmes == ("PKH", "BPNT")
    assert "rahasia" not in (tmp_path / "loket.toml").read_text()


def test_printing_refuses_files_and_pdf_printers(
    qtbot: QtBot, tmp_path: Path, world: World
) -> None:
    pdf_printer = QPrinter()
    pdf_printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    assert printer_refused(pdf_printer)
    file_printer = QPrinter()
    file_printer.setOutputFileName(str(tmp_path / "copy.pdf"))
    assert printer_refused(file_printer)

    preview = DocumentPreview()
    qtbot.addWidget(preview)
    from datetime import datetime

    from app.domain.outcomes import OutcomeKind
    from tests.services.test_ui_support import _case

    pdf = render_statement(
        _case(OutcomeKind.FOUND), world.services.core.settings, "Petugas", datetime(2026, 1, 5)
    )
    # the diagonal watermark is on the rendered page (metadata or the footer alone do not count)
    assert diagonal_watermark_pixels(pdf) > WATERMARK_MIN_PIXELS
    preview.show_pdf(pdf)
    assert preview.loaded

    class FileDialog:
        def __init__(self, printer: QPrinter, parent: object) -> None:
            printer.setOutputFileName(str(tmp_path / "copy.pdf"))

        def setOption(self, *args: object) -> None:
            pass

        def exec(self) -> QDialog.DialogCode:
            return QDialog.DialogCode.Accepted

    preview.print_dialog_factory = FileDialog  # type: ignore[assignment]
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    original = QMessageBox.warning
    QMessageBox.warning = lambda *args, **kw: shown.append(str(args[2]))  # type: ignore[method-assign,assignment]
    try:
        assert preview.print_document() is False
    finally:
        QMessageBox.warning = original  # type: ignore[method-assign]
    assert shown and not (tmp_path / "copy.pdf").exists()
    preview.clear()
    assert not preview.loaded


def test_demo_is_marked_on_every_screen(qtbot: QtBot, window: AppWindow) -> None:
    assert "DEMO" in window.windowTitle()
    qtbot.waitUntil(window.status.demo.isVisible, timeout=10000)
    assert "DEMO" in window.login.demo_label.text()
    sign_in(qtbot, window, "admin")
    for show in (window.show_counter, window.show_admin):
        show()
        assert window.status.demo.isVisible()
        assert window.findChild(type(window.banner), "demoBanner").isVisible()


def test_nik_is_validated_as_typed(qtbot: QtBot, window: AppWindow) -> None:
    from app.domain.nik import NikError

    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    page = screen.nik_page
    for text, code in (
        ("3303", "length"),
        ("33a3", "characters"),
        ("3303010000000000", "birth_date"),
    ):
        page.nik.clear()
        qtbot.keyClicks(page.nik, text)
        assert page.nik_feedback.text() == NikError(code).message
    click(qtbot, page.lookup)
    assert screen.task is None and screen.page == PAGE_NIK


@pytest.mark.parametrize("profile", ["verify-only"])
def test_verify_by_element_fields_follow_the_profile(profile: str) -> None:
    fields = profile_of(profile)
    assert fields.verify and not fields.lookup


def test_supervisor_reports_preview_from_memory(qtbot: QtBot, window: AppWindow) -> None:
    sign_in(qtbot, window, "petugas")
    assert not window.daily_report_action.isEnabled()
    window.sign_out()
    sign_in(qtbot, window, "supervisor")
    assert window.daily_report_action.isEnabled()
    window.daily_report_action.trigger()
    dialog = window.report_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview.loaded)
    assert dialog.preview.document.pageCount() == 2  # figures, then chart, controls, signature
    dialog.reject()
    assert not dialog.preview.loaded
    window.semester_report_action.trigger()
    assert window.report_dialog is not None
    qtbot.waitUntil(lambda: window.report_dialog.preview.loaded)
    window.report_dialog.reject()


def test_qt_standard_buttons_speak_indonesian(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QWizard

    from app.services.translations import install_language

    install_language("id")
    wizard = FirstRunWizard()
    qtbot.addWidget(wizard)
    assert wizard.buttonText(QWizard.WizardButton.NextButton) == "&Berikutnya >"
    assert wizard.buttonText(QWizard.WizardButton.CancelButton) == "Batal"


def test_cases_interrupted_by_a_crash_are_offered_for_cancelling(
    qtbot: QtBot, world: World, reader: object
) -> None:
    from sqlalchemy import select

    from app.services.cases import NikSource
    from app.services.persistence.models import BalikanItem
    from tests.ui.conftest import open_window

    cases = world.services.cases
    left_open = cases.open_case(world.officer, "PKH", "Pendaftaran")
    cases.check_documents(left_open, world.officer, {"KTP-el": True})
    cases.look_up(left_open, world.officer, world.examples()["found"], NikSource.TYPED)
    # ... and the application died here; a new window starts on the same database
    window = open_window(qtbot, world, reader)  # type: ignore[arg-type]
    sign_in(qtbot, window, "petugas2")
    # listed off the UI thread at sign-in, then offered
    qtbot.waitUntil(lambda: window.interrupted_box is not None, timeout=10000)
    assert [c.number for c in window.interrupted] == [left_open.number]
    box = window.interrupted_box
    assert box is not None and left_open.number in box.text()
    box.button(box.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: not window.interrupted)
    assert cases.interrupted_cases() == []
    with world.services.core.sessions() as session:
        assert session.execute(select(BalikanItem.status)).scalar_one() == "pending"
    window.close()


def test_record_of_processing_for_a_resident(
    qtbot: QtBot, window: AppWindow, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(qtbot, window, "supervisor")
    assert window.subject_action.isEnabled()
    monkeypatch.setattr(window, "ask_text", lambda title, label: ("12", True))
    monkeypatch.setattr("app.ui.reports_dialog.QMessageBox.warning", lambda *a: None)
    window.subject_action.trigger()
    assert window.report_dialog is None  # an invalid NIK gives a message, not a crash
    nik = world.examples()["found"]
    monkeypatch.setattr(window, "ask_text", lambda title, label: (nik, True))
    window.subject_action.trigger()
    dialog = window.report_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.preview.loaded)
    dialog.reject()


def test_a_lock_closes_dialogs_left_open(qtbot: QtBot, window: AppWindow) -> None:
    from PySide6.QtWidgets import QInputDialog

    sign_in(qtbot, window)
    dialog = QInputDialog(window)
    dialog.setLabelText("Alasan")
    dialog.open()
    assert dialog.isVisible()
    window.lock()
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
