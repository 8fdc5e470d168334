"""The worker relay always lets busy() return to False; the busy bar hides and cancels."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.ui import workers
from app.ui.busy import BusyIndicator, run_busy
from app.ui.workers import TaskInterrupted, busy, run_task


def test_a_delivered_result_ends_busy(qtbot: QtBot) -> None:
    parent = QObject()
    got: list[Any] = []
    run_task(parent, lambda: 41 + 1, got.append, got.append)
    qtbot.waitUntil(lambda: got == [42], timeout=10000)
    assert not busy()


def test_a_deleted_parent_does_not_leave_busy_true(qtbot: QtBot) -> None:
    release = threading.Event()
    parent = QObject()
    called: list[Any] = []
    task = run_task(parent, lambda: release.wait(30), called.append, called.append)
    assert busy()
    parent.deleteLater()  # the dialog closed while its query still ran
    qtbot.waitUntil(lambda: not busy(), timeout=10000)
    release.set()
    qtbot.waitUntil(task.ran.is_set, timeout=10000)
    QCoreApplication.processEvents()  # a (wrongly) queued delivery would run here
    assert called == []
    assert not busy()


def test_a_base_exception_in_the_call_is_delivered_as_an_error(qtbot: QtBot) -> None:
    parent = QObject()
    errors: list[Exception] = []

    def stop() -> None:
        raise SystemExit(3)

    run_task(parent, stop, lambda _v: None, errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1, timeout=10000)
    assert isinstance(errors[0], TaskInterrupted)
    assert not busy()


def test_a_raising_callback_does_not_leave_busy_true(qtbot: QtBot) -> None:
    parent = QObject()
    reached: list[bool] = []

    def broken(_value: Any) -> None:
        reached.append(True)
        raise ValueError("callback bug")

    run_task(parent, lambda: 1, broken, lambda _e: None)
    qtbot.waitUntil(lambda: reached == [True], timeout=10000)
    assert not busy()


def test_a_cancelled_task_is_not_busy_and_its_late_result_goes_to_on_late(qtbot: QtBot) -> None:
    release = threading.Event()
    parent = QObject()
    done: list[Any] = []
    late: list[Any] = []
    task = run_task(
        parent, lambda: release.wait(30) and "late", done.append, done.append, late.append
    )
    assert busy()
    task.cancel()
    assert not busy()
    release.set()
    qtbot.waitUntil(lambda: late == ["late"], timeout=10000)
    assert done == []
    assert workers.running() == 0


def test_the_busy_bar_shows_while_running_and_hides_with_the_result(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    bar = BusyIndicator(host)
    host.show()
    release = threading.Event()
    got: list[Any] = []
    run_busy(host, bar, "Menghitung…", lambda: release.wait(30) and 7, got.append, got.append)
    assert bar.isVisible()
    assert bar.label.text() == "Menghitung…"
    release.set()
    qtbot.waitUntil(lambda: got == [7], timeout=10000)
    assert not bar.isVisible()
    assert not busy()


def test_the_busy_bar_cancel_button_stops_waiting(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    bar = BusyIndicator(host)
    host.show()
    release = threading.Event()
    got: list[Any] = []
    cancelled: list[bool] = []
    task = run_busy(
        host,
        bar,
        "",
        lambda: release.wait(30),
        got.append,
        got.append,
        on_cancel=lambda: cancelled.append(True),
    )
    assert bar.cancel_button.isVisible()
    bar.cancel_button.click()
    assert cancelled == [True]
    assert not bar.isVisible()
    assert not busy()
    release.set()
    qtbot.waitUntil(task.ran.is_set, timeout=10000)
    QCoreApplication.processEvents()
    assert got == []
