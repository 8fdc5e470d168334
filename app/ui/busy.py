"""A reusable busy state: a label with a "Batal" button over a screen while a task runs.

:class:`BusyIndicator` is a small bar (text, an indeterminate progress bar and a cancel button)
that a screen puts in its layout. :func:`run_busy` runs a call off the UI thread with the bar
shown; the bar hides when the result is in, when the call fails, or when the officer cancels
(the window keeps painting and answering keys all the while).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.domain.i18n import _
from app.ui.workers import Task, run_task


class BusyIndicator(QWidget):
    """ "Working…" with an indeterminate bar and a cancel button; hidden when idle."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("busyIndicator")
        self.label = QLabel()
        self.label.setObjectName("busyText")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # indeterminate: it moves while the UI thread is free
        self.bar.setMaximumWidth(120)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setObjectName("busyCancel")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.task: Task | None = None
        self._on_cancel: Callable[[], None] | None = None
        self.hide()

    def start(
        self,
        task: Task,
        text: str,
        *,
        cancellable: bool = True,
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        """Show the bar for ``task`` (``on_cancel`` runs when the officer cancels it)."""
        self.task = task
        self._on_cancel = on_cancel
        self.label.setText(text or _("Working…"))
        self.cancel_button.setVisible(cancellable)
        self.show()

    def stop(self, task: Task | None = None) -> None:
        """Hide the bar (only if it still shows ``task``, when one is given)."""
        if task is not None and task is not self.task:
            return
        self.task = None
        self._on_cancel = None
        self.hide()

    def cancel(self) -> None:
        """The officer stops waiting: the task's callbacks will not run."""
        task = self.task
        if task is None:
            return
        on_cancel = self._on_cancel
        task.cancel()
        self.stop()
        if on_cancel is not None:
            on_cancel()
        self.cancelled.emit()

    @property
    def active(self) -> bool:
        """A task is shown as running."""
        return self.task is not None


def run_busy(
    parent: QObject,
    indicator: BusyIndicator,
    text: str,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    *,
    on_cancel: Callable[[], None] | None = None,
    on_late: Callable[[Any], None] | None = None,
    cancellable: bool = True,
) -> Task:
    """Run ``fn`` off the UI thread with ``indicator`` shown; callbacks on the UI thread.

    A cancel hides the bar at once and calls ``on_cancel``; ``on_done``/``on_error`` are then
    never called (``on_late`` gets a result that still arrives).
    """
    holder: dict[str, Task] = {}

    def done(value: Any) -> None:
        indicator.stop(holder.get("task"))
        on_done(value)

    def failed(error: Exception) -> None:
        indicator.stop(holder.get("task"))
        on_error(error)

    task = run_task(parent, fn, done, failed, on_late)
    holder["task"] = task
    indicator.start(task, text, cancellable=cancellable, on_cancel=on_cancel)
    return task
