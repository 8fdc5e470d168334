"""Officer management for administrators (R-08): create, NDA record, disable/enable, reset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import N_, _
from app.services.app_core import AppServices
from app.services.officers import OfficerView, Role
from app.ui.busy import BusyIndicator, run_busy
from app.ui.officer_records_ui import attach_record_actions
from app.ui.workers import Task

ROLE_LABELS = {
    Role.OFFICER: N_("Officer"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.ADMINISTRATOR: N_("Administrator"),
}


#: The date edit shows this (blank) until the administrator enters the NDA's date.
NO_DATE = QDate(2000, 1, 1)


class OfficerDialog(QDialog):
    """New account (``create``), NDA record (``nda``), or password reset (``reset``).

    ``submit`` carries the entered values out; when it refuses (raises), the dialog stays open
    with the message and everything typed, so the administrator corrects one field.
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
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.role = QComboBox()
        for role, label in ROLE_LABELS.items():
            self.role.addItem(_(label), role)
        # no default: the date on the signed statement must be entered, never assumed
        self.nda_date = QDateEdit()
        self.nda_date.setDisplayFormat("dd-MM-yyyy")
        self.nda_date.setMinimumDate(NO_DATE)
        self.nda_date.setMaximumDate(QDate.currentDate())
        self.nda_date.setSpecialValueText(" ")
        self.nda_date.setDate(NO_DATE)
        self.nda_date.setCalendarPopup(True)
        today = QDate.currentDate()  # the popup opens on this month, nothing is chosen
        self.nda_date.calendarWidget().setCurrentPage(today.year(), today.month())
        self.nda_reference = QLineEdit()
        self.bermaterai = QCheckBox(_("The NDA carries a duty stamp (bermaterai)"))
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
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
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
        """Check, hand the values over, and close only when they were accepted."""
        problem = self.problem()
        if problem is None and self.submit is not None:
            try:
                self.submit(self.values())
            except Exception as error:  # a refusal: shown here, the input stays
                problem = str(getattr(error, "message", None) or _("The action was refused."))
        if problem is not None:
            self.error.setText(problem)
            return
        super().accept()


def ask_dialog(parent: QWidget, mode: str, submit: Callable[[dict[str, Any]], object]) -> bool:
    """Run the dialog until ``submit`` accepts the input; False when cancelled."""
    dialog = OfficerDialog(mode, parent, submit)
    return dialog.exec() == QDialog.DialogCode.Accepted


class OfficersAdmin(QWidget):
    """The administrators' screen."""

    done = Signal()
    statusChanged = Signal()

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.admin: OfficerView | None = None
        #: Opens the form for a mode; the form calls ``submit`` and stays open on a refusal.
        self.ask: Callable[[str, Callable[[dict[str, Any]], object]], bool] = lambda mode, submit: (
            ask_dialog(self, mode, submit)
        )
        title = QLabel(_("Officers and access"))
        title.setStyleSheet("font-size:14pt; font-weight:bold;")
        intro = QLabel(
            _(
                "Every officer signs a confidentiality statement (NDA) before using the "
                "service; record its date and reference. Access is personal: disable an "
                "account when someone leaves."
            )
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("officers")
        self.table.setHorizontalHeaderLabels(
            [_("User name"), _("Name"), _("Role"), _("NDA (date · reference)"), _("Active")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.create_button = QPushButton(_("&New officer…"))
        self.nda = QPushButton(_("Record &NDA…"))
        self.toggle = QPushButton(_("&Disable / enable"))
        self.reset_button = QPushButton(_("&Reset password…"))
        self.clear_blocks = QPushButton(_("C&lear access blocks"))
        self.back = QPushButton(_("&Back to the counter"))
        self.message = QLabel()
        self.message.setObjectName("adminMessage")
        self.message.setWordWrap(True)
        self.busy = BusyIndicator()
        self.task: Task | None = None
        buttons = QHBoxLayout()
        for button in (
            self.create_button,
            self.nda,
            self.toggle,
            self.reset_button,
            self.clear_blocks,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.back)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.records = attach_record_actions(self, layout)  # User-ID form, SPTJM, export
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        self.create_button.clicked.connect(self._create)
        self.nda.clicked.connect(self._nda)
        self.toggle.clicked.connect(self._toggle)
        self.reset_button.clicked.connect(self._reset)
        self.clear_blocks.clicked.connect(self._clear_blocks)
        self.back.clicked.connect(self.done)
        self._rows: list[tuple[OfficerView, bool]] = []

    def show_for(self, admin: OfficerView) -> None:
        """Open for a signed-in administrator."""
        self.admin = admin
        self.message.clear()
        self.refresh()
        self.records.refresh()
        self.table.setFocus()

    def refresh(self) -> None:
        """Reload the accounts (read off the UI thread)."""
        officers = self.services.officers
        self.task = run_busy(
            self,
            self.busy,
            _("Working…"),
            officers.list,
            self._fill,
            self._refused,
            on_cancel=self._settled,
        )

    def _settled(self) -> None:
        self.task = None

    def _fill(self, rows: list[tuple[OfficerView, bool]]) -> None:
        self._settled()
        self._rows = rows
        self.table.setRowCount(len(self._rows))
        for index, (view, active) in enumerate(self._rows):
            cells = [
                view.username,
                view.display_name,
                _(ROLE_LABELS[view.role]),
                nda_text(view),
                _("yes") if active else _("disabled"),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, view.id)
                self.table.setItem(index, column, item)
        if self._rows and self.table.currentRow() < 0:
            self.table.selectRow(0)

    def selected(self) -> tuple[OfficerView, bool] | None:
        """The highlighted account."""
        row = self.table.currentRow()
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def select(self, username: str) -> None:
        """Highlight an account by user name."""
        for index, (view, _active) in enumerate(self._rows):
            if view.username == username:
                self.table.selectRow(index)

    def _done(self, message: str) -> None:
        self.message.setStyleSheet("color:#1b5e20;")
        self.message.setText(message)
        self.refresh()
        self.statusChanged.emit()

    def _refused(self, error: Exception) -> None:
        self._settled()
        message = getattr(error, "message", None) or _("The action was refused.")
        self.message.setStyleSheet("color:#b00020;")
        self.message.setText(str(message))

    def _run(
        self, fn: Callable[[], Any], done: str, then: Callable[[Any], object] | None = None
    ) -> None:
        """An account action off the UI thread; the list is reloaded after it, and ``then``
        (if given) gets the action's result on the UI thread."""

        def finished(result: Any) -> None:
            self._done(done)
            if then is not None:
                then(result)

        self.task = run_busy(
            self,
            self.busy,
            _("Working…"),
            fn,
            finished,
            self._refused,
            on_cancel=self.refresh,
        )

    def _create(self) -> None:
        if self.admin is None:
            return
        admin = self.admin

        def submit(values: dict[str, Any]) -> object:
            return self.services.officers.create(
                admin,
                values["username"],
                values["display_name"],
                values["password"],
                values["role"],
                nda_date=values["nda_date"] if values["nda_reference"] else None,
                nda_reference=values["nda_reference"] or None,
            )

        if self.ask("create", submit):
            self._done(_("Account created. The officer changes the password at first sign-in."))

    def _nda(self) -> None:
        chosen = self.selected()
        if chosen is None or self.admin is None:
            return
        admin = self.admin
        if self.ask(
            "nda",
            lambda values: self.services.officer_records.record_nda(
                admin,
                chosen[0].id,
                values["nda_date"],
                values["nda_reference"],
                bermaterai=bool(values.get("bermaterai")),
            ),
        ):
            self._done(_("NDA recorded."))

    def _toggle(self) -> None:
        chosen = self.selected()
        if chosen is None or self.admin is None:
            return
        admin = self.admin
        view, active = chosen
        self._run(
            lambda: self.services.officers.set_active(admin, view.id, not active),
            _("Account enabled.") if not active else _("Account disabled."),
        )

    def _reset(self) -> None:
        chosen = self.selected()
        if chosen is None or self.admin is None:
            return
        admin = self.admin
        if self.ask(
            "reset",
            lambda values: self.services.officers.reset_password(
                admin, chosen[0].id, values["password"]
            ),
        ):
            self._done(_("Password reset; the officer must change it at the next sign-in."))

    def _clear_blocks(self) -> None:
        if self.admin is None:
            return
        admin = self.admin
        self._run(
            lambda: self.services.clear_lockouts(admin),
            _("Access blocks cleared. Lookups are possible again."),
        )


def nda_text(view: OfficerView) -> str:
    """The NDA column: its date and reference, or that the officer may not serve."""
    if not view.nda_on_file or view.nda_date is None:
        return _("NO — may not serve")
    return f"{view.nda_date:%d-%m-%Y} · {view.nda_reference}"
