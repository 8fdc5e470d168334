"""Step 2: the officer checks the request and its attachments."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.i18n import N_, _

CHECKLIST: tuple[tuple[str, str], ...] = (
    ("form", N_("Application form filled in and signed")),
    ("identity", N_("KTP-el or IKD (digital ID) shown by the applicant")),
    ("kk", N_("Family card (KK) or other supporting documents of the programme")),
)


class DocumentsPage(QWidget):
    """A checklist; all items need not be ticked (the core records whether they were)."""

    checked = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        intro = QLabel(
            _(
                "Step 2 — check the request and its attachments. Enter: every document is "
                "present. Or tick what the applicant brought (Space ticks the focused item) "
                "and confirm (Ctrl+Enter)."
            )
        )
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for key, text in CHECKLIST:
            box = QCheckBox(_(text))
            box.setObjectName(f"doc_{key}")
            self.boxes[key] = box
            layout.addWidget(box)
        self.all_present = QPushButton(_("&All documents present (Enter)"))
        self.all_present.setObjectName("allDocumentsPresent")
        self.all_present.clicked.connect(self.confirm_all)
        layout.addWidget(self.all_present)
        self.confirm = QPushButton(_("&Documents checked"))
        self.confirm.setObjectName("documentsChecked")
        self.confirm.clicked.connect(self.primary)
        layout.addWidget(self.confirm)
        layout.addStretch(1)

    def confirm_all(self) -> None:
        """One key: every document of the checklist is present."""
        for box in self.boxes.values():
            box.setChecked(True)
        self.primary()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter (on a tick box): all present; Ctrl+Enter is the screen's "confirm as ticked"."""
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers == Qt.KeyboardModifier.NoModifier
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.confirm_all()
            return
        super().keyPressEvent(event)

    def primary(self) -> None:
        """Confirm the checklist."""
        self.checked.emit({key: box.isChecked() for key, box in self.boxes.items()})

    def focus_first(self) -> None:
        """The officer's keys go to the checklist."""
        next(iter(self.boxes.values())).setFocus()

    def reset(self) -> None:
        """Untick everything."""
        for box in self.boxes.values():
            box.setChecked(False)
        next(iter(self.boxes.values())).setFocus()
