"""The officer-record forms (User-ID form fields, the agency's SPTJM): each hands its values
over off the UI thread and stays open on a refusal with the message and what was typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.services.officer_records import EMPLOYMENT_STATUSES, OfficerRecord
from app.ui.busy import BusyIndicator
from app.ui.submitting_dialog import SubmittingDialog

Submit = Callable[[dict[str, Any]], object]


def date_edit(initial: date | None = None) -> QDateEdit:
    """A day-month-year field (today, or ``initial``), never later than today."""
    edit = QDateEdit()
    edit.setDisplayFormat("dd-MM-yyyy")
    edit.setCalendarPopup(True)
    edit.setMaximumDate(QDate.currentDate())
    day = initial or date.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    return edit


def day_of(edit: QDateEdit) -> date:
    """The day a date field shows."""
    qd = edit.date()
    return date(qd.year(), qd.month(), qd.day())


class RecordDialog(SubmittingDialog):
    """A form whose ``submit`` may refuse: the message is shown and the input stays."""

    def __init__(self, title: str, parent: QWidget | None, submit: Submit) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.submit = submit
        self.form = QFormLayout()
        self.error = QLabel()
        self.error.setObjectName("recordDialogError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        #: shown while the values are handed over off the UI thread
        self.busy = BusyIndicator()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        """What was entered."""
        raise NotImplementedError

    def accept(self) -> None:
        """Hand the values over (off the UI thread); close only when they were accepted."""
        if self.task is not None:
            return  # the values are being handed over
        try:
            values = self.values()
        except Exception as error:  # a value the form itself cannot read
            self._refused(error)
            return
        self._hand_over(values)

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for index in range(self.form.count()):
            item = self.form.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setEnabled(enabled)
        self.buttons.setEnabled(enabled)


class UserIdFormDialog(RecordDialog):
    """The User-ID request form fields of one officer."""

    def __init__(self, record: OfficerRecord, parent: QWidget | None, submit: Submit) -> None:
        super().__init__(_("User-ID form: {user}").format(user=record.username), parent, submit)
        form = record.form
        self.edits: dict[str, QLineEdit] = {}
        labels = {
            "nik": _("Population identity number (NIK)"),
            "nip": _("Employee identity number (NIP)"),
            "position": _("Position"),
            "office_region_code": _("Office region code"),
            "office_name": _("Office name"),
            "office_address": _("Office address"),
            "local_user_id": _("User ID in the local application"),
        }
        self.status = QComboBox()
        self.status.setObjectName("employment_status")
        self.status.addItems(list(EMPLOYMENT_STATUSES))
        for name, label in labels.items():
            edit = QLineEdit(str(getattr(form, name)) if form is not None else "")
            edit.setObjectName(name)
            self.edits[name] = edit
            self.form.addRow(label, edit)
            if name == "nip":
                self.form.addRow(_("Employment status"), self.status)
        self.edits["nik"].setMaxLength(16)
        self.edits["nip"].setMaxLength(18)
        if form is None:
            self.edits["local_user_id"].setText(record.username)
        else:
            self.status.setCurrentText(form.employment_status)

    def values(self) -> dict[str, Any]:
        """The form fields as typed."""
        values: dict[str, Any] = {name: edit.text() for name, edit in self.edits.items()}
        values["employment_status"] = self.status.currentText()
        return values


class SptjmDialog(RecordDialog):
    """The SPTJM signed by the agency's responsible head."""

    def __init__(self, parent: QWidget | None, submit: Submit) -> None:
        super().__init__(_("SPTJM of the responsible head"), parent, submit)
        self.head_name = QLineEdit()
        self.head_position = QLineEdit()
        self.head_nip = QLineEdit()
        self.head_nip.setMaxLength(18)
        self.signed_on = date_edit()
        self.reference = QLineEdit()
        self.bermaterai = QCheckBox(_("With duty stamp (bermaterai)"))
        self.bermaterai.setChecked(True)
        self.form.addRow(_("Head's name"), self.head_name)
        self.form.addRow(_("Head's position"), self.head_position)
        self.form.addRow("NIP", self.head_nip)
        self.form.addRow(_("Signed on"), self.signed_on)
        self.form.addRow(_("Reference"), self.reference)
        self.form.addRow(self.bermaterai)

    def values(self) -> dict[str, Any]:
        """The statement as typed."""
        return {
            "head_name": self.head_name.text(),
            "head_position": self.head_position.text(),
            "head_nip": self.head_nip.text(),
            "signed_on": day_of(self.signed_on),
            "reference": self.reference.text(),
            "bermaterai": self.bermaterai.isChecked(),
        }
