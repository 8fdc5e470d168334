"""Supervisors' usage reports (daily summary, semester report): preview from memory and print."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QMessageBox, QVBoxLayout, QWidget

from app.domain.i18n import _
from app.services.app_core import AppServices
from app.services.officers import OfficerView
from app.ui.case.case_screen import error_text
from app.ui.document_preview import DocumentPreview


class ReportDialog(QDialog):
    """Shows one report (counts only); printing goes to a paper printer only."""

    def __init__(
        self, pdf: bytes, title: str, parent: QWidget | None = None, *, counts_only: bool = True
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 700)
        self.preview = DocumentPreview(self)
        if counts_only:  # usage reports; a resident's record keeps the preview's own notice
            self.preview.notice.setText(
                _("The report holds counts only and is shown from memory.")
            )
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview)
        self.preview.show_pdf(pdf)

    def done(self, result: int) -> None:
        """Drop the document when the dialog closes."""
        self.preview.clear()
        super().done(result)


def open_report(
    parent: QWidget, services: AppServices, officer: OfficerView, kind: str
) -> ReportDialog | None:
    """Build the report for today and show it (refusals become a message)."""
    try:
        pdf = services.report(kind, services.clock().date(), officer)
    except Exception as error:  # refusals and database problems become a message
        QMessageBox.warning(parent, "Loket KTP-el", error_text(error))
        return None
    title = _("Daily usage summary") if kind == "daily" else _("Semester usage report")
    dialog = ReportDialog(pdf, title, parent)
    dialog.open()
    return dialog


def open_processing_record(
    parent: QWidget, services: AppServices, officer: OfficerView, nik_text: str
) -> ReportDialog | None:
    """A resident's record of processing of their data (R-28), previewed from memory."""
    try:
        pdf = services.processing_record(nik_text, officer)
    except Exception as error:  # an invalid NIK, a refusal or a database problem
        QMessageBox.warning(parent, "Loket KTP-el", error_text(error))
        return None
    dialog = ReportDialog(
        pdf, _("Record of processing of personal data"), parent, counts_only=False
    )
    dialog.open()
    return dialog
