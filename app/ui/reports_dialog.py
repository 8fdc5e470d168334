"""Supervisors' usage reports (daily summary, semester report): preview from memory and print.

The report is counted and laid out off the UI thread (``app.ui.workers``); the dialog opens at
once and shows the pages when they are ready.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QMessageBox, QVBoxLayout, QWidget

from app.domain.i18n import _
from app.services.app_core import AppServices
from app.services.officers import OfficerView
from app.ui.busy import BusyIndicator, run_busy
from app.ui.case.case_screen import error_text
from app.ui.document_preview import DocumentPreview
from app.ui.workers import Task


class ReportDialog(QDialog):
    """Shows one report (counts only); printing goes to a paper printer only."""

    def __init__(
        self,
        pdf: bytes | None,
        title: str,
        parent: QWidget | None = None,
        *,
        counts_only: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 700)
        self.preview = DocumentPreview(self)
        if counts_only:  # usage reports; a resident's record keeps the preview's own notice
            self.preview.notice.setText(
                _("The report holds counts only and is shown from memory.")
            )
        self.task: Task | None = None
        self.counts_only = counts_only
        self._own_notice = self.preview.notice.text()
        self.busy = BusyIndicator()
        self.busy.cancelled.connect(self.reject)  # "Batal" while counting closes the dialog
        layout = QVBoxLayout(self)
        layout.addWidget(self.busy)
        layout.addWidget(self.preview)
        if pdf is not None:
            self.preview.show_pdf(pdf)
        else:
            self.preview.notice.setText(_("Counting the report…"))

    def show_ready(self, pdf: bytes) -> None:
        """The report built off the UI thread arrives."""
        if self.counts_only:
            self.preview.notice.setText(
                _("The report holds counts only and is shown from memory.")
            )
        else:
            self.preview.notice.setText(self._own_notice)
        self.preview.show_pdf(pdf)

    def done(self, result: int) -> None:
        """Drop the document when the dialog closes (a report still counting is dropped too)."""
        if self.task is not None:
            self.task.cancel()
        self.preview.clear()
        super().done(result)


def open_report(
    parent: QWidget, services: AppServices, officer: OfficerView, kind: str
) -> ReportDialog | None:
    """Build the report for today off the UI thread and show it (refusals become a message)."""
    title = _("Daily usage summary") if kind == "daily" else _("Semester usage report")
    day = services.clock().date()
    return open_built_report(parent, title, lambda: services.report(kind, day, officer))


def open_built_report(
    parent: QWidget, title: str, build: Callable[[], bytes], *, counts_only: bool = True
) -> ReportDialog:
    """Open a dialog at once; ``build`` runs in the worker pool and fills it (a busy bar with
    "Batal" shows meanwhile)."""
    dialog = ReportDialog(None, title, parent, counts_only=counts_only)

    def failed(error: Exception) -> None:
        dialog.task = None
        dialog.reject()
        QMessageBox.warning(parent, "Loket KTP-el", error_text(error))

    def ready(pdf: object) -> None:
        dialog.task = None
        if isinstance(pdf, bytes):
            dialog.show_ready(pdf)

    dialog.task = run_busy(dialog, dialog.busy, _("Counting the report…"), build, ready, failed)
    dialog.open()
    return dialog


def open_processing_record(
    parent: QWidget, services: AppServices, officer: OfficerView, nik_text: str
) -> ReportDialog | None:
    """A resident's record of processing of their data (R-28), built off the UI thread and
    previewed from memory. A malformed NIK is refused at once (no database needed); a refusal
    or a database problem while building closes the dialog with a message."""
    from app.domain.nik import NikError, parse_nik

    try:
        parse_nik(nik_text, today=services.clock().date())
    except NikError as error:
        QMessageBox.warning(parent, "Loket KTP-el", error_text(error))
        return None
    return open_built_report(
        parent,
        _("Record of processing of personal data"),
        lambda: services.processing_record(nik_text, officer),
        counts_only=False,
    )
