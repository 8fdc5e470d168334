"""The officer sets a new password: forced at sign-in after a reset or for a new account (R-08).

The rules (length, repetition, the current password) live in
:meth:`app.services.officers.OfficerService.change_password`; this dialog only collects the
three fields and shows the core's refusal in the officer's language.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.services.officers import (
    OfficerError,
    OfficerView,
    PasswordsDiffer,
    WeakPassword,
    WrongCurrentPassword,
)

ChangePassword = Callable[[OfficerView, str, str, str], OfficerView]


class PasswordChangeDialog(QDialog):
    """Current password, new password, the new one again; Cancel gives up (and signs out)."""

    def __init__(
        self,
        officer: OfficerView,
        change: ChangePassword,
        *,
        forced: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle(_("Change password"))
        self.setModal(True)
        self.officer = officer
        self.changed: OfficerView | None = None
        self._change = change
        if forced:
            text = _(
                "{name}, your password was set by the administrator (a new account or a "
                "reset). Set your own password before you continue. Cancel signs you out."
            ).format(name=officer.display_name)
        else:
            text = _("{name}, set a new password for your account.").format(
                name=officer.display_name
            )
        self.intro = QLabel(text)
        self.intro.setWordWrap(True)
        self.current = self._password_edit("currentPassword")
        self.new = self._password_edit("newPassword")
        self.repeat = self._password_edit("repeatPassword")
        self.error = QLabel()
        self.error.setObjectName("passwordError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020; font-weight:bold;")
        form = QFormLayout()
        for label_text, edit in (
            (_("&Current password"), self.current),
            (_("&New password (at least 8 characters)"), self.new),
            (_("&Repeat the new password"), self.repeat),
        ):
            label = QLabel(label_text)
            label.setBuddy(edit)
            form.addRow(label, edit)
        self.ok = QPushButton(_("&Set new password"))
        self.ok.setObjectName("setPassword")
        self.ok.setDefault(True)
        self.cancel = QPushButton(_("Cancel and sign &out") if forced else _("Cancel"))
        self.cancel.setObjectName("cancelPassword")
        self.cancel.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.ok.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.current.returnPressed.connect(self.new.setFocus)
        self.new.returnPressed.connect(self.repeat.setFocus)
        self.repeat.returnPressed.connect(self.submit)
        self.current.setFocus()

    @staticmethod
    def _password_edit(name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def submit(self) -> None:
        """Ask the core to change the password; show its refusal or close."""
        try:
            view = self._change(
                self.officer, self.current.text(), self.new.text(), self.repeat.text()
            )
        except OfficerError as error:
            self.error.setText(error.message)
            if isinstance(error, WrongCurrentPassword):
                self.current.clear()
                self.current.setFocus()
            elif isinstance(error, PasswordsDiffer):
                self.repeat.clear()
                self.repeat.setFocus()
            elif isinstance(error, WeakPassword):
                self.new.clear()
                self.repeat.clear()
                self.new.setFocus()
            else:
                self.new.clear()
                self.repeat.clear()
                self.new.setFocus()
            return
        self.changed = view
        self.clear()
        self.accept()

    def clear(self) -> None:
        """Forget what was typed."""
        for edit in (self.current, self.new, self.repeat):
            edit.clear()
