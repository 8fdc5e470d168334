"""Step 1: the applicant's request (programme from the agency's list, purpose); returned cases."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import _
from app.domain.nik import NikError, parse_nik
from app.services.cases import ReturnedCase


class NewCasePage(QWidget):
    """Open a new case, or resume a returned one (steps 8-10)."""

    openRequested = Signal(str, str)
    resumeRequested = Signal(str)
    #: 16 valid digits typed on the idle page: open a case for this NIK.
    nikEntered = Signal(str)

    def __init__(self, programmes: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.programme = QComboBox()
        self.programme.setObjectName("programme")
        self.programme.addItems(list(programmes))
        self.purpose = QLineEdit()
        self.purpose.setObjectName("purpose")
        self.purpose.setPlaceholderText(_("What the applicant asks for, e.g. PKH registration"))
        self.nik = QLineEdit()
        self.nik.setObjectName("idleNik")
        self.nik.setMaxLength(16)
        self.nik.setValidator(QRegularExpressionValidator(QRegularExpression("[0-9]{0,16}")))
        self.nik.setPlaceholderText(_("Place the KTP-el on the reader, or type the 16-digit NIK"))
        self.nik_feedback = QLabel()
        self.nik_feedback.setObjectName("idleNikFeedback")
        self.nik_feedback.setWordWrap(True)
        self.open_button = QPushButton(_("&Open case"))
        self.open_button.setObjectName("openCase")
        self.open_button.setAutoDefault(True)
        intro = QLabel(
            _(
                "Step 1 — the applicant is at the counter. Choose the programme of the request "
                "and state its purpose: a NIK may only be checked for a stated purpose."
            )
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        programme_label = QLabel(_("&Programme / service"))
        programme_label.setBuddy(self.programme)
        purpose_label = QLabel(_("P&urpose"))
        purpose_label.setBuddy(self.purpose)
        nik_label = QLabel(_("&NIK"))
        nik_label.setBuddy(self.nik)
        form.addRow(nik_label, self.nik)
        form.addRow("", self.nik_feedback)
        form.addRow(programme_label, self.programme)
        form.addRow(purpose_label, self.purpose)
        new_box = QGroupBox(_("New request"))
        new_layout = QVBoxLayout(new_box)
        new_layout.addWidget(intro)
        new_layout.addLayout(form)
        new_layout.addStretch(1)  # text and fields at the top, the button at the bottom
        new_layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        self._new_layout = new_layout

        self.returned = QListWidget()
        self.returned.setObjectName("returnedCases")
        self.resume_button = QPushButton(_("&Resume returned case"))
        self.resume_button.setObjectName("resumeCase")
        returned_box = QGroupBox(_("Returned for fixes (steps 8–10)"))
        returned_layout = QVBoxLayout(returned_box)
        hint = QLabel(
            _(
                "The applicant is back with fixed documents: choose the case and resume it. "
                "The same case continues, also on another day."
            )
        )
        hint.setWordWrap(True)
        returned_layout.addWidget(hint)
        returned_layout.addWidget(self.returned, 1)
        returned_layout.addWidget(self.resume_button, 0, Qt.AlignmentFlag.AlignRight)

        layout = QHBoxLayout(self)
        layout.addWidget(new_box, 3)
        layout.addWidget(returned_box, 2)

        self.programme.currentTextChanged.connect(self._suggest_purpose)
        self.purpose.returnPressed.connect(self.primary)
        self.nik.textEdited.connect(self._nik_edited)
        self.nik.returnPressed.connect(lambda: self._nik_edited(self.nik.text()))
        self.open_button.clicked.connect(self.primary)
        self.resume_button.clicked.connect(self._resume)
        self.returned.itemActivated.connect(lambda _item: self._resume())
        self._suggest_purpose(self.programme.currentText())

    def add_option(self, widget: QWidget) -> None:
        """Add a widget to the new request, above the Open button (e.g. the check to use)."""
        self._new_layout.insertWidget(self._new_layout.count() - 1, widget)

    def _nik_edited(self, text: str) -> None:
        """The 16th digit: a valid NIK opens the case (a wrong one says why)."""
        if len(text) < 16:
            self.nik_feedback.clear()
            return
        try:
            parse_nik(text)
        except NikError as error:
            self.nik_feedback.setText(error.message)
            self.nik_feedback.setStyleSheet("color:#b00020;")
            return
        self.nik_feedback.clear()
        self.nikEntered.emit(text)

    def request(self) -> tuple[str, str]:
        """The programme and purpose shown."""
        return self.programme.currentText(), self.purpose.text()

    def set_request(self, programme: str, purpose: str) -> None:
        """Show the officer's last programme and purpose."""
        index = self.programme.findText(programme)
        if index >= 0:
            self.programme.setCurrentIndex(index)
        self.purpose.setText(purpose)

    def _suggest_purpose(self, programme: str) -> None:
        self.purpose.setText(_("Service for {programme}").format(programme=programme))

    def primary(self) -> None:
        """Open the case (Enter / Ctrl+Enter)."""
        self.openRequested.emit(self.programme.currentText(), self.purpose.text())

    def _resume(self) -> None:
        item = self.returned.currentItem()
        if item is not None:
            self.resumeRequested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def show_returned(self, cases: list[ReturnedCase]) -> None:
        """List the cases waiting for the applicant (no personal data in them)."""
        self.returned.clear()
        for case in cases:
            text = f"{case.number} — {case.programme} — {case.returned_at:%d-%m-%Y}"
            if case.note:
                text += f" — {case.note}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, case.number)
            self.returned.addItem(item)
        if cases:
            self.returned.setCurrentRow(0)
        self.resume_button.setEnabled(bool(cases))

    def reset(self, last: tuple[str, str] | None = None) -> None:
        """Ready for the next applicant (with the officer's last programme and purpose)."""
        self.nik.clear()
        self.nik_feedback.clear()
        if last is None:
            self.programme.setCurrentIndex(0)
            self._suggest_purpose(self.programme.currentText())
        else:
            self.set_request(*last)
        self.nik.setFocus()
