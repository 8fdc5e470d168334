"""A database that stalls for 5 s on every query: the window keeps painting and answering keys
while the status refresh, the sign-in and the supervisor's lists wait for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from app.ui.app_window import AppWindow
from app.ui.workers import busy
from tests.services.cases.conftest import World
from tests.ui.conftest import sign_in

STALL_S = 5.0


class Stall:
    """Every statement run off the UI thread waits 5 s once ``on`` is set."""

    def __init__(self) -> None:
        self.on = False
        self.stalled = threading.Event()  # a worker is inside a stalled statement
        self.ui_thread = threading.get_ident()
        self.ui_stalls = 0

    def __call__(self, *_args: Any) -> None:
        if not self.on:
            return
        if threading.get_ident() == self.ui_thread:
            self.ui_stalls += 1  # a query on the UI thread: the test fails on this count
            return
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
        lambda: window.stack.currentWidget() is window.case_screen, timeout=int(STALL_S * 4000)
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
