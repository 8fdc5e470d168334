"""Officer management for administrators (R-08): create, NDA record, disable/enable, reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.services.app_core import AppServices
from app.services.officers import OfficerView
from app.ui.busy import BusyIndicator, run_busy
from app.ui.officer_dialog import NO_DATE, ROLE_LABELS, OfficerDialog, ask_dialog
from app.ui.officer_records_ui import attach_record_actions
from app.ui.workers import Task

__all__ = ["NO_DATE", "ROLE_LABELS", "OfficerDialog", "OfficersAdmin", "ask_dialog", "nda_text"]


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
