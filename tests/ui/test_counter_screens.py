"""Printing without a printer, the lock screen, officer admin, language of the demo hints."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.domain.outcomes import OutcomeKind
from app.services.documents.statement import render_statement
from app.services.settings import demo_settings
from app.services.translations import install_language
from app.ui.app_window import AppWindow
from app.ui.document_preview import DocumentPreview
from tests.services.test_ui_support import _case
from tests.ui.conftest import sign_in


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
    notice = dialog.preview.notice.text()
    assert notice == "Dokumen ditampilkan dari memori; tidak ada salinan yang disimpan."
    dialog.done(0)
