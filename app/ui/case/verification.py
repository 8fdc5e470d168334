"""Step 4: the answer, its guidance, the permitted elements compared, and the decision."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.case_reasons import OFFICER_REASONS, CaseReason
from app.domain.i18n import _
from app.domain.outcomes import ISSUABLE
from app.services.cases import Decision, LookupView
from app.services.cases.compare import ElementRow
from app.services.dukcapil import guidance_for
from app.ui.case.nik_entry import SEVERITY_STYLE


class VerificationPage(QWidget):
    """Shows only permitted elements; ``clear()`` removes every value from the screen."""

    decided = Signal(object, str)  # Decision, note
    recheckRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = QLabel()
        self.outcome.setObjectName("outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("elements")
        self.table.setHorizontalHeaderLabels(
            [_("Element"), _("Dukcapil"), _("Card / documents"), _("Match")]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.portal_note = QLabel()
        self.portal_note.setWordWrap(True)
        self.reasons = QListWidget()
        self.reasons.setObjectName("decisionReasons")
        for reason in OFFICER_REASONS:
            item = QListWidgetItem(reason.label)
            item.setData(Qt.ItemDataRole.UserRole, reason.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.reasons.addItem(item)
        self.reasons.setMaximumHeight(self.reasons.sizeHintForRow(0) * 4 + 6)
        reasons_label = QLabel(_("Reasons for a return or refusal (stored)"))
        reasons_label.setBuddy(self.reasons)
        self.note = QLineEdit()
        self.note.setObjectName("decisionNote")
        self.note.setPlaceholderText(_("Remark for the return slip only (never stored)"))
        note_label = QLabel(_("N&ote"))
        note_label.setBuddy(self.note)
        self.approve = QPushButton(_("&Approve and issue (4a)"))
        self.approve.setObjectName("approve")
        self.return_button = QPushButton(_("&Return for fixes (4b)"))
        self.return_button.setObjectName("returnForFixes")
        self.refuse = QPushButton(_("Re&fuse"))
        self.refuse.setObjectName("refuse")
        self.recheck = QPushButton(_("Chec&k again"))
        self.recheck.setObjectName("recheck")
        buttons = QHBoxLayout()
        buttons.addWidget(note_label)
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.recheck)
        buttons.addWidget(self.refuse)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve)
        layout = QVBoxLayout(self)
        layout.addWidget(self.outcome)
        layout.addWidget(self.portal_note)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # takes the space when no element is shown
        layout.addWidget(reasons_label)
        layout.addWidget(self.reasons)
        layout.addLayout(buttons)
        for label in (self.outcome, self.portal_note):
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.approve.clicked.connect(lambda: self._decide(Decision.APPROVE))
        self.return_button.clicked.connect(lambda: self._decide(Decision.RETURN))
        self.refuse.clicked.connect(lambda: self._decide(Decision.REFUSE))
        self.recheck.clicked.connect(self.recheckRequested)
        self.setTabOrder(self.approve, self.return_button)
        self.setTabOrder(self.return_button, self.refuse)
        self.setTabOrder(self.refuse, self.recheck)
        self.setTabOrder(self.recheck, self.reasons)
        self.setTabOrder(self.reasons, self.note)

    def chosen_reasons(self) -> list[CaseReason]:
        """The reasons ticked in the list."""
        return [
            CaseReason(str(item.data(Qt.ItemDataRole.UserRole)))
            for item in (self.reasons.item(row) for row in range(self.reasons.count()))
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def set_reasons(self, reasons: list[CaseReason]) -> None:
        """Tick exactly ``reasons``."""
        for row in range(self.reasons.count()):
            item = self.reasons.item(row)
            ticked = CaseReason(str(item.data(Qt.ItemDataRole.UserRole))) in reasons
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _decide(self, decision: Decision) -> None:
        self.decided.emit(decision, self.note.text())

    def primary(self) -> None:
        """Approve if possible, else nothing (the officer chooses)."""
        if self.approve.isEnabled():
            self._decide(Decision.APPROVE)

    def show_answer(self, view: LookupView, rows: list[ElementRow]) -> None:
        """The outcome with its guidance, then the element-by-element comparison."""
        guidance = guidance_for(view.kind, view.code)
        self.outcome.setText(
            f"<b style='font-size:14pt'>{html.escape(guidance.title)}</b><br>"
            f"{html.escape(guidance.meaning)}<br><b>{html.escape(_('What to do:'))}</b> "
            f"{html.escape(guidance.next_step)}"
        )
        self.outcome.setStyleSheet(SEVERITY_STYLE[guidance.severity])
        verify_only = view.record is None and view.verdicts is not None and not view.via_portal
        self.table.setColumnHidden(1, verify_only)  # no record: nothing from Dukcapil to show
        if view.via_portal:
            self.portal_note.setStyleSheet("")
            match = _("yes") if view.documents_match else _("no")
            self.portal_note.setText(
                _(
                    "Recorded from the web portal; this app holds no population data. "
                    "Documents match the portal: {match}."
                ).format(match=match)
            )
            self.portal_note.show()
        elif view.mismatches:
            self.portal_note.setText(
                _(
                    "{count} element(s) do not match (Tidak Sesuai): the request cannot be "
                    "approved. Check the documents with the applicant and check again with the "
                    "corrected values, or return the request for fixes."
                ).format(count=len(view.mismatches))
            )
            self.portal_note.setStyleSheet("color:#b00020; font-weight:bold;")
            self.portal_note.show()
        else:
            self.portal_note.hide()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            if row.verdict is not None:
                ok, score = row.verdict
                mark = (_("Sesuai") if ok else _("Tidak Sesuai")) + f" ({score})"
            elif row.match is None:
                mark = "—"
            else:
                mark = _("yes") if row.match else _("NO")
            cells = [_(row.label), row.registry or "—", row.card or "—", mark]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3 and row.match is False:
                    item.setForeground(QBrush(QColor("#b00020")))
                self.table.setItem(index, column, item)
        self.table.setVisible(bool(rows))
        self.approve.setEnabled(view.kind in ISSUABLE)
        self.approve.setToolTip("" if view.kind in ISSUABLE else guidance.next_step)
        self.note.clear()
        self.set_reasons([])
        if view.mismatches:
            self.recheck.setFocus()
        else:
            (self.approve if self.approve.isEnabled() else self.return_button).setFocus()

    def clear(self) -> None:
        """Remove every value from the screen."""
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                if item is not None:
                    item.setText("")
        self.table.clearContents()
        self.table.setRowCount(0)
        self.outcome.clear()
        self.portal_note.clear()
        self.note.clear()
        self.set_reasons([])

    def shown_text(self) -> str:
        """Everything the table shows (tests check nothing leaks or lingers)."""
        parts = [self.outcome.text(), self.portal_note.text()]
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                if item is not None:
                    parts.append(item.text())
        return "\n".join(parts)
