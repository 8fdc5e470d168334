"""One whole case driven through the real window from the keyboard, counting officer actions.

Shared by ``bench_ui``'s in-process action count and its cold-start process (which drives a
case in the app's own process, so that process's peak memory covers a whole case). Imports Qt
and the window only: it is loaded after the demo's window exists, and the case screen's module
comes with the sign-in that builds the screen (the cold start times that sign-in).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.ui.app_window import AppWindow


class Officer:
    """Presses keys on whatever has the focus, and counts."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.actions = 0

    def key(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        """One key press on the focused widget (one action)."""
        widget = QApplication.focusWidget()
        assert widget is not None
        QTest.keyClick(widget, key, modifier)
        self.actions += 1
        self.settle()

    def type(self, text: str) -> None:
        """Type ``text`` (one action per character)."""
        for char in text:
            widget = QApplication.focusWidget()
            assert widget is not None
            QTest.keyClicks(widget, char)
            self.actions += 1
        self.settle()

    def settle(self) -> None:
        """Let the window process what is pending."""
        for _ in range(5):
            self.app.processEvents()


def wait_until(officer: Officer, condition: Callable[[], bool], seconds: float = 30) -> None:
    """Wait (no action counted) until the screen got there."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("the case screen did not get there in time")
        QThreadPool.globalInstance().waitForDone(50)
        officer.settle()


def sign_in(app: QApplication, window: AppWindow, username: str, password: str) -> None:
    """Sign in on the window's login screen and wait for the case screen."""
    window.login.username.setText(username)
    window.login.password.setText(password)
    window.login.submit()
    wait_until(Officer(app), lambda: window.stack.currentWidget() is window.built_case_screen)


def drive_case(app: QApplication, window: AppWindow, nik: str, *, card: bool) -> int:
    """One case from the idle case screen to "case closed"; returns the officer's actions.

    Card path: the demo card is placed (not an officer action), (1) documents all present,
    (2) approve (issues; the print dialog's "Print" is part of it), (3) hand over. Typed
    path: the 16 digits of ``nik`` first.
    """
    from app.ui.case.case_screen import PAGE_DOCUMENTS, PAGE_VERIFY

    screen = window.case_screen
    # The print dialog that opens after approval is answered "Print" as part of the
    # approval (a paper printer is not part of the bench machine).
    screen.print_statement = lambda: (screen.issue_page.preview.printed.emit(), True)[1]
    officer = Officer(app)
    officer.settle()
    if card:
        # the applicant's card on the reader: not an officer action; the case opens for
        # the officer's programme (asked once: the first programme) and the card is read
        screen.ask_programme = lambda: screen.new_page.request()
        window.demo_card()  # type: ignore[misc]
        wait_until(officer, lambda: screen.card is not None and screen.task is None)
    else:
        officer.type(nik)  # 16 digits on the idle screen open the case
    wait_until(officer, lambda: screen.page == PAGE_DOCUMENTS and not screen.working)
    officer.key(Qt.Key.Key_Return)  # (1) every document present: looked up by itself
    wait_until(officer, lambda: screen.page == PAGE_VERIFY and screen.task is None)
    case = screen.case
    assert case is not None
    officer.key(Qt.Key.Key_Space)  # (2) approve (focused): issued, printing opens
    wait_until(officer, lambda: case.statement_printed and not screen.working)
    officer.key(Qt.Key.Key_Return)  # (3) hand over: data balikan queued, case closed
    wait_until(officer, lambda: screen.case is None and not screen.working)
    closed = screen.case is None and (
        "ditutup" in screen.message.text() or "closed" in screen.message.text()
    )
    if not closed:
        raise SystemExit("the case did not reach 'closed'")
    return officer.actions
