"""Step 3: the NIK — from a card tap, from the IKD, or typed — then the lookup.

In web-portal mode (R-24) the officer opens the Dukcapil portal in the browser and records
the outcome kind and whether the documents match; the app never calls the gateway.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.i18n import N_, _
from app.domain.nik import NikError, parse_nik
from app.domain.outcomes import PORTAL_RECORDABLE, OutcomeKind
from app.services.cases import NikSource
from app.services.dukcapil import Severity, guidance_for

SOURCE_LABELS = {
    NikSource.CARD: N_("&KTP-el card (reader)"),
    NikSource.IKD: N_("&IKD (digital ID on the phone)"),
    NikSource.TYPED: N_("&Typed from documents"),
}

#: How the gateway expects some elements to be written (verify by element).
VERIFY_PLACEHOLDERS = {
    "TGL_LHR": N_("DD-MM-YYYY, e.g. 17-08-1990"),
    "JENIS_KLMIN": N_("LAKI-LAKI or PEREMPUAN"),
}

SEVERITY_STYLE = {
    Severity.OK: "background:#e8f5e9; border:1px solid #2e7d32; padding:8px;",
    Severity.CAUTION: "background:#fff8e1; border:1px solid #f9a825; padding:8px;",
    Severity.STOP: "background:#ffebee; border:1px solid #c62828; padding:8px;",
}


class NikPage(QWidget):
    """NIK entry and the lookup (or the portal outcome)."""

    lookupRequested = Signal(str, object, object)
    portalRecorded = Signal(str, object, object, bool)
    readCardRequested = Signal()
    cancelRequested = Signal()
    overrideRequested = Signal()
    openPortalRequested = Signal()

    def __init__(
        self,
        *,
        portal: bool,
        verify_fields: list[tuple[str, str]],
        reader_available: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.portal = portal
        self.header = QLabel()
        self.header.setWordWrap(True)

        # --- where the NIK comes from
        self.sources = QButtonGroup(self)
        source_box = QGroupBox(_("Where the NIK comes from"))
        source_layout = QHBoxLayout(source_box)
        self.source_buttons: dict[NikSource, QRadioButton] = {}
        for source, text in SOURCE_LABELS.items():
            button = QRadioButton(_(text))
            button.setObjectName(f"source_{source.value}")
            self.sources.addButton(button)
            self.source_buttons[source] = button
            source_layout.addWidget(button)
        self.source_buttons[NikSource.TYPED].setChecked(True)

        # --- the card reader
        self.read_card = QPushButton(_("Read card (F4)"))
        self.read_card.setObjectName("readCard")
        self.read_card.setShortcut("F4")
        self.read_card.setEnabled(reader_available)
        self.reader_state = QLabel()
        self.reader_state.setObjectName("readerState")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        reader_row = QHBoxLayout()
        reader_row.addWidget(self.read_card)
        reader_row.addWidget(self.reader_state, 1)
        reader_row.addWidget(self.progress)

        # --- the NIK
        self.nik = QLineEdit()
        self.nik.setObjectName("nik")
        self.nik.setMaxLength(24)
        font = QFont("Monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSize(14)
        self.nik.setFont(font)
        self.nik.setPlaceholderText(_("16 digits"))
        self.nik_feedback = QLabel()
        self.nik_feedback.setObjectName("nikFeedback")
        self.nik_feedback.setWordWrap(True)
        nik_label = QLabel(_("&NIK"))
        nik_label.setBuddy(self.nik)
        form = QFormLayout()
        form.addRow(nik_label, self.nik)
        form.addRow("", self.nik_feedback)

        # --- verify by element: what the documents say
        self.verify_edits: dict[str, QLineEdit] = {}
        self.verify_box = QGroupBox(_("What the documents say (verify by element)"))
        verify_form = QFormLayout(self.verify_box)
        hint = QLabel(
            _(
                "Type each element exactly as the applicant's documents show it. Dukcapil "
                "answers per element Sesuai (matches) or Tidak Sesuai, with a score for "
                "text; no population data is shown."
            )
        )
        hint.setWordWrap(True)
        verify_form.addRow(hint)
        for key, label in verify_fields:
            edit = QLineEdit()
            edit.setObjectName(f"verify_{key}")
            placeholder = VERIFY_PLACEHOLDERS.get(key)
            if placeholder:
                edit.setPlaceholderText(_(placeholder))
            self.verify_edits[key] = edit
            verify_form.addRow(_(label), edit)
        self.verify_box.setVisible(bool(verify_fields))

        # --- web portal (assisted)
        self.portal_box = QGroupBox(_("Web portal (assisted): record what the portal showed"))
        portal_form = QFormLayout(self.portal_box)
        self.open_portal = QPushButton(_("Open the Dukcapil &web portal"))
        self.open_portal.setObjectName("openPortal")
        self.outcome = QComboBox()
        self.outcome.setObjectName("portalOutcome")
        for kind in PORTAL_RECORDABLE:
            self.outcome.addItem(guidance_for(kind).title, kind)
        self.documents_match = QCheckBox(_("The portal's data match the applicant's &documents"))
        self.documents_match.setObjectName("documentsMatch")
        portal_form.addRow(self.open_portal)
        outcome_label = QLabel(_("Portal &result"))
        outcome_label.setBuddy(self.outcome)
        portal_form.addRow(outcome_label, self.outcome)
        portal_form.addRow(self.documents_match)
        self.portal_box.setVisible(portal)

        # --- actions
        if portal:
            lookup_text = _("Record &outcome")
        elif verify_fields:  # verify by element only: no lookup by NIK is offered
            lookup_text = _("&Verify the elements")
        else:
            lookup_text = _("&Look up")
        self.lookup = QPushButton(lookup_text)
        self.lookup.setObjectName("lookup")
        self.lookup.setDefault(True)
        self.cancel = QPushButton(_("Cancel lookup (Esc)"))
        self.cancel.setObjectName("cancelLookup")
        self.cancel.setShortcut("Esc")
        self.cancel.hide()
        self.busy = QLabel()
        actions = QHBoxLayout()
        actions.addWidget(self.busy, 1)
        actions.addWidget(self.cancel)
        actions.addWidget(self.lookup)

        # --- refusals and guidance
        self.notice = QLabel()
        self.notice.setObjectName("nikNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.hide()
        self.override = QPushButton(_("Ask a &supervisor to allow this lookup"))
        self.override.setObjectName("override")
        self.override.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(source_box)
        layout.addLayout(reader_row)
        layout.addLayout(form)
        layout.addWidget(self.verify_box)
        layout.addWidget(self.portal_box)
        layout.addLayout(actions)
        layout.addWidget(self.notice)
        layout.addWidget(self.override, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

        self.nik.textEdited.connect(self._typed)
        # Enter moves through NIK and the elements to verify; on the last one it sends
        chain = [self.nik, *self.verify_edits.values()]
        for edit, following in pairwise(chain):
            edit.returnPressed.connect(following.setFocus)
            self.setTabOrder(edit, following)
        chain[-1].returnPressed.connect(self.primary)
        self.setTabOrder(chain[-1], self.lookup)
        self.lookup.clicked.connect(self.primary)
        self.read_card.clicked.connect(self.readCardRequested)
        self.cancel.clicked.connect(self.cancelRequested)
        self.override.clicked.connect(self.overrideRequested)
        self.open_portal.clicked.connect(self.openPortalRequested)

    # ------------------------------------------------------------------ state
    @property
    def source(self) -> NikSource:
        """The selected NIK source."""
        for source, button in self.source_buttons.items():
            if button.isChecked():
                return source
        return NikSource.TYPED

    def set_header(self, text: str) -> None:
        """The step's explanation (normal or re-check of a returned case)."""
        self.header.setText(text)

    def _typed(self, text: str) -> None:
        if self.source is NikSource.CARD:
            self.source_buttons[NikSource.TYPED].setChecked(True)
        self.validate(text)

    def validate(self, text: str | None = None) -> bool:
        """Check the NIK as typed; show the parse message or the warnings."""
        text = self.nik.text() if text is None else text
        if not text.strip():
            self.nik_feedback.setText(_("Enter the 16-digit NIK, read the card or type it."))
            self.nik_feedback.setStyleSheet("color:#555;")
            return False
        try:
            nik = parse_nik(text)
        except NikError as error:
            self.nik_feedback.setText(error.message)
            self.nik_feedback.setStyleSheet("color:#b00020;")
            return False
        warnings = nik.warning_messages()
        self.nik_feedback.setText(" ".join(warnings) if warnings else _("NIK format is valid."))
        self.nik_feedback.setStyleSheet("color:#7a4b00;" if warnings else "color:#2e7d32;")
        return True

    def set_nik_from_card(self, nik: str) -> None:
        """Fill the NIK from a card read."""
        self.nik.setText(nik)
        self.source_buttons[NikSource.CARD].setChecked(True)
        self.validate()
        self.lookup.setFocus()

    def verify_values(self) -> dict[str, str]:
        """What was typed from the documents (verify by element)."""
        return {key: edit.text() for key, edit in self.verify_edits.items()}

    def set_verify_values(self, values: dict[str, str]) -> None:
        """Prefill what the documents say (from a card read)."""
        for key, value in values.items():
            if key in self.verify_edits:
                self.verify_edits[key].setText(value)

    def primary(self) -> None:
        """Look up (or record the portal outcome)."""
        if not self.lookup.isEnabled():
            return
        if not self.validate():
            self.nik.setFocus()
            return
        if self.portal:
            kind: OutcomeKind = self.outcome.currentData()
            self.portalRecorded.emit(
                self.nik.text(), self.source, kind, self.documents_match.isChecked()
            )
            return
        verify = None
        if self.verify_edits and not self.verify_box.isHidden():  # verify by element chosen
            verify = {k: e.text() for k, e in self.verify_edits.items() if e.text().strip()}
        self.lookupRequested.emit(self.nik.text(), self.source, verify)

    def set_busy(self, busy: bool, text: str = "") -> None:
        """While a lookup runs: inputs off, Cancel shown."""
        self.lookup.setEnabled(not busy)
        self.nik.setReadOnly(busy)
        self.cancel.setVisible(busy and not self.portal)
        self.busy.setText(text)
        if busy:
            self.cancel.setFocus()
        else:
            self.nik.setFocus()

    def show_notice(
        self, text: str, severity: Severity = Severity.STOP, *, overridable: bool = False
    ) -> None:
        """A refusal or guidance where the officer looks, with what to do."""
        self.notice.setText(text)
        self.notice.setStyleSheet(SEVERITY_STYLE[severity])
        self.notice.show()
        self.override.setVisible(overridable)

    def clear_notice(self) -> None:
        """Hide the notice."""
        self.notice.clear()
        self.notice.hide()
        self.override.hide()

    def reset(self) -> None:
        """Forget the NIK and everything typed."""
        self.nik.clear()
        for edit in self.verify_edits.values():
            edit.clear()
        self.documents_match.setChecked(False)
        self.outcome.setCurrentIndex(0)
        self.source_buttons[NikSource.TYPED].setChecked(True)
        self.clear_notice()
        self.set_busy(False)
        self.progress.hide()
        self.validate("")
