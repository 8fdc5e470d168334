"""Background work: core calls run on a thread pool, results land on the UI thread.

``run_task(parent, fn, on_done, on_error)`` runs ``fn()`` on ``QThreadPool`` and delivers
the result (or the exception) through queued signals to ``parent``'s thread. A
:class:`Task` can be cancelled: its callbacks are then never called (the call itself
cannot be taken back — a sent query still counts — so the caller gets ``on_late`` with the
late result to wipe it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Relay(QObject):
    """Lives on the UI thread: queued slots call the task's callbacks there."""

    def __init__(self, parent: QObject, finish: Callable[[bool, Any], None]) -> None:
        super().__init__(parent)
        self._finish = finish

    @Slot(object)
    def done(self, value: Any) -> None:
        self._finish(True, value)

    @Slot(object)
    def failed(self, error: Any) -> None:
        self._finish(False, error)


class Task(QRunnable):
    """One call off the UI thread."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()
        self.cancelled = False
        self.finished = False

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as error:  # delivered to the UI thread, which shows error.message
            self.signals.failed.emit(error)
        else:
            self.signals.done.emit(result)

    def cancel(self) -> None:
        """Stop caring about the result (the UI moves on at once)."""
        self.cancelled = True


_running: set[Task] = set()


def run_task(
    parent: QObject,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    on_late: Callable[[Any], None] | None = None,
) -> Task:
    """Run ``fn`` in the pool; callbacks run on ``parent``'s (the UI) thread."""
    task = Task(fn)

    def finish(ok: bool, value: Any) -> None:
        task.finished = True
        _running.discard(task)
        relay.deleteLater()
        if task.cancelled:
            if ok and on_late is not None:
                on_late(value)
            return
        if ok:
            on_done(value)
        else:
            on_error(value)

    relay = _Relay(parent, finish)
    task.signals.done.connect(relay.done, Qt.ConnectionType.QueuedConnection)
    task.signals.failed.connect(relay.failed, Qt.ConnectionType.QueuedConnection)
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task


def busy() -> bool:
    """True while any task is running."""
    return any(not task.finished for task in _running)


def wait_for_all(timeout_ms: int = 30000) -> bool:
    """Wait for every running task (used when quitting)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
