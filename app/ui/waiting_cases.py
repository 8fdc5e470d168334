"""Supervisors: returned cases waiting for the applicant and cases a crash left open on any
counter; closing one releases the data balikan it owes (R-20). Numbers and dates only."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.services.app_core import AppServices
from app.services.cases.returned import WaitingCase
from app.services.officers import OfficerView
from app.ui.busy import BusyIndicator, run_busy
from app.ui.case.case_screen import error_text
from app.ui.workers import Task


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    if rows:
        table.selectRow(0)


class WaitingCasesDialog(QDialog):
    """Two lists, each with one button that closes the selected case."""

    def __init__(self, services: AppServices, officer: OfficerView, parent: QWidget) -> None:
        super().__init__(parent)
        self.services = services
        self.officer = officer
        self.returned: list[WaitingCase] = []
        self.interrupted: list[WaitingCase] = []
        self.setWindowTitle(_("Returned and interrupted cases"))
        layout = QVBoxLayout(self)
        returned_box = QGroupBox(_("Returned for fixes, waiting for the applicant"))
        returned_layout = QVBoxLayout(returned_box)
        self.returned_hint = QLabel()
        self.returned_hint.setWordWrap(True)
        self.returned_table = _table([_("Case"), _("Returned on"), _("Age (days)")])
        self.returned_table.setObjectName("returnedTable")
        self.close_returned_button = QPushButton(_("Close: the applicant did &not come back"))
        returned_layout.addWidget(self.returned_hint)
        returned_layout.addWidget(self.returned_table)
        returned_layout.addWidget(self.close_returned_button)
        interrupted_box = QGroupBox(_("Interrupted (left open by a crash), on any counter"))
        interrupted_layout = QVBoxLayout(interrupted_box)
        self.interrupted_table = _table([_("Case"), _("Counter"), _("Last used")])
        self.interrupted_table.setObjectName("interruptedTable")
        self.close_interrupted_button = QPushButton(_("Close the &interrupted case"))
        interrupted_layout.addWidget(self.interrupted_table)
        interrupted_layout.addWidget(self.close_interrupted_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.busy = BusyIndicator()
        self.task: Task | None = None
        layout.addWidget(returned_box)
        layout.addWidget(interrupted_box)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        self.close_returned_button.clicked.connect(self.close_returned)
        self.close_interrupted_button.clicked.connect(self.close_interrupted)
        self.resize(640, 520)
        self.reload()

    def reload(self) -> None:
        """Fresh lists from the database (read off the UI thread)."""
        waiting = self.services.returned
        self.close_returned_button.setEnabled(False)
        self.close_interrupted_button.setEnabled(False)

        def read() -> tuple[list[WaitingCase], list[WaitingCase]]:
            return waiting.returned(), waiting.interrupted()

        self.task = run_busy(
            self,
            self.busy,
            _("Working…"),
            read,
            self._show,
            self._failed,
            on_cancel=self._settled,
        )

    def _settled(self) -> None:
        self.task = None

    def _failed(self, error: Exception) -> None:
        self._settled()
        self.message.setText(error_text(error))

    def _show(self, lists: tuple[list[WaitingCase], list[WaitingCase]]) -> None:
        self._settled()
        self.returned, self.interrupted = lists
        self.returned_hint.setText(
            _("A returned case closes by itself after {days} day(s).").format(
                days=self.services.returned.returned_days
            )
        )
        _fill(
            self.returned_table,
            [[w.number, f"{w.since:%d-%m-%Y}", str(w.age_days)] for w in self.returned],
        )
        _fill(
            self.interrupted_table,
            [[w.number, w.counter_id, f"{w.since:%d-%m-%Y %H:%M}"] for w in self.interrupted],
        )
        self.close_returned_button.setEnabled(bool(self.returned))
        self.close_interrupted_button.setEnabled(bool(self.interrupted))

    def confirm(self, text: str) -> bool:
        """Ask before closing (replaceable in tests)."""
        answer = QMessageBox.question(self, _("Returned and interrupted cases"), text)
        return answer == QMessageBox.StandardButton.Yes

    @staticmethod
    def _selected(table: QTableWidget, rows: list[WaitingCase]) -> WaitingCase | None:
        index = table.currentRow()
        return rows[index] if 0 <= index < len(rows) else None

    def close_returned(self) -> None:
        """Close the selected returned case: its data balikan goes with the note."""
        case = self._selected(self.returned_table, self.returned)
        if case is None or not self.confirm(
            _("Close case {number}? The applicant did not come back.").format(number=case.number)
        ):
            return
        self._run(lambda: self.services.returned.close_returned(self.officer, case.number), case)

    def close_interrupted(self) -> None:
        """Close the selected interrupted case: what it owes is released."""
        case = self._selected(self.interrupted_table, self.interrupted)
        if case is None or not self.confirm(
            _("Close interrupted case {number}?").format(number=case.number)
        ):
            return

        def work() -> None:
            self.services.returned.check_interrupted(case.number)
            self.services.cases.cancel_interrupted(self.officer, case.number, "")

        self._run(work, case)

    def _run(self, work: Callable[[], None], case: WaitingCase) -> None:
        self.close_returned_button.setEnabled(False)
        self.close_interrupted_button.setEnabled(False)

        def closed(_result: object) -> None:
            if self.services.balikan is not None:
                self.services.balikan.wake()
            self.message.setText(_("Case {number} closed.").format(number=case.number))
            self.reload()

        def refused(error: Exception) -> None:  # a refusal is shown, the dialog stays
            self.message.setText(error_text(error))
            self.reload()

        self.task = run_busy(
            self, self.busy, _("Working…"), work, closed, refused, on_cancel=self.reload
        )
