"""Python's cycle collector runs on the UI thread only.

Python starts a collection in whichever thread happens to allocate when a threshold is
crossed, and that is often a worker running a core call. A collection destroys the
unreachable Qt objects it finds (a closed dialog, a window and its children, a task's
signal object), and destroying a widget anywhere but the UI thread ends the process with a
segmentation fault. :class:`UiThreadCollector` turns Python's automatic collection off and
runs the same generational collection from a timer on the UI thread instead, with Python's own
thresholds, so every Qt object is destroyed where Qt allows it.

Memory freed by reference counting is unaffected; only objects in reference cycles wait for
the next tick (half a second by default).
"""

from __future__ import annotations

import gc
import logging
import threading

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

#: how often the UI thread looks at the collector's counts
DEFAULT_INTERVAL_MS = 500


class UiThreadCollector(QObject):
    """Disables automatic collection and collects from a UI-thread timer (see module doc)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = DEFAULT_INTERVAL_MS):
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("the collector must be created on the UI thread")
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        gc.disable()
        self._timer.start()

    @property
    def running(self) -> bool:
        """True until :meth:`stop`: collections are being run from the timer."""
        return self._timer.isActive()

    def check(self) -> None:
        """Collect the oldest generation whose count passed its threshold, as Python would."""
        counts = gc.get_count()
        generation = -1
        for index in range(3):
            threshold = self._thresholds[index]
            if threshold > 0 and counts[index] > threshold:
                generation = index
        if generation >= 0:
            self.collect(generation)

    def collect(self, generation: int = 2) -> int:
        """Collect ``generation`` now (on the calling thread, which must be the UI thread)."""
        return gc.collect(generation)

    def stop(self) -> None:
        """Stop the timer, collect everything once, and give collection back to Python."""
        self._timer.stop()
        self.collect(2)
        if self._was_enabled:
            gc.enable()


def collect_on_ui_thread(parent: QObject | None = None) -> UiThreadCollector:
    """Install the collector (call once, on the UI thread, after the QApplication exists)."""
    collector = UiThreadCollector(parent)
    log.debug("cycle collection moved to the UI thread")
    return collector
