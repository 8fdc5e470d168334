"""Sign-in (and unlock after the idle lock), with the language switch."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.ui.busy import BusyIndicator, run_busy
from app.ui.i18n import LANGUAGE_NAMES, language
from app.ui.workers import Task

if TYPE_CHECKING:  # the officers service (and its database layer) loads after the first paint
    from app.services.officers import OfficerView


class LoginScreen(QWidget):
    """User name and password; in lock mode, only the signed-in officer (or sign out)."""

    signedIn = Signal(object)
    languageChanged = Signal(str)

    def __init__(
        self,
        authenticate: Callable[[str, str], OfficerView],
        *,
        demo: bool,
        agency: str,
        demo_hint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._authenticate = authenticate
        self.locked_for: str | None = None
        self.title = QLabel("Loket KTP-el")
        self.title.setStyleSheet("font-size:22pt; font-weight:bold;")
        self.subtitle = QLabel(agency)
        self.subtitle.setStyleSheet("font-size:12pt;")
        self.lock_notice = QLabel()
        self.lock_notice.setWordWrap(True)
        self.lock_notice.setStyleSheet("color:#7a4b00; font-weight:bold;")
        self.lock_notice.hide()
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sign_in = QPushButton(_("&Sign in"))
        self.sign_in.setDefault(True)
        self.sign_in.setAutoDefault(True)
        self.error = QLabel()
        self.error.setObjectName("loginError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b00020;")
        self.busy = BusyIndicator()
        self.busy.setObjectName("loginBusy")
        self.task: Task | None = None
        self.language_box = QComboBox()
        self.language_box.setObjectName("language")
        for code, name in LANGUAGE_NAMES.items():
            self.language_box.addItem(_(name), code)
        self.language_box.setCurrentIndex(max(self.language_box.findData(language()), 0))
        self.language_box.currentIndexChanged.connect(
            lambda _i: self.languageChanged.emit(self.language_box.currentData())
        )
        self.demo_label = QLabel(demo_hint)
        self.demo_label.setWordWrap(True)
        self.demo_label.setStyleSheet("background:#f3e5f5; border:1px solid #6a1b9a; padding:8px;")
        self.demo_label.setVisible(demo)

        form = QFormLayout()
        user_label = QLabel(_("&User name"))
        user_label.setBuddy(self.username)
        pass_label = QLabel(_("&Password"))
        pass_label.setBuddy(self.password)
        lang_label = QLabel(_("&Language"))
        lang_label.setBuddy(self.language_box)
        form.addRow(user_label, self.username)
        form.addRow(pass_label, self.password)
        form.addRow(lang_label, self.language_box)

        box = QFrame()
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setFixedWidth(560)  # a known width: wrapped notices get their full height
        inner = QVBoxLayout(box)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addWidget(self.lock_notice)
        inner.addLayout(form)
        inner.addWidget(self.sign_in)
        inner.addWidget(self.busy)
        inner.addWidget(self.error)
        inner.addWidget(self.demo_label)
        # Centred by stretches, not by an alignment flag: an aligned item gets its size hint
        # (which ignores word wrapping) and the wrapped notices squash the fields.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.sign_in.clicked.connect(self.submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self.submit)
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.sign_in)
        self.setTabOrder(self.sign_in, self.language_box)

    def reset(self, locked_for: OfficerView | None = None) -> None:
        """Empty the form; in lock mode the user name is fixed."""
        if self.task is not None:
            self.busy.cancel()  # a sign-in still waiting is dropped
        self.password.clear()
        self.error.clear()
        self.sign_in.setEnabled(True)
        if locked_for is not None:
            self.locked_for = locked_for.username
            self.username.setText(locked_for.username)
            self.username.setReadOnly(True)
            self.lock_notice.setText(
                _(
                    "The screen was locked and cleared. {name}, enter your password to "
                    "continue, or sign out."
                ).format(name=locked_for.display_name)
            )
            self.lock_notice.show()
            self.language_box.setEnabled(False)
            self.password.setFocus()
        else:
            self.locked_for = None
            self.username.setReadOnly(False)
            self.username.clear()
            self.lock_notice.hide()
            self.language_box.setEnabled(True)
            self.username.setFocus()

    def submit(self) -> None:
        """Check the password off the UI thread."""
        if not self.sign_in.isEnabled():
            return
        username, password = self.username.text(), self.password.text()
        if not username.strip() or not password:
            self.error.setText(_("Enter your user name and password."))
            return
        self.sign_in.setEnabled(False)
        self.error.setText(_("Checking…"))
        self.task = run_busy(
            self,
            self.busy,
            "",
            lambda: self._authenticate(username, password),
            self._ok,
            self._failed,
            on_cancel=self._cancelled,
        )

    def _cancelled(self) -> None:
        """The officer stopped waiting (a stalled database): the form can be sent again."""
        self.task = None
        self.sign_in.setEnabled(True)
        self.error.clear()
        self.password.setFocus()

    def _ok(self, officer: OfficerView) -> None:
        self.task = None
        self.password.clear()
        self.error.clear()
        self.sign_in.setEnabled(True)
        self.signedIn.emit(officer)

    def _failed(self, error: Exception) -> None:
        from app.services.officers import OfficerError

        self.task = None
        self.sign_in.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        if isinstance(error, OfficerError):
            self.error.setText(error.message)
        else:
            self.error.setText(_("Sign-in failed: {error}").format(error=type(error).__name__))
