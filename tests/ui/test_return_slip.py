"""Flowchart 4b: returning a request offers a printable return slip without population data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.domain.case_flow import CaseState
from app.domain.case_reasons import CaseReason
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_ISSUE, PAGE_NEW
from tests.services.cases.conftest import World
from tests.ui.conftest import all_text, click, look_up, sign_in, start_case


def test_returning_a_case_previews_a_printable_slip(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = world.examples()["found"]
    person = world.simulator.population.get(nik)
    assert person is not None
    look_up(qtbot, screen, nik)
    case = screen.case
    assert case is not None
    screen.verify_page.note.setText(f"Bawa KK terbaru, {person.name}")
    screen.verify_page.set_reasons([CaseReason.KK_DIFFERS])
    click(qtbot, screen.verify_page.return_button)
    assert case.state is CaseState.RETURNED and screen.page == PAGE_ISSUE
    preview = screen.issue_page.preview
    assert preview.loaded and preview.document.pageCount() == 1
    assert preview.print_button.isEnabled()
    slip = preview.document.getAllText(0).text()
    assert case.number in slip and "Bawa KK terbaru" in slip
    assert CaseReason.KK_DIFFERS.label in slip
    assert nik not in slip.replace(" ", "") and person.name not in slip
    assert "DEMO / CONTOH" in slip
    assert nik not in all_text(window)

    asked: list[QPrinter] = []

    class NoPrinter:  # the print dialog is reached; the officer cancels it
        def __init__(self, printer: QPrinter, parent: object) -> None:
            asked.append(printer)

        def setOption(self, *args: object) -> None:
            pass

        def exec(self) -> QDialog.DialogCode:
            return QDialog.DialogCode.Rejected

    preview.print_dialog_factory = NoPrinter  # type: ignore[assignment]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(screen.issue_page.close_case, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(asked) == 1)  # a button shortcut clicks after a short delay
    assert asked[0].outputFileName() == ""

    click(qtbot, screen.issue_page.close_case)  # next applicant: the slip is dropped
    assert screen.page == PAGE_NEW and not preview.loaded


def test_a_return_note_with_a_nik_is_printed_without_it(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = world.examples()["found"]
    look_up(qtbot, screen, nik)
    spaced = "  ".join(nik[i : i + 4] for i in range(0, 16, 4))
    screen.verify_page.note.setText(f"NIK {spaced} beda dengan KK")
    screen.verify_page.set_reasons([CaseReason.KK_DIFFERS])
    click(qtbot, screen.verify_page.return_button)
    slip = screen.issue_page.preview.document.getAllText(0).text()
    assert "beda dengan KK" in slip and nik not in slip.replace(" ", "")
    assert nik[4:8] not in slip
    listed = screen.new_page.returned
    click(qtbot, screen.issue_page.close_case)
    texts = [listed.item(i).text() for i in range(listed.count())]
    assert texts and all(nik not in text for text in texts)
    assert any(CaseReason.KK_DIFFERS.label in text for text in texts)
    assert all("beda dengan KK" not in text for text in texts)  # the remark is not listed
