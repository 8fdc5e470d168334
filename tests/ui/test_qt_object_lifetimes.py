"""Qt objects are destroyed on the UI thread: cycles are collected there, and widgets have an
owner that deletes them (never a later collection in whatever thread runs it)."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from app.services.translations import install_language
from app.ui.officer_dialog import OfficerDialog
from app.ui.ui_thread_gc import UiThreadCollector, collect_on_ui_thread


class Node:
    """A reference cycle that holds a Qt object."""

    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()


def dropped_cycle(collected_in: list[str]) -> None:
    node = Node()
    weakref.finalize(node, lambda: collected_in.append(threading.current_thread().name))


def allocate_in_a_worker() -> list[list[object]]:
    """Containers allocated (and kept) by a worker thread: hundreds of times the first
    threshold of the collector."""
    kept: list[list[object]] = []

    def allocate() -> None:
        kept.extend([] for _ in range(300_000))

    worker = threading.Thread(target=allocate, name="worker")
    worker.start()
    worker.join()
    return kept


def test_a_cycle_dropped_while_a_worker_allocates_is_collected_on_the_ui_thread(
    qtbot: QtBot,
) -> None:
    collected_in: list[str] = []
    dropped_cycle(collected_in)
    kept = allocate_in_a_worker()
    assert collected_in == []  # the worker's allocations started no collection
    qtbot.waitUntil(lambda: collected_in != [], timeout=10000)  # the UI thread's timer did
    assert collected_in == [threading.main_thread().name]
    assert len(kept) == 300_000


def test_without_the_collector_the_worker_would_have_collected_it() -> None:
    """The premise of the test above: Python collects in the thread that allocates."""
    thresholds = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's defaults, whatever the run configured
    gc.enable()  # the suite's collector turned it off; its teardown restores the state
    gc.collect()  # the young generation starts empty: the cycle below is in it
    try:
        collected_in: list[str] = []
        dropped_cycle(collected_in)
        allocate_in_a_worker()
        assert collected_in == ["worker"]
    finally:
        gc.disable()
        gc.set_threshold(*thresholds)


def test_stopping_collects_at_once_and_gives_collection_back(
    qt_objects_die_on_the_ui_thread: UiThreadCollector,
) -> None:
    assert not gc.isenabled()
    collected_in: list[str] = []
    dropped_cycle(collected_in)
    qt_objects_die_on_the_ui_thread.stop()
    assert collected_in == [threading.main_thread().name]
    assert gc.isenabled()
    gc.disable()  # as the suite's collector left it; its teardown restores the state


def test_the_collector_is_refused_off_the_ui_thread() -> None:
    errors: list[BaseException] = []

    def create() -> None:
        try:
            collect_on_ui_thread()
        except RuntimeError as error:
            errors.append(error)

    worker = threading.Thread(target=create)
    worker.start()
    worker.join()
    assert len(errors) == 1 and "UI thread" in str(errors[0])


@pytest.mark.parametrize("mode", ["create", "nda", "reset"])
def test_every_officer_form_field_belongs_to_its_dialog(qtbot: QtBot, mode: str) -> None:
    install_language("id")
    dialog = OfficerDialog(mode)
    qtbot.addWidget(dialog)
    dialog.show()
    fields = {
        "username": dialog.username,
        "display_name": dialog.display_name,
        "role": dialog.role,
        "password": dialog.password,
        "nda_date": dialog.nda_date,
        "nda_reference": dialog.nda_reference,
        "bermaterai": dialog.bermaterai,
    }
    asked = {
        "create": {"username", "display_name", "role", "password", "nda_date", "nda_reference"},
        "nda": {"nda_date", "nda_reference", "bermaterai"},
        "reset": {"password"},
    }[mode]
    for name, field in fields.items():
        assert field.window() is dialog, name  # deleted with the dialog, never a window
        assert field.isVisible() == (name in asked), name
