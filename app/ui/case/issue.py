"""Steps 4a-7: issue the statement (preview, print), hand it over, data balikan, close."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.ui.document_preview import DocumentPreview


class IssuePage(QWidget):
    """One page for the end of the case; ``stage`` says which button is next."""

    issueRequested = Signal(str)
    handOverRequested = Signal(str)
    closeRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.info = QLabel()
        self.info.setObjectName("issueInfo")
        self.info.setWordWrap(True)
        self.document_number = QLineEdit()
        self.document_number.setObjectName("documentNumber")
        self.document_number.setPlaceholderText(_("Leave empty to number it automatically"))
        self.issue = QPushButton(_("&Issue statement"))
        self.issue.setObjectName("issue")
        self.recipient = QLineEdit()
        self.recipient.setObjectName("recipientNumber")
        self.recipient.setPlaceholderText(_("Recipient / registration number for data balikan"))
        self.hand_over = QPushButton(_("&Hand over (5) and queue data balikan (6)"))
        self.hand_over.setObjectName("handOver")
        self.close_case = QPushButton(_("C&lose case (7)"))
        self.close_case.setObjectName("closeCase")
        self.preview = DocumentPreview(self)
        form = QFormLayout()
        # labels above the fields: the agreement's long wording would squash the fields
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        doc_label = QLabel(_("&Document number"))
        doc_label.setBuddy(self.document_number)
        rec_label = QLabel(_("Reci&pient number"))
        rec_label.setBuddy(self.recipient)
        self.recipient_label = rec_label
        form.addRow(doc_label, self.document_number)
        form.addRow(rec_label, self.recipient)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.issue)
        buttons.addWidget(self.hand_over)
        buttons.addWidget(self.close_case)
        left = QVBoxLayout()
        left.addWidget(self.info)
        left.addLayout(form)
        left.addLayout(buttons)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.preview, 3)
        self.document_number.returnPressed.connect(self.primary)
        self.recipient.returnPressed.connect(self.primary)
        self.issue.clicked.connect(lambda: self.issueRequested.emit(self.document_number.text()))
        self.hand_over.clicked.connect(lambda: self.handOverRequested.emit(self.recipient.text()))
        self.close_case.clicked.connect(self.closeRequested)
        self.stage = "issue"

    def set_stage(self, stage: str, info: str) -> None:
        """``issue`` → ``hand_over`` → ``close`` (refused or returned cases: ``close``/``done``)."""
        self.stage = stage
        self.info.setText(info)
        self.issue.setVisible(stage == "issue")
        self.document_number.setEnabled(stage == "issue")
        self.hand_over.setVisible(stage == "hand_over")
        self.recipient.setEnabled(stage == "hand_over")
        self.close_case.setVisible(stage in ("close", "done"))
        self.close_case.setText(_("C&lose case (7)") if stage == "close" else _("&Next applicant"))
        focus = {
            "issue": self.document_number,
            "hand_over": self.recipient,
            "close": self.close_case,
            "done": self.close_case,
        }[stage]
        focus.setFocus()

    def primary(self) -> None:
        """The next button of the stage."""
        if self.stage == "issue":
            self.issueRequested.emit(self.document_number.text())
        elif self.stage == "hand_over":
            self.handOverRequested.emit(self.recipient.text())
        else:
            self.closeRequested.emit()

    def clear(self) -> None:
        """Forget the numbers and the previewed document."""
        self.document_number.clear()
        self.recipient.clear()
        self.preview.clear()
        self.info.clear()
