"""A supervisor allows one lookup the pattern guard refused, with a written reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _


class OverrideDialog(QDialog):
    """Supervisor's user name, password and reason (recorded in the audit trail)."""

    def __init__(self, refusal: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Supervisor approval"))
        explanation = QLabel(
            _(
                "The lookup was refused: {refusal}\n\nA supervisor may allow it once, for an "
                "applicant at the counter (for example twins or a family served together). "
                "The reason is recorded."
            ).format(refusal=refusal)
        )
        explanation.setWordWrap(True)
        self.username = QLineEdit()
        self.username.setObjectName("supervisorUser")
        self.password = QLineEdit()
        self.password.setObjectName("supervisorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLineEdit()
        self.reason.setObjectName("overrideReason")
        form = QFormLayout()
        form.addRow(_("Supervisor user name"), self.username)
        form.addRow(_("Password"), self.password)
        form.addRow(_("Reason"), self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def answers(self) -> tuple[str, str, str]:
        """(user name, password, reason)."""
        return self.username.text(), self.password.text(), self.reason.text()
