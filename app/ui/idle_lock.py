"""Idle lock: after N minutes without keyboard or mouse input, lock and clear the screen.

The application-wide event filter is installed only while watching (an officer signed in):
every event through a Python filter costs a conversion, and the first ones make PySide create
hundreds of enum classes. Signed out, building and painting the window pay nothing for it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``minutes`` of no input (restarted by any input)."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        self._filtering = False

    def set_minutes(self, minutes: float) -> None:
        """Change the timeout (takes effect at once)."""
        self.timer.setInterval(max(int(minutes * 60_000), 1))

    @property
    def watching(self) -> bool:
        """Whether input is being watched (the application-wide filter is installed)."""
        return self._filtering

    def start(self) -> None:
        """Begin watching (after sign-in)."""
        app = QApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        self.timer.start()

    def stop(self) -> None:
        """Stop watching (while locked or signed out)."""
        self.timer.stop()
        self._remove_filter()

    def _remove_filter(self) -> None:
        app = QApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
        self._filtering = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS and self.timer.isActive():
            self.timer.start()
        return False

    def shutdown(self) -> None:
        """Remove the application-wide filter."""
        self.stop()
