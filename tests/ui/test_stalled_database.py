"""A database that stalls for 5 s on every query: the window keeps painting and answering keys
while the status refresh, the sign-in, the supervisor's lists and the case screen's steps
(resuming a returned case, recording the printed statement) and a password reset wait for it;
and a whole case on the card path runs no query on the UI thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.domain.case_flow import CaseState
from app.domain.case_reasons import CaseReason
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_DOCUMENTS, PAGE_NIK, PAGE_VERIFY
from app.ui.officer_dialog import OfficerDialog
from app.ui.reader_bridge import SimulatedReader
from app.ui.workers import busy
from tests.services.cases.conftest import World
from tests.ui.conftest import click, look_up, settle, sign_in, start_case

STALL_S = 5.0


class Stall:
    """Every statement run off the UI thread waits 5 s once ``on`` is set."""

    def __init__(self) -> None:
        self.on = False
        self.stalled = threading.Event()  # a worker is inside a stalled statement
        self.ui_thread = threading.get_ident()
        self.ui_stalls = 0
        self.sleep = True  # False: only count the queries on the UI thread

    def __call__(self, *_args: Any) -> None:
        if not self.on:
            return
        if threading.get_ident() == self.ui_thread:
            self.ui_stalls += 1  # a query on the UI thread: the test fails on this count
            return
        if self.sleep:
            self.stalled.set()
            time.sleep(STALL_S)


@pytest.fixture
def stall(world: World) -> Iterator[Stall]:
    engine = world.services.core.engine
    hook = Stall()
    event.listen(engine, "before_cursor_execute", hook)
    yield hook
    hook.on = False
    event.remove(engine, "before_cursor_execute", hook)


class Liveness:
    """A timer tick counter and a line edit that receives real key presses."""

    def __init__(self, window: AppWindow) -> None:
        self.ticks = 0
        self.timer = QTimer(window)
        self.timer.timeout.connect(self._tick)
        self.timer.start(50)
        self.edit = QLineEdit(window)
        self.edit.setObjectName("livenessProbe")

    def _tick(self) -> None:
        self.ticks += 1

    def prove(self, qtbot: QtBot, still_stalled: Any) -> None:
        """While ``still_stalled()``: ticks advance and a typed key lands in the edit."""
        start = self.ticks
        qtbot.waitUntil(lambda: self.ticks >= start + 5, timeout=int(STALL_S * 1000))
        self.edit.clear()
        QTest.keyClick(self.edit, Qt.Key.Key_7)
        assert self.edit.text() == "7"
        assert still_stalled(), "the stalled call ended before the window was checked"


def test_status_refresh_with_a_stalled_database_keeps_the_window_alive(
    qtbot: QtBot, window: AppWindow, stall: Stall
) -> None:
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: window.status_task is None, timeout=10000)
    probe = Liveness(window)
    stall.on = True
    window.refresh_status()
    assert window.status.loading.isVisibleTo(window.status)  # the busy state shows
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    probe.prove(qtbot, lambda: window.status_task is not None)
    stall.on = False
    qtbot.waitUntil(lambda: window.status_task is None, timeout=int(STALL_S * 4000))
    assert not window.status.loading.isVisibleTo(window.status)
    assert stall.ui_stalls == 0


def test_sign_in_with_a_stalled_database_keeps_the_window_alive(
    qtbot: QtBot, window: AppWindow, stall: Stall
) -> None:
    qtbot.waitUntil(lambda: not busy(), timeout=10000)  # the start-up's own reads are done
    probe = Liveness(window)
    stall.on = True
    window.login.username.setText("petugas")
    window.login.password.setText("demo1234")
    window.login.sign_in.click()
    assert not window.login.sign_in.isEnabled()  # busy: no second submit
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    probe.prove(qtbot, lambda: window.stack.currentWidget() is window.login and busy())
    assert window.login.busy.isVisibleTo(window.login)
    window.login.busy.cancel_button.click()  # "Batal": stop waiting for the stalled check
    assert window.login.sign_in.isEnabled() and not busy()
    assert window.stack.currentWidget() is window.login
    stall.on = False
    window.login.password.setText("demo1234")
    window.login.sign_in.click()
    qtbot.waitUntil(
        lambda: window.stack.currentWidget() is window.built_case_screen,
        timeout=int(STALL_S * 4000),
    )
    assert stall.ui_stalls == 0


def test_the_waiting_cases_list_with_a_stalled_database_can_be_cancelled(
    qtbot: QtBot, window: AppWindow, stall: Stall
) -> None:
    sign_in(qtbot, window, "supervisor")
    qtbot.waitUntil(lambda: not busy(), timeout=10000)
    probe = Liveness(window)
    stall.on = True
    window.waiting_cases_action.trigger()
    dialog = window.waiting_dialog
    assert dialog.busy.isVisibleTo(dialog)
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    probe.prove(qtbot, lambda: dialog.task is not None)
    dialog.busy.cancel_button.click()  # "Batal": the officer stops waiting
    assert dialog.task is None
    assert not dialog.busy.isVisibleTo(dialog)
    stall.on = False
    dialog.close()
    assert stall.ui_stalls == 0


def test_the_officer_list_with_a_stalled_database_keeps_the_window_alive(
    qtbot: QtBot, window: AppWindow, stall: Stall
) -> None:
    sign_in(qtbot, window, "admin")
    qtbot.waitUntil(lambda: not busy(), timeout=10000)
    probe = Liveness(window)
    stall.on = True
    window.admin_action.trigger()
    admin = window.admin
    assert admin.busy.isVisibleTo(admin)
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    probe.prove(qtbot, lambda: admin.task is not None)
    stall.on = False
    qtbot.waitUntil(lambda: admin.task is None, timeout=int(STALL_S * 4000))
    assert admin.table.rowCount() == 4  # the demo's four accounts, once the database answers
    assert not admin.busy.isVisibleTo(admin)
    assert stall.ui_stalls == 0


def return_a_case(qtbot: QtBot, window: AppWindow, world: World) -> tuple[str, str]:
    """A case looked up and returned for fixes (database quick); its number and NIK."""
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = world.examples()["found"]
    look_up(qtbot, screen, nik)
    case = screen.case
    assert case is not None and case.state is CaseState.CROSS_CHECKED
    screen.verify_page.set_reasons([CaseReason.KK_DIFFERS])
    click(qtbot, screen.verify_page.return_button)
    assert case.state is CaseState.RETURNED
    click(qtbot, screen.issue_page.close_case)
    settle(qtbot, screen)
    return case.number, nik


def test_resuming_a_returned_case_and_recording_the_print_with_a_stalled_database(
    qtbot: QtBot, window: AppWindow, world: World, stall: Stall
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    number, nik = return_a_case(qtbot, window, world)
    world.clock.advance(3600)
    qtbot.waitUntil(lambda: screen.new_page.returned.count() == 1, timeout=10000)
    click(qtbot, screen.new_page.resume_button)
    assert screen.resume_number == number and screen.case is None
    probe = Liveness(window)
    stall.on = True
    screen.nik_page.nik.setText(nik)
    qtbot.mouseClick(screen.nik_page.lookup, Qt.MouseButton.LeftButton)  # resumes, then looks up
    assert screen.busy.isVisibleTo(screen)  # the busy state shows at once
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    probe.prove(qtbot, lambda: screen.working and screen.case is None)
    stall.on = False
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=int(STALL_S * 4000))
    settle(qtbot, screen)
    resumed = screen.case
    assert resumed is not None and resumed.number == number
    assert resumed.state is CaseState.CROSS_CHECKED
    assert not screen.busy.isVisibleTo(screen)

    printing: list[int] = []
    screen.print_statement = lambda: bool(printing.append(1)) or True  # the dialog stays open
    click(qtbot, screen.verify_page.approve)
    qtbot.waitUntil(lambda: screen.issue_page.preview.loaded, timeout=10000)  # rendered off it
    assert printing == [1] and resumed.state is CaseState.ISSUED
    assert not resumed.statement_printed and not screen.issue_page.hand_over.isEnabled()
    stall.stalled.clear()
    stall.on = True
    screen.issue_page.preview.printed.emit()  # the print dialog answered "Print"
    assert screen.busy.isVisibleTo(screen)
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    probe.prove(qtbot, lambda: screen.working and not screen.issue_page.hand_over.isEnabled())
    stall.on = False
    qtbot.waitUntil(lambda: screen.issue_page.hand_over.isEnabled(), timeout=int(STALL_S * 4000))
    assert resumed.statement_printed
    assert not screen.busy.isVisibleTo(screen)
    assert stall.ui_stalls == 0


def test_the_card_path_runs_no_query_on_the_ui_thread(
    qtbot: QtBot, window: AppWindow, world: World, reader: SimulatedReader, stall: Stall
) -> None:
    sign_in(qtbot, window)
    qtbot.waitUntil(lambda: not busy(), timeout=10000)
    screen = window.case_screen
    screen.ask_programme = lambda: ("BPNT", "Penyaluran BPNT")
    stall.sleep = False  # count queries on the UI thread; workers run at full speed
    stall.on = True
    nik = world.examples()["found"]
    person = world.simulator.population.get(nik)
    assert person is not None
    reader.tap(  # the resident's own card: nothing differs from Dukcapil
        nik,
        name=person.name,
        sex=person.sex,
        place_of_birth=person.birth_place,
        date_of_birth=person.birth_date.strftime("%d-%m-%Y"),
        marital_status=person.marital_status,
        occupation=person.occupation,
        address=person.address,
    )
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS and screen.card is not None)
    qtbot.waitUntil(lambda: screen.task is None, timeout=10000)  # read and recorded
    for box in screen.documents_page.boxes.values():
        box.setChecked(True)
    click(qtbot, screen.documents_page.confirm)  # looked up by itself
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    case = screen.case
    assert case is not None and case.card_fields
    assert screen.verify_page.approve.isEnabled(), screen.message.text()
    click(qtbot, screen.verify_page.approve)  # issues, renders, prints, records the print
    qtbot.waitUntil(lambda: case.statement_printed, timeout=10000)
    click(qtbot, screen.issue_page.hand_over)
    qtbot.waitUntil(lambda: case.state is CaseState.CLOSED, timeout=10000)
    settle(qtbot, screen)
    stall.on = False
    assert stall.ui_stalls == 0
    assert world.services.status().balikan_pending == 1  # the test's own query


def test_a_password_reset_with_a_stalled_database_keeps_the_window_alive(
    qtbot: QtBot, window: AppWindow, stall: Stall
) -> None:
    sign_in(qtbot, window, "admin")
    window.admin_action.trigger()
    admin = window.admin
    qtbot.waitUntil(lambda: admin.task is None and not busy(), timeout=10000)
    admin.select("petugas2")
    forms: list[OfficerDialog] = []

    def ask(mode: str, submit: Callable[[dict[str, Any]], object]) -> bool:
        form = OfficerDialog(mode, admin, submit)
        qtbot.addWidget(form)
        forms.append(form)
        form.show()
        form.password.setText("baru-dan-panjang")
        return False  # the test presses OK itself, below

    admin.ask = ask
    admin.reset_button.click()
    form = forms[0]
    probe = Liveness(window)
    stall.on = True
    form.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert form.busy.isVisibleTo(form) and not form.password.isEnabled()
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    probe.prove(qtbot, lambda: form.isVisible() and form.task is not None)
    form.reject()  # Escape while the values are handed over: the outcome is waited for
    assert form.isVisible()
    stall.on = False
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=int(STALL_S * 4000))
    assert form.result() == QDialog.DialogCode.Accepted
    assert stall.ui_stalls == 0
    assert window.services.officers.authenticate("petugas2", "baru-dan-panjang").username == (
        "petugas2"
    )


def test_a_resume_that_lands_behind_the_lock_is_shown_after_unlocking(
    qtbot: QtBot, window: AppWindow, world: World, stall: Stall
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    number, nik = return_a_case(qtbot, window, world)
    world.clock.advance(3600)
    qtbot.waitUntil(lambda: screen.new_page.returned.count() == 1, timeout=10000)
    click(qtbot, screen.new_page.resume_button)
    stall.on = True
    screen.nik_page.nik.setText(nik)
    qtbot.mouseClick(screen.nik_page.lookup, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    window.lock()  # the counter locks while the case is being resumed
    stall.on = False
    qtbot.waitUntil(lambda: not screen.working, timeout=int(STALL_S * 4000))
    case = screen.case
    assert case is not None and case.number == number  # kept, not lost behind the lock
    assert case.state is CaseState.FIXES_COMPLETED and case.nik is None  # its data released
    assert screen.task is None  # nothing was looked up behind the lock
    sign_in(qtbot, window)  # unlocks
    assert screen.case is case and screen.page == PAGE_NIK
    assert stall.ui_stalls == 0


def test_a_case_opened_behind_the_lock_is_shown_after_unlocking(
    qtbot: QtBot, window: AppWindow, stall: Stall
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    stall.on = True
    qtbot.mouseClick(screen.new_page.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(stall.stalled.is_set, timeout=10000)
    window.lock()  # the counter locks while the case is being opened
    stall.on = False
    qtbot.waitUntil(lambda: not screen.working, timeout=int(STALL_S * 4000))
    case = screen.case
    assert case is not None and case.state is CaseState.SUBMITTED  # kept, not lost
    assert screen.page != PAGE_DOCUMENTS or not screen.isVisible()  # nothing shown behind it
    sign_in(qtbot, window)  # unlocks
    assert screen.case is case and screen.page == PAGE_DOCUMENTS
    assert stall.ui_stalls == 0
