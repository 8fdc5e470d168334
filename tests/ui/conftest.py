"""pytest-qt fixtures: the counter window over a demo world with a clock the test moves."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.ui.app_window import AppWindow
from app.ui.case.case_screen import CaseScreen
from app.ui.reader_bridge import SimulatedReader
from app.ui.ui_thread_gc import UiThreadCollector, collect_on_ui_thread
from app.ui.workers import wait_for_all
from tests.services.cases.conftest import FakeClock, World, make_world


@pytest.fixture(autouse=True)
def qt_objects_die_on_the_ui_thread(qapp: QApplication) -> Iterator[UiThreadCollector]:
    """As in the application, Python's cycle collector runs on the UI thread only; and every
    window a test leaves is deleted when the test ends, not by a later test's collection.

    pytest-qt only schedules the deletion (``deleteLater``) of the widgets it was given, and
    nothing runs those deletions before the next test starts. A collection started by a
    worker thread of a later test then destroyed such a window off the UI thread (a
    segmentation fault, once in CI). Set up before every other fixture, this one's teardown
    runs after theirs.
    """
    collector = collect_on_ui_thread()
    yield collector
    wait_for_all()  # a task still running would release its Qt objects after the collection
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for widget in qapp.topLevelWidgets():
        ours = type(widget).__module__.startswith(("app.", "tests."))
        if ours and widget.parent() is None and shiboken6.isValid(widget):
            widget.close()
            shiboken6.delete(widget)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    collector.stop()
    shiboken6.delete(collector)


@pytest.fixture(autouse=True)
def a_printer_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test machine has no printer; the screens are tested as at a counter with one
    (tests of the no-printer refusal set ``preview.printer_names`` themselves)."""
    from app.ui.document_preview import DocumentPreview

    monkeypatch.setattr(DocumentPreview, "printer_names", staticmethod(lambda: ["Loket-Printer"]))


@pytest.fixture(autouse=True)
def the_officer_prints_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The print dialog that opens after issuing is answered "Print" (a test of a case that
    is never printed replaces ``screen.print_statement`` itself)."""

    def print_at_once(screen: CaseScreen) -> bool:
        screen.issue_page.preview.printed.emit()
        return True

    monkeypatch.setattr(CaseScreen, "_print_dialog", print_at_once)


@pytest.fixture(autouse=True)
def the_officer_confirms(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse, cancel and quit ask once: answered "yes" unless a test says otherwise
    (it replaces ``screen.confirm``)."""
    monkeypatch.setattr("app.ui.case.case_screen.ask_confirm", lambda *_args: True)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path / "data")
    yield w
    wait_for_all(5000)
    w.services.core.close()


@pytest.fixture
def reader() -> SimulatedReader:
    return SimulatedReader(demo=True, step_delay_s=0.001)


def open_window(qtbot: QtBot, world: World, reader: SimulatedReader | None) -> AppWindow:
    window = AppWindow(world.services, reader, demo_hint="DEMO")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, world: World, reader: SimulatedReader) -> Iterator[AppWindow]:
    w = open_window(qtbot, world, reader)
    yield w
    w.close()
    wait_for_all(5000)


def sign_in(qtbot: QtBot, window: AppWindow, username: str = "petugas") -> None:
    login = window.login
    login.username.setText(username)
    login.password.setText("demo1234")
    login.sign_in.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.built_case_screen, timeout=10000)
    settle(qtbot, window)


def refreshed(qtbot: QtBot, window: AppWindow) -> None:
    """Refresh the status bar and banners and wait until the snapshot (read off the UI
    thread) is shown."""
    qtbot.waitUntil(lambda: window.status_task is None, timeout=10000)
    window.refresh_status()
    qtbot.waitUntil(lambda: window.status_task is None, timeout=10000)


def settled(qtbot: QtBot, screen: QWidget) -> None:
    """The screen's database work (off the UI thread) is done and shown."""
    qtbot.waitUntil(lambda: getattr(screen, "task", None) is None, timeout=10000)


def answering(values: dict[str, Any]) -> Callable[[str, Callable[[dict[str, Any]], object]], bool]:
    """An officer-admin form that is filled with ``values`` and submitted once."""

    def ask(mode: str, submit: Callable[[dict[str, Any]], object]) -> bool:
        submit(values)
        return True

    return ask


def settle(qtbot: QtBot, widget: QWidget) -> None:
    """Wait until the case screen's calls off the UI thread have landed."""
    screens = widget.window().findChildren(CaseScreen)
    if isinstance(widget.window(), CaseScreen):
        screens.append(widget.window())

    def idle() -> bool:
        return all(not s.working and (s.list_job is None or s.list_job.finished) for s in screens)

    qtbot.waitUntil(idle, timeout=10000)


def click(qtbot: QtBot, button: QPushButton) -> None:
    assert button.isEnabled() and button.isVisible(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, button)


def start_case(qtbot: QtBot, screen: CaseScreen) -> None:
    """Steps 1 and 2 with the defaults."""
    click(qtbot, screen.new_page.open_button)
    assert screen.case is not None
    for box in screen.documents_page.boxes.values():
        box.setChecked(True)
    click(qtbot, screen.documents_page.confirm)
    assert screen.stack.currentWidget() is screen.nik_page


def look_up(qtbot: QtBot, screen: CaseScreen, nik: str, clock: FakeClock | None = None) -> None:
    if clock is not None:
        clock.advance(30)
    screen.nik_page.nik.setText(nik)
    click(qtbot, screen.nik_page.lookup)
    qtbot.waitUntil(lambda: screen.task is None, timeout=10000)


def all_text(widget: QWidget) -> str:
    """Every text shown by ``widget`` and its children (labels, edits, tables)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTableWidget

    parts: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        if isinstance(child, QLabel | QAbstractButton | QLineEdit):
            parts.append(child.text())
        elif isinstance(child, QTableWidget):
            for r in range(child.rowCount()):
                for c in range(child.columnCount()):
                    item = child.item(r, c)
                    if item is not None:
                        parts.append(item.text())
    return "\n".join(parts)


Helper = Callable[..., Any]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The offscreen platform's harmless note about size hints is not a failure."""
    for item in items:
        if "tests/ui" in str(item.path).replace("\\", "/"):
            item.add_marker(
                pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
            )
