"""Step 4: the answer, its guidance, the permitted elements compared, and the decision."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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
from app.services.dukcapil.profiles import ELEMENT_LABELS
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
        #: One box per element where the card differs from Dukcapil: the officer confirms
        #: each as "sesuai" after checking the documents (Lampiran II step 4a/4b).
        self.sesuai: dict[str, QCheckBox] = {}
        self.sesuai_box = QVBoxLayout()
        #: True while the NIK was typed: approving confirms the documents match the data.
        self.typed_nik = False
        self.reasons = QListWidget()
        self.reasons.setObjectName("decisionReasons")
        for reason in OFFICER_REASONS:
            item = QListWidgetItem(reason.label)
            item.setData(Qt.ItemDataRole.UserRole, reason.value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.reasons.addItem(item)
        # whole rows only (a half-cut row reads as broken); the rest scrolls
        shown = min(6, self.reasons.count())
        self.reasons.setFixedHeight(
            sum(self.reasons.sizeHintForRow(row) for row in range(shown))
            + 2 * self.reasons.frameWidth()
        )
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
        layout.addLayout(self.sesuai_box)
        layout.addStretch(0)  # takes the space when no element is shown
        self._extras_at = layout.count()  # add_extra puts widgets here, above the reasons
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

    def confirmed_elements(self) -> list[str]:
        """The differing elements the officer ticked as "sesuai"."""
        return [key for key, box in self.sesuai.items() if box.isChecked()]

    def primary(self) -> None:
        """Approve if possible, else nothing (the officer chooses). With a typed NIK the
        approve button itself states the documents match: Ctrl+Enter does not press it."""
        if self.approve.isEnabled() and not self.typed_nik:
            self._decide(Decision.APPROVE)

    def _show_sesuai(self, differing: list[str]) -> None:
        for box in self.sesuai.values():
            self.sesuai_box.removeWidget(box)
            box.deleteLater()
        self.sesuai = {}
        previous: QWidget = self.table
        for element_id in differing:
            label = _(ELEMENT_LABELS.get(element_id, element_id))
            box = QCheckBox(
                _("{element}: the documents were checked — sesuai").format(element=label)
            )
            box.setObjectName(f"sesuai_{element_id}")
            self.sesuai[element_id] = box
            self.sesuai_box.addWidget(box)
            box.show()  # at once, not when the layout gets to it: it takes the focus next
            self.setTabOrder(previous, box)
            previous = box

    def set_typed_nik(self, typed: bool) -> None:
        """A typed NIK: the approve button says what approving confirms."""
        self.typed_nik = typed
        self.approve.setText(
            _("Documents match the data shown — &approve (4a)")
            if typed
            else _("&Approve and issue (4a)")
        )

    def show_answer(
        self,
        view: LookupView,
        rows: list[ElementRow],
        differing: list[str] | None = None,
        typed_nik: bool = False,
        nik: str | None = None,
    ) -> None:
        """The outcome with its guidance, then the element-by-element comparison.

        ``differing``: elements where the card differs from Dukcapil (each needs a "sesuai"
        confirmation before approval); ``typed_nik``: nothing was compared automatically;
        ``nik``: the NIK checked, shown with every answer (not found, deceased, …)."""
        guidance = guidance_for(view.kind, view.code)
        checked = html.escape(_("NIK checked: {nik}").format(nik=nik)) + "<br>" if nik else ""
        self.outcome.setText(
            f"<b style='font-size:14pt'>{html.escape(guidance.title)}</b><br>{checked}"
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
        issuable = view.kind in ISSUABLE
        self._show_sesuai(list(differing or []) if issuable else [])
        self.set_typed_nik(typed_nik and issuable)
        if self.sesuai:
            self.portal_note.setText(
                _(
                    "The card differs from the Dukcapil data on {count} element(s). Check "
                    "each with the applicant's documents and tick it as “sesuai”, or return "
                    "the request for fixes."
                ).format(count=len(self.sesuai))
            )
            self.portal_note.setStyleSheet("color:#b00020; font-weight:bold;")
            self.portal_note.show()
        self.approve.setEnabled(view.kind in ISSUABLE)
        self.approve.setToolTip("" if view.kind in ISSUABLE else guidance.next_step)
        self.note.clear()
        self.set_reasons([])
        if view.mismatches:
            target: QWidget = self.recheck
        elif self.sesuai:
            target = next(iter(self.sesuai.values()))
        else:
            target = self.approve if self.approve.isEnabled() else self.return_button
        target.setFocus()
        # again once the page is laid out and shown (a widget not yet visible takes no focus)
        QTimer.singleShot(0, target, target.setFocus)

    def add_extra(self, widget: QWidget) -> None:
        """Show ``widget`` with the decision, above the reasons (e.g. the data balikan
        fields the agreement asks for)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(self._extras_at, widget)
        self._extras_at += 1

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
        self._show_sesuai([])
        self.set_typed_nik(False)

    def shown_text(self) -> str:
        """Everything the table shows (tests check nothing leaks or lingers)."""
        parts = [self.outcome.text(), self.portal_note.text()]
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                if item is not None:
                    parts.append(item.text())
        return "\n".join(parts)
