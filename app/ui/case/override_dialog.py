"""A supervisor allows one lookup the pattern guard refused, with a written reason."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.case_reasons import OverrideReason
from app.domain.i18n import _


class OverrideDialog(QDialog):
    """Supervisor's user name, password and reason from a fixed list (its code is audited)."""

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
        self.reason = QComboBox()
        self.reason.setObjectName("overrideReason")
        for reason in OverrideReason:
            self.reason.addItem(reason.label, reason.value)
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
        return self.username.text(), self.password.text(), str(self.reason.currentData())
