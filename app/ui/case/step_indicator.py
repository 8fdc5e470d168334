"""The flowchart steps across the top of the case screen, the current one highlighted."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from app.domain.case_flow import STEP_OF_STATE, CaseState
from app.domain.i18n import N_, _

#: (step numbers covered, label msgid) in flowchart order.
STEPS: tuple[tuple[tuple[int, ...], str], ...] = (
    ((1,), N_("1 Request")),
    ((2,), N_("2 Documents")),
    ((3,), N_("3 NIK check")),
    ((4,), N_("4 Verification")),
    ((8, 9, 10), N_("8–10 Fix & re-check")),
    ((5,), N_("5 Hand over")),
    ((6,), N_("6 Data balikan")),
    ((7,), N_("7 Done")),
)

_CURRENT = "background:#1565c0; color:white; font-weight:bold; border-radius:4px; padding:4px 8px;"
_DONE = "background:#e3f2fd; color:#0d47a1; border-radius:4px; padding:4px 8px;"
_TODO = "color:#666; padding:4px 8px;"


class StepIndicator(QWidget):
    """Shows where the case stands; ``show_step(n)`` or ``show_state(state)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.labels: list[QLabel] = []
        for _steps, text in STEPS:
            label = QLabel(_(text))
            label.setStyleSheet(_TODO)
            layout.addWidget(label)
            self.labels.append(label)
        layout.addStretch(1)
        self.current = 0

    def show_step(self, step: int, *, fixing: bool = False) -> None:
        """Highlight ``step`` (1-10); earlier steps look done."""
        index = next((i for i, (steps, _t) in enumerate(STEPS) if step in steps), 0)
        if fixing and step == 3:
            index = 4  # the re-check (10) of a returned case
        self.current = step
        for i, label in enumerate(self.labels):
            if i == index:
                label.setStyleSheet(_CURRENT)
                label.setAccessibleDescription(_("current step"))
            elif i < index and not (i == 4 and not fixing):
                label.setStyleSheet(_DONE)
                label.setAccessibleDescription(_("done"))
            else:
                label.setStyleSheet(_TODO)
                label.setAccessibleDescription("")

    def show_state(self, state: CaseState, *, fixing: bool = False) -> None:
        """Highlight the step of ``state``."""
        self.show_step(STEP_OF_STATE[state], fixing=fixing)

    def current_text(self) -> str:
        """The highlighted step's label (for tests and screen readers)."""
        for label in self.labels:
            if label.accessibleDescription() == _("current step"):
                return label.text()
        return ""
