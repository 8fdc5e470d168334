"""The supervisor's reports screen: any period, which counters, PDF/CSV/XLSX, the due reminder,
and the record of each submission to the Dinas (R-21). Counting runs off the UI thread."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.services.app_core import AppServices
from app.services.officers import OfficerView
from app.services.reports.due import DueReminder
from app.services.reports.submissions import CHANNELS
from app.ui.busy import BusyIndicator, run_busy
from app.ui.case.case_screen import error_text
from app.ui.reports_dialog import ReportDialog, open_built_report
from app.ui.workers import Task, run_task


def reminder_text(reminder: DueReminder | None) -> str:
    """The due reminder as the supervisor reads it ("" when nothing is owed soon)."""
    if reminder is None:
        return ""
    period = reminder.period
    values = {
        "period": period.label(),
        "due": f"{period.due:%d-%m-%Y}",
        "days": abs(reminder.days_left),
    }
    if reminder.overdue:
        return _(
            "The usage report for {period} was due on {due} ({days} days ago) and no "
            "submission is recorded. Print it, hand it to the Dinas and mark it as submitted."
        ).format(**values)
    return _(
        "The usage report for {period} is due on {due} (in {days} days). Print it, hand it "
        "to the Dinas and mark it as submitted."
    ).format(**values)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class SupervisorReportsDialog(QDialog):
    """Reports for any period and the submissions register."""

    def __init__(self, services: AppServices, officer: OfficerView, parent: QWidget) -> None:
        super().__init__(parent)
        self.services = services
        self.officer = officer
        self.task: Task | None = None
        self.report_dialog: ReportDialog | None = None
        self.setWindowTitle(_("Reports and submissions"))
        self.resize(760, 620)
        layout = QVBoxLayout(self)
        self.reminder = QLabel()
        self.reminder.setWordWrap(True)
        self.reminder.setStyleSheet("background:#fff8e1; border:1px solid #f9a825; padding:6px;")
        layout.addWidget(self.reminder)

        today = services.clock().date()
        start, end = services.reports.period("semester", today)
        report_box = QGroupBox(_("Report for a period"))
        form = QFormLayout(report_box)
        self.start = QDateEdit(_qdate(start))
        self.end = QDateEdit(_qdate(end))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        self.counters = QLineEdit()
        self.counters.setPlaceholderText(_("empty: every counter on this database"))
        self.number = QLineEdit()
        form.addRow(_("From"), self.start)
        form.addRow(_("To"), self.end)
        form.addRow(_("Counters (comma-separated)"), self.counters)
        form.addRow(_("Letter number"), self.number)
        buttons = QHBoxLayout()
        self.pdf_button = QPushButton(_("Preview and print (PDF)"))
        self.csv_button = QPushButton(_("Save figures as CSV…"))
        self.xlsx_button = QPushButton(_("Save figures as XLSX…"))
        for button in (self.pdf_button, self.csv_button, self.xlsx_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        self.pdf_button.clicked.connect(self.preview_pdf)
        self.csv_button.clicked.connect(lambda: self.save_figures("csv"))
        self.xlsx_button.clicked.connect(lambda: self.save_figures("xlsx"))
        layout.addWidget(report_box)

        submit_box = QGroupBox(_("Mark the period above as submitted"))
        submit = QFormLayout(submit_box)
        self.submitted_on = QDateEdit(_qdate(today))
        self.submitted_on.setCalendarPopup(True)
        self.submitted_on.setDisplayFormat("dd-MM-yyyy")
        self.channel = QComboBox()
        for key, label in CHANNELS.items():
            self.channel.addItem(_(label), key)
        self.reference = QLineEdit()
        self.submit_button = QPushButton(_("Mark as submitted"))
        self.submit_button.clicked.connect(self.mark_submitted)
        submit.addRow(_("Date handed in"), self.submitted_on)
        submit.addRow(_("Channel"), self.channel)
        submit.addRow(_("Reference"), self.reference)
        submit.addRow(self.submit_button)
        layout.addWidget(submit_box)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [_("Period"), _("Date handed in"), _("Channel"), _("Reference")]
        )
        # every heading readable: columns as wide as their heading or content
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.status = QLabel()
        layout.addWidget(self.status)
        self.busy = BusyIndicator()
        layout.addWidget(self.busy)
        self.list_task: Task | None = None
        self.refresh()

    def _period(self) -> tuple[date, date]:
        return _pydate(self.start.date()), _pydate(self.end.date())

    def _counters(self) -> list[str]:
        return [c.strip() for c in self.counters.text().split(",") if c.strip()]

    def refresh(self) -> None:
        """Reminder and submissions from the database (read off the UI thread)."""
        reports = self.services.reports

        def read() -> tuple[object, list[Any]]:
            return reports.reminder(), reports.submissions()

        def failed(error: Exception) -> None:
            self.list_task = None
            self.status.setText(error_text(error))

        self.list_task = run_task(self, read, self._show_lists, failed)

    def _show_lists(self, lists: tuple[Any, list[Any]]) -> None:
        self.list_task = None
        reminder, rows = lists
        text = reminder_text(reminder)
        self.reminder.setText(text)
        self.reminder.setVisible(bool(text))
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            values = (
                f"{row.period_start:%d-%m-%Y} – {row.period_end:%d-%m-%Y}",
                f"{row.submitted_on:%d-%m-%Y}",
                row.channel_label,
                row.reference,
            )
            for column, value in enumerate(values):
                self.table.setItem(index, column, QTableWidgetItem(value))

    def preview_pdf(self) -> None:
        """Count and lay out the report off the UI thread, then preview it."""
        start, end = self._period()
        counters, number = self._counters(), self.number.text().strip()
        reports, officer = self.services.reports, self.officer
        self.report_dialog = open_built_report(
            self,
            _("Usage report on request"),
            lambda: reports.pdf(officer, "period", start, end, counters, number),
        )

    def ask_save_path(self, suggested: str, pattern: str) -> str:
        """Where to save the figures (replaceable in tests)."""
        path, _filter = QFileDialog.getSaveFileName(self, _("Save figures"), suggested, pattern)
        return path

    def save_figures(self, file_format: str) -> None:
        """Export the same figures (counts only) to a file the supervisor chooses."""
        start, end = self._period()
        path = self.ask_save_path(f"laporan-{start}-{end}.{file_format}", f"*.{file_format}")
        if not path:
            return
        counters, reports, officer = self._counters(), self.services.reports, self.officer

        def write() -> str:
            data = reports.export(officer, file_format, start, end, counters)
            with open(path, "wb") as handle:
                handle.write(data)
            return path

        def done(_result: object) -> None:
            self.task = None
            self.status.setText(_("Figures saved to {path}").format(path=path))

        self.status.setText("")
        self.task = run_busy(
            self,
            self.busy,
            _("Counting the report…"),
            write,
            done,
            self._failed,
            on_cancel=self._cancelled,
        )

    def _cancelled(self) -> None:
        self.task = None

    def _failed(self, error: Exception) -> None:
        self.task = None
        self.status.setText("")
        QMessageBox.warning(self, "Loket KTP-el", error_text(error))

    def mark_submitted(self) -> None:
        """Record that the period's report was handed to the Dinas (off the UI thread)."""
        if self.task is not None:
            return
        start, end = self._period()
        reports, officer = self.services.reports, self.officer
        on = _pydate(self.submitted_on.date())
        channel, reference = str(self.channel.currentData()), self.reference.text()

        def work() -> tuple[Any, list[Any]]:
            reports.record_submission(officer, start, end, on, channel, reference)
            return reports.reminder(), reports.submissions()

        def recorded(lists: tuple[Any, list[Any]]) -> None:
            self.task = None
            self.reference.clear()
            self.status.setText(_("Submission recorded."))
            self._show_lists(lists)

        self.task = run_busy(
            self,
            self.busy,
            _("Working…"),
            work,
            recorded,
            self._failed,
            on_cancel=self._cancelled,
        )

    def done(self, result: int) -> None:
        """A report still counting is dropped when the screen closes."""
        for task in (self.task, self.list_task):
            if task is not None:
                task.cancel()
        super().done(result)
