"""The supervisor's incident screen: record an incident, the 3×24-hour countdown, the notice
draft (PDF, Indonesian) and the record that it was sent. Counts only, never identities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDateTime, QTimer
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.services.app_core import AppServices
from app.services.incidents import IncidentView
from app.services.officers import OfficerView
from app.ui.busy import BusyIndicator, run_busy
from app.ui.case.case_screen import error_text
from app.ui.reports_dialog import ReportDialog, open_built_report
from app.ui.workers import Task


def countdown_text(incident: IncidentView, now: datetime) -> str:
    """What is left of the 3×24 hours, or that the notice was sent / is overdue."""
    if incident.notified_at is not None:
        return _("notice sent {at}").format(at=f"{incident.notified_at:%d-%m-%Y %H:%M}")
    seconds = int(incident.time_left(now).total_seconds())
    if seconds < 0:
        return _("notice OVERDUE since {at}").format(at=f"{incident.deadline:%d-%m-%Y %H:%M}")
    return _("{hours} h {minutes} min left for the notice").format(
        hours=seconds // 3600, minutes=seconds % 3600 // 60
    )


def _qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromString(moment.strftime("%Y-%m-%d %H:%M"), "yyyy-MM-dd HH:mm")


def _pydatetime(value: QDateTime) -> datetime:
    return datetime.strptime(value.toString("yyyy-MM-dd HH:mm"), "%Y-%m-%d %H:%M")


class IncidentsDialog(QDialog):
    """Incident register and the notice for the selected one."""

    def __init__(self, services: AppServices, officer: OfficerView, parent: QWidget) -> None:
        super().__init__(parent)
        self.services = services
        self.officer = officer
        self.rows: list[IncidentView] = []
        self.report_dialog: ReportDialog | None = None
        self.setWindowTitle(_("Personal-data incidents"))
        self.resize(860, 640)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [_("Number"), _("Discovered"), _("Residents"), _("Counters"), _("Notice")]
        )
        # every heading readable: columns as wide as their heading or content
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.notice_button = QPushButton(_("Notice draft (PDF)…"))
        self.notified_button = QPushButton(_("Mark the notice as sent"))
        buttons.addWidget(self.notice_button)
        buttons.addWidget(self.notified_button)
        layout.addLayout(buttons)
        self.notice_button.clicked.connect(self.show_notice)
        self.notified_button.clicked.connect(self.mark_notified)

        form_box = QGroupBox(_("Record an incident"))
        form = QFormLayout(form_box)
        now = services.clock()
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(_("What happened (no NIK, no names)"))
        self.summary.setFixedHeight(60)
        self.discovered = QDateTimeEdit(_qdatetime(now))
        self.occurred_from = QDateTimeEdit(_qdatetime(now))
        self.occurred_to = QDateTimeEdit(_qdatetime(now))
        for edit in (self.discovered, self.occurred_from, self.occurred_to):
            edit.setDisplayFormat("dd-MM-yyyy HH:mm")
            edit.setCalendarPopup(True)
        self.counters = QLineEdit()
        self.counters.setPlaceholderText(_("empty: every counter on this database"))
        self.measures = QPlainTextEdit()
        self.measures.setFixedHeight(50)
        self.record_button = QPushButton(_("Record the incident"))
        self.record_button.clicked.connect(self.record)
        form.addRow(_("What happened"), self.summary)
        form.addRow(_("Discovered"), self.discovered)
        form.addRow(_("From"), self.occurred_from)
        form.addRow(_("To"), self.occurred_to)
        form.addRow(_("Counters (comma-separated)"), self.counters)
        form.addRow(_("Handling and recovery"), self.measures)
        form.addRow(self.record_button)
        layout.addWidget(form_box)
        self.busy = BusyIndicator()
        self.task: Task | None = None
        layout.addWidget(self.busy)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(60_000)
        self.refresh()

    def refresh(self) -> None:
        """The register with the countdowns as of now (read off the UI thread)."""
        if self.task is not None:
            return  # the list being read (or an action) ends with a refresh anyway
        self.task = run_busy(
            self,
            self.busy,
            _("Working…"),
            self.services.incidents.list,
            self._fill,
            self._failed,
            on_cancel=self._settled,
        )

    def _settled(self) -> None:
        self.task = None

    def _failed(self, error: Exception) -> None:
        self._settled()
        QMessageBox.warning(self, "Loket KTP-el", error_text(error))

    def _fill(self, rows: list[IncidentView]) -> None:
        self._settled()
        self.rows = rows
        now = self.services.clock()
        self.table.setRowCount(len(self.rows))
        for index, incident in enumerate(self.rows):
            values = (
                incident.number,
                f"{incident.discovered_at:%d-%m-%Y %H:%M}",
                str(incident.residents),
                ", ".join(incident.counters) or "*",
                countdown_text(incident, now),
            )
            for column, value in enumerate(values):
                self.table.setItem(index, column, QTableWidgetItem(value))
        if self.rows and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def _act(self, work: Callable[[], object], after: Callable[[], None]) -> None:
        """A register change off the UI thread; then ``after`` and a fresh list."""
        if self.task is not None:
            return

        def done(_result: object) -> None:
            self._settled()
            after()
            self.refresh()

        self.task = run_busy(
            self, self.busy, _("Working…"), work, done, self._failed, on_cancel=self._settled
        )

    def selected(self) -> IncidentView | None:
        """The incident of the selected row."""
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def record(self) -> None:
        """Record the incident from the form; residents are counted from the audit."""
        counters = [c.strip() for c in self.counters.text().split(",") if c.strip()]
        incidents, officer = self.services.incidents, self.officer
        summary, measures = self.summary.toPlainText(), self.measures.toPlainText()
        discovered = _pydatetime(self.discovered.dateTime())
        occurred_from = _pydatetime(self.occurred_from.dateTime())
        occurred_to = _pydatetime(self.occurred_to.dateTime())

        def work() -> object:
            return incidents.record(
                officer,
                summary=summary,
                discovered_at=discovered,
                occurred_from=occurred_from,
                occurred_to=occurred_to,
                counters=counters,
                measures=measures,
            )

        def recorded() -> None:
            self.summary.clear()
            self.measures.clear()
            self.table.setCurrentCell(-1, -1)  # the newest incident is selected after the list

        self._act(work, recorded)

    def show_notice(self) -> None:
        """The notice draft for the selected incident, previewed from memory."""
        incident = self.selected()
        if incident is None:
            return
        from app.services.incidents.notice import notice_pdf

        settings = self.services.core.settings
        printed_at = self.services.clock()
        self.report_dialog = open_built_report(
            self,
            _("Incident notice draft"),
            lambda: notice_pdf(
                incident,
                agency_name=settings.agency.name,
                agency_address=settings.agency.address,
                printed_at=printed_at,
                demo=settings.is_demo,
            ),
        )

    def mark_notified(self) -> None:
        """Record that the written notice was sent."""
        incident = self.selected()
        if incident is None:
            return
        incidents, officer = self.services.incidents, self.officer
        self._act(lambda: incidents.mark_notified(officer, incident.number), lambda: None)
