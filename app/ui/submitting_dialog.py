"""A form dialog that hands its values over off the UI thread and closes only when accepted.

Hashing a password or writing to a shared database takes a while: the values go to
``submit`` on a worker with a busy bar, the inputs wait disabled, and a refusal is shown
in the dialog with everything typed still there. Cancel is ignored meanwhile, since the
write may already have happened: the outcome is waited for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from app.domain.i18n import _
from app.ui.busy import BusyIndicator, run_busy
from app.ui.workers import Task


class SubmittingDialog(QDialog):
    """Subclasses set ``error`` (a QLabel), ``busy`` and ``submit``, and say which widgets
    wait while the values are handed over (:meth:`_set_inputs_enabled`)."""

    error: QLabel
    busy: BusyIndicator
    submit: Callable[[dict[str, Any]], object] | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self._refocus: QWidget | None = None

    def _hand_over(self, values: dict[str, Any]) -> None:
        """Give ``values`` to ``submit`` off the UI thread; close when accepted."""
        submit = self.submit
        if submit is None:
            QDialog.accept(self)
            return
        self.error.clear()
        self._refocus = QApplication.focusWidget()
        self._set_inputs_enabled(False)
        self.task = run_busy(
            self,
            self.busy,
            _("Working…"),
            lambda: submit(values),
            self._accepted,
            self._refused,
            cancellable=False,  # the write may already be done: the outcome is waited for
        )

    def reject(self) -> None:
        """Cancel, unless the values are being handed over (the outcome is waited for)."""
        if self.task is None:
            super().reject()

    def _accepted(self, _result: object) -> None:
        self.task = None
        QDialog.accept(self)

    def _refused(self, error: Exception) -> None:
        """A refusal: shown here, the input stays."""
        self.task = None
        self._set_inputs_enabled(True)
        self.error.setText(str(getattr(error, "message", None) or _("The action was refused.")))
        if self._refocus is not None and self._refocus.isEnabled():
            self._refocus.setFocus()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        raise NotImplementedError
