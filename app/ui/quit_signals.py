"""Ending the Qt event loop: SIGTERM/SIGINT end it (the demo's temporary folder is then
removed), and a quit left over from the loop that ended is dropped."""

from __future__ import annotations

import contextlib
import signal

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

_previous_handlers: dict[int, object] = {}


def drop_pending_quit(app: QCoreApplication) -> None:
    """Drop a quit still queued when the event loop has ended.

    Closing the last window queues a quit; when an explicit quit ended the loop first, that
    one stays queued, and handled later it would end every event loop the process runs
    afterwards at once (the tool that started the application goes on, a test suite for one).
    """
    QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)


def restore_signal_handlers() -> None:
    """Put back the handlers :func:`quit_on_signals` replaced (the process goes on)."""
    while _previous_handlers:
        number, handler = _previous_handlers.popitem()
        with contextlib.suppress(ValueError, OSError, TypeError):
            signal.signal(number, handler)  # type: ignore[arg-type]


def quit_on_signals(app: QApplication) -> list[int]:
    """SIGTERM/SIGINT end the event loop, so the demo's temporary folder is removed.

    Returns the list the handler appends the signal's number to (a stop before the loop runs).
    """
    received: list[int] = []

    def stop(number: int, _frame: object) -> None:
        received.append(number)
        # Queued: the handler runs between any two bytecodes, maybe while a window is half
        # built; quitting closes every window, so it waits for the event loop.
        QTimer.singleShot(0, app.quit)

    for number in (signal.SIGTERM, signal.SIGINT):
        try:
            _previous_handlers[number] = signal.signal(number, stop)
        except (ValueError, OSError):  # not the main thread, or not supported here
            return received
    # Python runs signal handlers between bytecodes: a light tick lets them run while Qt waits.
    ticker = QTimer(app)
    ticker.setObjectName("signalTicker")
    ticker.timeout.connect(lambda: None)
    ticker.start(250)
    return received
