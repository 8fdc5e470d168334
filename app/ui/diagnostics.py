"""The "Diagnostik" screen: the doctor's lines for administrators and technicians.

The checks (network probes included) run off the UI thread; the table shows each line's
status, what was found and what to do. No secret and no population data is ever shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import N_, _
from app.services.app_core import AppServices
from app.services.doctor import DoctorReport, Status
from app.ui.busy import BusyIndicator, run_busy
from app.ui.workers import Task

STATUS_COLOURS = {Status.OK: "#e8f5e9", Status.WARNING: "#fff8e1", Status.ERROR: "#ffebee"}


CHECK_LABELS = {
    "versions": N_("Versions"),
    "admin_file": N_("Administrator settings"),
    "secret_store": N_("Secret store"),
    "secrets": N_("Secrets"),
    "database": N_("Database"),
    "migration": N_("Database schema"),
    "quota": N_("Daily quota"),
    "gateway": N_("Dukcapil gateway"),
    "balikan": N_("Data balikan"),
    "reader": N_("Card reader"),
    "sam": N_("SAM"),
    "agreement": N_("Agreement (PKS)"),
    "access": N_("Access mode"),
}
CHECK_PARTS = {"certificate": N_("certificate"), "clock": N_("clock")}


def check_label(name: str) -> str:
    """The doctor's line name in the user's language (``gateway.clock`` becomes
    "Dukcapil gateway — clock"); an unknown name is shown as it is."""
    base, _dot, part = name.partition(".")
    label = _(CHECK_LABELS[base]) if base in CHECK_LABELS else base
    if part:
        label += " — " + (_(CHECK_PARTS[part]) if part in CHECK_PARTS else part)
    return label


def status_label(status: Status) -> str:
    """The status word in the user's language."""
    return {Status.OK: _("ok"), Status.WARNING: _("warning"), Status.ERROR: _("error")}[status]


def diagnose(services: AppServices) -> DoctorReport:
    """Run the doctor for this app's configuration (called in the worker pool)."""
    from pathlib import Path

    from app.doctor_reader import reader_checks
    from app.reader_wiring import reader_config
    from app.services.doctor.run import run_doctor
    from app.services.settings import admin_settings_path

    core = services.core
    return run_doctor(
        core.settings,
        core.secrets,
        admin_path=Path(admin_settings_path()),
        reader_probe=lambda: reader_checks(reader_config(core.settings)),
        database_url=core.engine.url.render_as_string(hide_password=False),
    )


class DiagnosticsDialog(QDialog):
    """Runs the doctor and lists its lines."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.task: Task | None = None
        self.report: DoctorReport | None = None
        self.setWindowTitle(_("Diagnostics"))
        self.resize(900, 520)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([_("Item"), _("Status"), _("Found"), _("What to do")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.sectionResized.connect(lambda *_args: self.table.resizeRowsToContents())
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        layout.addWidget(self.table)
        self.busy = BusyIndicator()
        layout.addWidget(self.busy)
        self.again = QPushButton(_("Check again"))
        self.again.clicked.connect(self.run)
        layout.addWidget(self.again)
        self.run()

    def run(self) -> None:
        """Start a diagnosis in the worker pool."""
        if self.task is not None:
            return
        self.again.setEnabled(False)
        self.summary.setText("")
        services = self.services
        self.task = run_busy(
            self,
            self.busy,
            _("Checking…"),
            lambda: diagnose(services),
            self.show_report,
            self._failed,
            on_cancel=self._cancelled,
        )

    def _cancelled(self) -> None:
        self.task = None
        self.again.setEnabled(True)

    def _failed(self, error: Exception) -> None:
        self.task = None
        self.again.setEnabled(True)
        self.summary.setText(_("The diagnosis failed ({kind}).").format(kind=type(error).__name__))

    def show_report(self, report: object) -> None:
        """Fill the table with the doctor's lines."""
        self.task = None
        self.again.setEnabled(True)
        if not isinstance(report, DoctorReport):
            return
        self.report = report
        self.table.setRowCount(len(report.checks))
        for row, check in enumerate(report.checks):
            values = (
                check_label(check.name),
                status_label(check.status),
                check.found,
                check.action,
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setBackground(QColor(STATUS_COLOURS[check.status]))
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.summary.setText(
            {
                Status.OK: _("Everything checked is in order."),
                Status.WARNING: _("Some items need attention (warnings)."),
                Status.ERROR: _("The counter cannot work as configured (errors)."),
            }[report.worst]
        )

    def done(self, result: int) -> None:
        """A diagnosis still running is dropped when the screen closes."""
        if self.task is not None:
            self.task.cancel()
        super().done(result)
