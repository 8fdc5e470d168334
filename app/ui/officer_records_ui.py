"""Officer records in the administrators' screen (issue 15): the User-ID form fields, the
printed User-ID request form, the agency's SPTJM, role changes and the XLSX export.

Every form hands its values over off the UI thread and stays open on a refusal with the
message and what was typed (:mod:`app.ui.officer_record_forms`). The staff NIK is shown only
in the form dialog and the printed form; it is never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.services.officer_records import OfficerRecord, UserIdForm
from app.services.officers import Role
from app.ui.busy import run_busy
from app.ui.document_preview import DocumentPreview
from app.ui.officer_record_forms import (
    SptjmDialog,
    Submit,
    UserIdFormDialog,
    date_edit,
    day_of,
)
from app.ui.workers import Task, run_task

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from app.ui.officers_admin import OfficersAdmin


class PeriodDialog(QDialog):
    """The period of the officer changes to export."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Officer changes: period"))
        today = date.today()
        self.start = date_edit(date(today.year, 1 if today.month <= 6 else 7, 1))
        self.end = date_edit(today)
        form = QFormLayout(self)
        form.addRow(_("From"), self.start)
        form.addRow(_("To"), self.end)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class FormPreview(QDialog):
    """The printed User-ID request form, shown from memory with its print button."""

    def __init__(self, pdf: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("USER ID REQUEST FORM"))
        self.resize(700, 900)
        self.preview = DocumentPreview(self)
        self.preview.show_pdf(pdf)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview)

    def done(self, result: int) -> None:
        """Drop the document (it holds a staff NIK) when closed."""
        self.preview.clear()
        super().done(result)


class RecordActions:
    """The officer-record buttons of the administrators' screen and what they do.

    The ``ask_*``, ``show_form`` and ``save_path`` hooks open dialogs; tests replace them."""

    def __init__(self, screen: OfficersAdmin) -> None:
        self.screen = screen
        self.task: Task | None = None
        self.ask_form: Callable[[OfficerRecord, Submit], bool] = lambda record, submit: (
            UserIdFormDialog(record, screen, submit).exec() == QDialog.DialogCode.Accepted
        )
        self.ask_sptjm: Callable[[Submit], bool] = lambda submit: (
            SptjmDialog(screen, submit).exec() == QDialog.DialogCode.Accepted
        )
        self.ask_role: Callable[[Role], Role | None] = self._ask_role
        self.ask_period: Callable[[], tuple[date, date] | None] = self._ask_period
        self.show_form: Callable[[bytes], object] = lambda pdf: FormPreview(pdf, screen).exec()
        self.save_path: Callable[[str], Path | None] = self._save_path
        self.form_button = QPushButton(_("User-ID &form fields…"))
        self.print_button = QPushButton(_("&Print User-ID form…"))
        self.role_button = QPushButton(_("Change r&ole…"))
        self.sptjm_button = QPushButton(_("SP&TJM…"))
        self.export_button = QPushButton(_("E&xport officers (XLSX)…"))
        self.form_button.clicked.connect(self.edit_form)
        self.print_button.clicked.connect(self.print_form)
        self.role_button.clicked.connect(self.change_role)
        self.sptjm_button.clicked.connect(self.record_sptjm)
        self.export_button.clicked.connect(self.export)
        self.sptjm_label = QLabel()
        self.sptjm_label.setObjectName("sptjmOnRecord")
        self.sptjm_label.setWordWrap(True)
        self.row = QHBoxLayout()
        for button in (
            self.form_button,
            self.print_button,
            self.role_button,
            self.sptjm_button,
            self.export_button,
        ):
            self.row.addWidget(button)
        self.row.addStretch(1)

    @property
    def records(self) -> Any:
        """The officer-record service."""
        return self.screen.services.officer_records

    def refresh(self) -> None:
        """Show the SPTJM on record (read off the UI thread)."""
        self.sptjm_label.setText(_("Working…"))
        self.task = run_task(
            self.screen, self.records.current_sptjm, self._show_sptjm, self._sptjm_failed
        )

    def _sptjm_failed(self, error: Exception) -> None:
        self.task = None
        log.error("reading the SPTJM on record failed (%s)", type(error).__name__)
        self.sptjm_label.setText(_("SPTJM of the responsible head: could not be read"))

    def _show_sptjm(self, sptjm: Any) -> None:
        self.task = None
        if sptjm is None:
            self.sptjm_label.setText(_("SPTJM of the responsible head: not on record"))
        else:
            self.sptjm_label.setText(
                _("SPTJM {reference} signed {date} by {name}").format(
                    reference=sptjm.reference,
                    date=f"{sptjm.signed_on:%d-%m-%Y}",
                    name=sptjm.head_name,
                )
            )

    def _chosen(self) -> tuple[Any, Any] | None:
        chosen = self.screen.selected()
        admin = self.screen.admin
        return None if chosen is None or admin is None else (chosen[0], admin)

    def edit_form(self) -> None:
        """Enter or correct the selected officer's User-ID form fields."""
        chosen = self._chosen()
        if chosen is None:
            return
        view, admin = chosen
        records = self.records

        def submit(values: dict[str, Any]) -> object:
            return records.save_form(admin, view.id, UserIdForm(**values))

        def ask(record: OfficerRecord) -> None:
            self.screen._settled()
            if self.ask_form(record, submit):
                self.screen._done(_("User-ID form fields recorded."))

        self.screen.task = run_busy(  # the record is read off the UI thread, then the form
            self.screen,
            self.screen.busy,
            _("Working…"),
            lambda: records.record(view.id),
            ask,
            self.screen._refused,
            on_cancel=self.screen._settled,
        )

    def print_form(self) -> None:
        """Show the selected officer's User-ID request form, ready to print."""
        from app.services.documents.user_id_form import render_user_id_form

        chosen = self._chosen()
        if chosen is None:
            return
        settings = self.screen.services.core.settings

        def render() -> bytes:
            return bytes(
                render_user_id_form(
                    self.records.record(chosen[0].id),
                    self.records.current_sptjm(),
                    agency_name=settings.agency.name,
                    agency_address=settings.agency.address,
                    demo=settings.is_demo,
                    today=self.screen.services.clock().date(),
                )
            )

        self.screen._run(render, _("User-ID request form shown."), then=self.show_form)

    def change_role(self) -> None:
        """Change the selected officer's role (listed as an officer change)."""
        chosen = self._chosen()
        if chosen is None:
            return
        view, admin = chosen
        role = self.ask_role(view.role)
        if role is not None and role is not view.role:
            self.screen._run(
                lambda: self.records.set_role(admin, view.id, role), _("Role changed.")
            )

    def record_sptjm(self) -> None:
        """Record the SPTJM the responsible head signed."""
        admin = self.screen.admin
        if admin is None:
            return
        if self.ask_sptjm(lambda values: self.records.record_sptjm(admin, **values)):
            self.screen._done(_("SPTJM recorded."))
            self.refresh()

    def export(self) -> None:
        """Write officers, SPTJM and the changes of a period to an XLSX file."""
        from app.services.officer_export import officers_xlsx
        from app.services.safe_output import database_files, write_output

        if self.screen.admin is None:
            return
        period = self.ask_period()
        if period is None:
            return
        path = self.save_path("petugas.xlsx")
        if path is None:
            return
        engine_url = self.screen.services.core.engine.url

        def write() -> None:
            records = self.records
            data = officers_xlsx(
                records.records(), records.sptjm_history(), records.changes(*period)
            )
            write_output(path, data, force=True, protected=database_files(engine_url))

        self.screen._run(write, _("Officer records exported to {path}.").format(path=path))

    def _ask_role(self, current: Role) -> Role | None:
        from app.ui.officers_admin import ROLE_LABELS

        names = [_(label) for label in ROLE_LABELS.values()]
        roles = list(ROLE_LABELS)
        text, ok = QInputDialog.getItem(
            self.screen, _("Change role"), _("Role"), names, roles.index(current), False
        )
        return roles[names.index(text)] if ok else None

    def _ask_period(self) -> tuple[date, date] | None:
        dialog = PeriodDialog(self.screen)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return day_of(dialog.start), day_of(dialog.end)

    def _save_path(self, suggested: str) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(
            self.screen, _("Export officers (XLSX)"), suggested, "XLSX (*.xlsx)"
        )
        return Path(name) if name else None


def attach_record_actions(screen: OfficersAdmin, layout: QVBoxLayout) -> RecordActions:
    """Add the officer-record buttons and the SPTJM line under the account buttons."""
    actions = RecordActions(screen)
    layout.addLayout(actions.row)
    layout.addWidget(actions.sptjm_label)
    return actions
