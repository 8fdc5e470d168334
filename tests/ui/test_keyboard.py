"""Keyboard first: mnemonics and shortcuts on every step, no clash, a whole case by keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.domain.case_flow import CaseState
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_DOCUMENTS, PAGE_ISSUE, PAGE_NEW, PAGE_NIK, PAGE_VERIFY
from tests.services.cases.conftest import World
from tests.ui.conftest import settle


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press on whatever has the focus (as the officer's keyboard would)."""
    widget = focused()
    qtbot.keyClick(widget, key, modifier)
    settle(qtbot, widget)


def press_shortcut(qtbot: QtBot, button: QAbstractButton) -> None:
    """The button's own key (Alt+mnemonic or its shortcut), typed on the focused widget."""
    sequence = button.shortcut()
    assert not sequence.isEmpty(), f"{button.objectName()} has no mnemonic or shortcut"
    combo = sequence[0]
    widget = focused()
    qtbot.keyClick(widget, combo.key(), combo.keyboardModifiers())
    settle(qtbot, widget)


def active_keys(window: AppWindow) -> dict[str, list[str]]:
    """Alt+letter and shortcut keys of what can be used now: menus, buttons, labels."""
    keys: dict[str, list[str]] = {}

    def add(sequence: QKeySequence, who: str) -> None:
        if not sequence.isEmpty():
            keys.setdefault(sequence.toString(), []).append(who)

    for action in window.menuBar().actions():
        add(QKeySequence.mnemonic(action.text()), f"menu {action.text()}")
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and button.isEnabled():
            add(button.shortcut(), f"button {button.text()}")
    for label in window.findChildren(QLabel):
        buddy = label.buddy()
        if label.isVisible() and buddy is not None and buddy.isEnabled():
            add(QKeySequence.mnemonic(label.text()), f"label {label.text()}")
    return keys


def assert_no_clash(window: AppWindow, step: str) -> None:
    clashes = {k: v for k, v in active_keys(window).items() if len(v) > 1}
    assert not clashes, f"{step}: {clashes}"


def sign_in_by_keys(qtbot: QtBot, window: AppWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert focused() is window.login.username
    qtbot.keyClicks(focused(), "petugas")
    press(qtbot, Qt.Key.Key_Return)  # to the password
    assert focused() is window.login.password
    qtbot.keyClicks(focused(), "demo1234")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.built_case_screen, timeout=10000)
    settle(qtbot, window)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_step_has_keys_and_none_clash(
    qtbot: QtBot, window: AppWindow, world: World, language: str
) -> None:
    window.login.language_box.setCurrentIndex(window.login.language_box.findData(language))
    assert_no_clash(window, "sign-in")
    sign_in_by_keys(qtbot, window)
    screen = window.case_screen
    main_buttons = {
        PAGE_NEW: [screen.new_page.open_button, screen.new_page.resume_button],
        PAGE_DOCUMENTS: [screen.documents_page.confirm, screen.documents_page.all_present],
        PAGE_NIK: [screen.nik_page.lookup, screen.nik_page.read_card, screen.nik_page.override],
        PAGE_VERIFY: [
            screen.verify_page.approve,
            screen.verify_page.return_button,
            screen.verify_page.refuse,
            screen.verify_page.recheck,
        ],
        PAGE_ISSUE: [
            screen.issue_page.hand_over,
            screen.issue_page.close_case,
            screen.issue_page.preview.print_button,
        ],
    }
    for buttons in main_buttons.values():
        for button in buttons:
            assert not button.shortcut().isEmpty(), button.objectName()
    assert_no_clash(window, "new case")
    press_shortcut(qtbot, screen.new_page.open_button)
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    assert_no_clash(window, "documents")
    press_shortcut(qtbot, screen.documents_page.all_present)
    qtbot.waitUntil(lambda: screen.page == PAGE_NIK)
    assert_no_clash(window, "NIK")
    qtbot.keyClicks(focused(), world.examples()["found"])
    press_shortcut(qtbot, screen.nik_page.lookup)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=10000)
    assert_no_clash(window, "verification")
    press_shortcut(qtbot, screen.verify_page.approve)
    qtbot.waitUntil(lambda: screen.case is not None and screen.case.statement_printed)
    settle(qtbot, screen)
    assert_no_clash(window, "hand over")
    case = screen.case
    assert case is not None and case.state is CaseState.ISSUED
    press_shortcut(qtbot, screen.issue_page.hand_over)
    qtbot.waitUntil(lambda: screen.page == PAGE_NEW and not screen.working)
    assert case.state is CaseState.CLOSED


def test_a_whole_typed_nik_case_by_keys_only(qtbot: QtBot, window: AppWindow, world: World) -> None:
    """Tab, Space, Enter, typing and the buttons' own keys — no click anywhere."""
    sign_in_by_keys(qtbot, window)
    screen = window.case_screen
    assert focused() is screen.new_page.nik
    press(qtbot, Qt.Key.Key_Tab)  # to the programme
    assert focused() is screen.new_page.programme
    press(qtbot, Qt.Key.Key_Down)  # another programme
    press(qtbot, Qt.Key.Key_Tab)  # to the purpose (prefilled)
    assert focused() is screen.new_page.purpose
    press_shortcut(qtbot, screen.new_page.open_button)  # step 1: open the case
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    case = screen.case
    assert case is not None and case.programme == "BPNT"
    for _box in screen.documents_page.boxes:  # step 2: tick each item
        press(qtbot, Qt.Key.Key_Space)
        press(qtbot, Qt.Key.Key_Tab)
    assert all(box.isChecked() for box in screen.documents_page.boxes.values())
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # confirm as ticked
    assert screen.page == PAGE_NIK and focused() is screen.nik_page.nik
    nik = world.examples()["found"]
    qtbot.keyClicks(focused(), nik)  # step 3: typed from the documents
    press(qtbot, Qt.Key.Key_Return)  # look up
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=10000)
    assert focused() is screen.verify_page.approve
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert case.state is CaseState.CROSS_CHECKED  # a typed NIK: Ctrl+Enter does not approve
    press_shortcut(qtbot, screen.verify_page.approve)  # "documents match the data" (4a)
    qtbot.waitUntil(lambda: case.state is CaseState.ISSUED and case.statement_printed)
    settle(qtbot, screen)
    assert screen.page == PAGE_ISSUE and screen.issue_page.preview.loaded
    assert focused() is screen.issue_page.recipient
    assert screen.issue_page.recipient.text() == case.document_number  # shown, editable
    qtbot.keyClicks(focused(), "REG-474")  # replaces the selected number
    press(qtbot, Qt.Key.Key_Return)  # step 5, data balikan queued (6), closed (7)
    qtbot.waitUntil(lambda: case.state is CaseState.CLOSED and not screen.working)
    assert case.recipient_number == "REG-474"
    assert screen.page == PAGE_NEW
    assert world.services.status().balikan_pending == 1
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # next applicant
    assert screen.page == PAGE_NEW and focused() is screen.new_page.nik


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("kind", ["portal", "verify-only"])
def test_step_3_keys_do_not_clash_in_the_other_access_modes(
    qtbot: QtBot, tmp_path: Path, kind: str, language: str
) -> None:
    from datetime import date

    from app.services.settings import settings_from_dicts
    from app.ui.workers import wait_for_all
    from tests.services.cases.conftest import make_world, portal_settings
    from tests.ui.conftest import open_window, sign_in, start_case

    if kind == "portal":
        settings = portal_settings()
    else:
        settings = settings_from_dicts(
            {
                "mode": "demo",
                "agreement": {
                    "profile": "verify-only",
                    "start": date(2025, 1, 1),
                    "end": date(2027, 9, 16),
                },
            }
        )
    world = make_world(tmp_path / "d", settings)
    window = open_window(qtbot, world, None)
    window.login.language_box.setCurrentIndex(window.login.language_box.findData(language))
    sign_in(qtbot, window)
    start_case(qtbot, window.case_screen)
    assert not window.case_screen.nik_page.lookup.shortcut().isEmpty()
    assert_no_clash(window, kind)
    window.close()
    wait_for_all()
    world.services.core.close()
