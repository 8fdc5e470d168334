"""Demo mode only: the invented NIKs a trainer uses, one per outcome (the "Latihan" menu).

The NIKs are the simulator's invented residents, shown to be read and typed; nothing is
copied or stored anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import N_, _

#: Outcome keys of ``Population.examples()`` in teaching order, with what the trainee sees.
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("found", N_("Found: the NIK is verified")),
    ("not_found", N_("Not found in the population database")),
    ("deceased", N_("Recorded as deceased")),
    ("duplicate", N_("Duplicate record")),
    ("inactive", N_("Inactive record")),
    ("invalid_format", N_("Invalid NIK (no such province)")),
)


def training_rows(examples: Mapping[str, str]) -> list[tuple[str, str]]:
    """(outcome text, NIK) for each outcome the demo can show, in teaching order."""
    return [(_(label), examples[key]) for key, label in OUTCOMES if key in examples]


class TrainingNiksDialog(QDialog):
    """A read-only table of the demo NIKs by outcome."""

    def __init__(self, examples: Mapping[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Demo NIKs by outcome"))
        self.resize(620, 330)
        intro = QLabel(
            _(
                "DEMO: invented residents of the simulator. Type one of these NIKs in a case "
                "to practise the outcome shown."
            )
        )
        intro.setWordWrap(True)
        rows = training_rows(examples)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("trainingNiks")
        self.table.setHorizontalHeaderLabels([_("Outcome"), _("NIK")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        for index, (outcome, nik) in enumerate(rows):
            self.table.setItem(index, 0, QTableWidgetItem(outcome))
            self.table.setItem(index, 1, QTableWidgetItem(nik))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
