"""The officer form (new account, NDA record, password reset): the values are handed over
off the UI thread, and the form stays open with the input when they are refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import N_, _
from app.services.officers import Role
from app.ui.busy import BusyIndicator
from app.ui.submitting_dialog import SubmittingDialog

ROLE_LABELS = {
    Role.OFFICER: N_("Officer"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.ADMINISTRATOR: N_("Administrator"),
}


#: The date edit shows this (blank) until the administrator enters the NDA's date.
NO_DATE = QDate(2000, 1, 1)


class OfficerDialog(SubmittingDialog):
    """New account (``create``), NDA record (``nda``), or password reset (``reset``).

    ``submit`` carries the entered values out, off the UI thread (the form shows it is busy
    and takes no input meanwhile); when it refuses (raises), the dialog stays open with the
    message and everything typed, so the administrator corrects one field.
    """

    def __init__(
        self,
        mode: str,
        parent: QWidget | None = None,
        submit: Callable[[dict[str, Any]], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.mode = mode
        self.submit = submit
        titles = {
            "create": _("New officer"),
            "nda": _("Record the signed NDA"),
            "reset": _("Reset password"),
        }
        self.setWindowTitle(titles[mode])
        self.username = QLineEdit(self)
        self.display_name = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.role = QComboBox(self)
        for role, label in ROLE_LABELS.items():
            self.role.addItem(_(label), role)
        # no default: the date on the signed statement must be entered, never assumed
        self.nda_date = QDateEdit(self)
        self.nda_date.setDisplayFormat("dd-MM-yyyy")
        self.nda_date.setMinimumDate(NO_DATE)
        self.nda_date.setMaximumDate(QDate.currentDate())
        self.nda_date.setSpecialValueText(" ")
        self.nda_date.setDate(NO_DATE)
        self.nda_date.setCalendarPopup(True)
        today = QDate.currentDate()  # the popup opens on this month, nothing is chosen
        self.nda_date.calendarWidget().setCurrentPage(today.year(), today.month())
        self.nda_reference = QLineEdit(self)
        self.bermaterai = QCheckBox(_("The NDA carries a duty stamp (bermaterai)"), self)
        self.bermaterai.setObjectName("ndaBermaterai")
        self.error = QLabel()
        self.error.setObjectName("officerDialogError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020;")
        form = QFormLayout()
        if mode == "create":
            form.addRow(_("User name"), self.username)
            form.addRow(_("Full name"), self.display_name)
            form.addRow(_("Role"), self.role)
        if mode in ("create", "reset"):
            form.addRow(_("Password (at least 8 characters)"), self.password)
        if mode in ("create", "nda"):
            form.addRow(_("NDA signed on (dd-mm-yyyy)"), self.nda_date)
            form.addRow(_("NDA reference"), self.nda_reference)
        if mode == "nda":
            form.addRow(self.bermaterai)
        # the fields this mode does not ask for stay hidden children (owned by the dialog and
        # deleted with it, never left over as windows of their own)
        for field in (
            self.username,
            self.display_name,
            self.role,
            self.password,
            self.nda_date,
            self.nda_reference,
            self.bermaterai,
        ):
            if form.indexOf(field) < 0:
                field.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        #: shown while the values are handed over off the UI thread
        self.busy = BusyIndicator()
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

    def values(self) -> dict[str, Any]:
        """What was entered (``nda_date`` is None until a date is entered)."""
        qd = self.nda_date.date()
        entered = qd != NO_DATE
        return {
            "username": self.username.text(),
            "display_name": self.display_name.text(),
            "password": self.password.text(),
            "role": self.role.currentData(),
            "nda_date": date(qd.year(), qd.month(), qd.day()) if entered else None,
            "nda_reference": self.nda_reference.text().strip(),
            "bermaterai": self.bermaterai.isChecked(),
        }

    def problem(self) -> str | None:
        """What must still be entered, or None."""
        values = self.values()
        if self.mode == "nda" and not values["nda_reference"]:
            return _("Enter the NDA reference.")
        if self.mode in ("create", "nda") and values["nda_reference"] and not values["nda_date"]:
            return _("Enter the date the NDA was signed.")
        if self.mode == "create" and values["nda_date"] and not values["nda_reference"]:
            return _("Enter the NDA reference.")
        return None

    def accept(self) -> None:
        """Check, hand the values over (off the UI thread: hashing a password and the
        database write take a while), and close only when they were accepted."""
        if self.task is not None:
            return  # the values are being handed over
        problem = self.problem()
        if problem is not None:
            self.error.setText(problem)
            return
        self._hand_over(self.values())

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (
            self.username,
            self.display_name,
            self.password,
            self.role,
            self.nda_date,
            self.nda_reference,
            self.bermaterai,
            self.buttons,
        ):
            widget.setEnabled(enabled)


def ask_dialog(parent: QWidget, mode: str, submit: Callable[[dict[str, Any]], object]) -> bool:
    """Run the dialog until ``submit`` accepts the input; False when cancelled."""
    dialog = OfficerDialog(mode, parent, submit)
    return dialog.exec() == QDialog.DialogCode.Accepted
