"""Background work: core calls run on a thread pool, results land on the UI thread.

``run_task(parent, fn, on_done, on_error)`` runs ``fn()`` on ``QThreadPool`` and delivers
the result (or the exception) through queued signals to ``parent``'s thread. A
:class:`Task` can be cancelled: its callbacks are then never called (the call itself
cannot be taken back — a sent query still counts — so the caller gets ``on_late`` with the
late result to wipe it).

:func:`busy` is true only while the UI is waiting for a result it still cares about. It always
returns to False: when the result is delivered, when the task is cancelled, when ``fn`` raises
anything (even a ``BaseException``), when a callback raises, and when ``parent`` (and so the
relay that would deliver the result) is deleted before the result arrives.

A task's Qt objects are released in a reference cycle; :mod:`app.ui.ui_thread_gc` makes sure
the collection that frees them runs on the UI thread, never in a pool thread.
"""

from __future__ import annotations

import logging
import threading
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


class TaskInterrupted(Exception):
    """``fn`` ended with a ``BaseException`` (``SystemExit``, ``KeyboardInterrupt``…)."""


class Task(QRunnable):
    """One call off the UI thread."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()
        self.cancelled = False
        #: the callbacks were settled (delivered, dropped after a cancel, or orphaned)
        self.finished = False
        #: the call in the pool has returned (set on the worker thread)
        self.ran = threading.Event()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as error:  # delivered to the UI thread, which shows error.message
            self._emit(self.signals.failed, error)
        except BaseException as error:  # never leave the UI waiting for ever
            self._emit(self.signals.failed, TaskInterrupted(type(error).__name__))
        else:
            self._emit(self.signals.done, result)
        finally:
            self.ran.set()

    @staticmethod
    def _emit(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the signals object is gone (application shutting down)
            log.debug("task result not delivered: receiver gone")

    def cancel(self) -> None:
        """Stop caring about the result (the UI moves on at once)."""
        self.cancelled = True

    @property
    def waiting(self) -> bool:
        """The UI still waits for this task's result."""
        return not self.finished and not self.cancelled


_running: set[Task] = set()


def run_task(
    parent: QObject,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    on_late: Callable[[Any], None] | None = None,
) -> Task:
    """Run ``fn`` in the pool; callbacks run on ``parent``'s (the UI) thread.

    A callback that raises is logged (by exception type) and does not keep :func:`busy` true.
    """
    task = Task(fn)

    def settle() -> None:
        task.finished = True
        _running.discard(task)

    def finish(ok: bool, value: Any) -> None:
        if task.finished:
            return
        settle()
        relay.deleteLater()
        try:
            if task.cancelled:
                if ok and on_late is not None:
                    on_late(value)
                return
            if ok:
                on_done(value)
            else:
                on_error(value)
        except Exception as error:  # a broken callback must not break the worker machinery
            log.error("task callback failed: %s", type(error).__name__, exc_info=True)

    relay = _Relay(parent, finish)
    # The parent (a dialog, a screen) deleted before the result arrives: nobody will ever
    # receive it, so the task is settled now rather than counted as running for ever.
    relay.destroyed.connect(lambda *_a: settle())
    task.signals.done.connect(relay.done, Qt.ConnectionType.QueuedConnection)
    task.signals.failed.connect(relay.failed, Qt.ConnectionType.QueuedConnection)
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task


def busy() -> bool:
    """True while the UI waits for a task's result (cancelled tasks do not count)."""
    return any(task.waiting for task in list(_running))


def running() -> int:
    """How many tasks the UI still waits for."""
    return sum(1 for task in list(_running) if task.waiting)


def wait_for_all(timeout_ms: int = 30000) -> bool:
    """Wait for every running task (used when quitting)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
