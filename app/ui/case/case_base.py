"""The case screen's widgets, state and shared helpers (the steps live in their parts)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.case_flow import STATE_LABELS, CaseAction, CaseState
from app.domain.i18n import _
from app.reader.card_data import CardData
from app.services.app_core import AppServices
from app.services.cases import (
    ActiveCase,
    Decision,
    NikCorrection,
    NikSource,
)
from app.services.cases.balikan_owed import recipient_label, typed_fields
from app.services.cases.compare import (
    profile_of,
    verify_fields,
)
from app.services.officers import OfficerView
from app.ui.case.access_choice import attach_chooser, initial_mode
from app.ui.case.balikan_fields import BalikanFieldsForm
from app.ui.case.case_dialogs import (
    ask_confirm,
    ask_correction,
    ask_override,
    ask_reason,
    error_text,
)
from app.ui.case.documents import DocumentsPage
from app.ui.case.issue import IssuePage
from app.ui.case.new_case import NewCasePage
from app.ui.case.nik_entry import NikPage
from app.ui.case.step_indicator import StepIndicator
from app.ui.case.verification import VerificationPage
from app.ui.reader_bridge import ReaderBridge
from app.ui.workers import Task, run_task

log = logging.getLogger(__name__)

PAGE_NEW, PAGE_DOCUMENTS, PAGE_NIK, PAGE_VERIFY, PAGE_ISSUE = range(5)


class CaseScreenBase(QWidget):
    """Serves one applicant at a time: what every step shares."""

    statusChanged = Signal()
    linkResult = Signal(object)
    #: Opens printing of the issued statement (the print dialog; replaced in tests).
    print_statement: Callable[[], bool]
    #: Asks the programme for the first card of a session.
    ask_programme: Callable[[], tuple[str, str] | None]

    def __init__(
        self,
        services: AppServices,
        reader: ReaderBridge,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.settings = services.core.settings
        self.reader = reader
        self.officer: OfficerView | None = None
        self.case: ActiveCase | None = None
        self.card: CardData | None = None
        self.resume_number: str | None = None
        self.task: Task | None = None
        self.locked = False  # set by release() (lock, sign-out, quit) until the next start
        self._pending: tuple[str, NikSource, Any, Any] | None = None
        self._overriding = False
        self._verify_results: dict[str, bool] = {}
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.ask_override: Callable[[str], tuple[str, str, str] | None] = lambda refusal: (
            ask_override(self, refusal)
        )
        self.ask_reason: Callable[[str, str], str | None] = lambda title, label: ask_reason(
            self, title, label
        )
        self.ask_correction: Callable[[], NikCorrection | None] = lambda: ask_correction(self)
        self._correction: NikCorrection | None = None
        #: The NIK known when the case was opened (card placed or typed on the idle page):
        #: looked up by itself once the documents are confirmed.
        self._nik_ready: tuple[str, NikSource] | None = None
        #: Each officer's last programme and purpose (memory only).
        self._last_request: dict[int, tuple[str, str]] = {}
        self._auto_lookup = False  # documents confirmed while the card was still being read
        self.confirm: Callable[[str, str], bool] = lambda title, question: ask_confirm(
            self, title, question
        )
        self.profile = profile_of(self.settings.agreement.profile)
        self.grants = services.cases.grants  # which check by which channel (issue 15)
        self.portal, use_verify = initial_mode(self.grants)
        self.verify_only = use_verify

        self.steps = StepIndicator()
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setStyleSheet("font-size:12pt; font-weight:bold;")
        self.message = QLabel()
        self.message.setObjectName("caseMessage")
        self.message.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setObjectName("caseBusy")
        self.busy.setRange(0, 0)  # moving: the screen is alive while the core works
        self.busy.setMaximumHeight(8)
        self.busy.setTextVisible(False)
        self.busy.setToolTip(_("Working…"))
        self.busy.hide()
        #: The case call running off the UI thread (open, documents, decide, issue, …).
        self.job: Task | None = None
        self.list_job: Task | None = None  # the list of returned cases
        self.cancel_case = QPushButton(_("Cancel case (Ctrl+Shift+X)"))
        self.cancel_case.setObjectName("cancelCase")
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.cancel_case)

        self.new_page = NewCasePage(self.settings.agency.programmes)
        self.documents_page = DocumentsPage()
        self.nik_page = NikPage(
            portal=self.portal,
            verify_fields=verify_fields(self.profile) if use_verify else [],
            reader_available=reader.available,
        )
        self.access_chooser = attach_chooser(self)  # offers only the granted checks
        self.verify_page = VerificationPage()
        # the agreement's data balikan fields the officer types, asked with the decision
        self.balikan_form = BalikanFieldsForm(typed_fields(self.settings))
        self.balikan_form.setVisible(bool(self.balikan_form.fields))
        self.verify_page.add_extra(self.balikan_form)
        self.issue_page = IssuePage()
        agreed_label = recipient_label(self.settings)
        if agreed_label is not None:  # the agreement's own words for the number
            self.issue_page.recipient_label.setText(agreed_label)
            self.issue_page.recipient.setPlaceholderText(agreed_label)
        self.stack = QStackedWidget()
        for page in (
            self.new_page,
            self.documents_page,
            self.nik_page,
            self.verify_page,
            self.issue_page,
        ):
            self.stack.addWidget(page)

        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.busy)
        layout.addWidget(self.stack, 1)

    # ------------------------------------------------------------------ helpers
    @property
    def page(self) -> int:
        """The index of the page shown."""
        return self.stack.currentIndex()

    def primary(self) -> None:
        """Ctrl+Enter: the current page's main action."""
        page = self.stack.currentWidget()
        action = getattr(page, "primary", None)
        if action is not None:
            action()

    def _show(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        fixing = bool(self.case and (self.case.decision == Decision.RETURN.value))
        if self.case is None:
            self.steps.show_step(1)
            self.header.setText(_("New applicant"))
        else:
            # the step the page asks for, not the one already done: bar and page agree
            step_state = self.case.state
            self.steps.show_state(step_state, fixing=fixing and index == PAGE_NIK)
            if index == PAGE_DOCUMENTS:
                self.steps.show_step(2)
            elif index == PAGE_NIK and not fixing:
                self.steps.show_step(3)
            elif index == PAGE_VERIFY:
                self.steps.show_step(4)
            elif index == PAGE_ISSUE and step_state is CaseState.ISSUED:
                self.steps.show_step(5)
            self.header.setText(
                _("Case {number} — {programme} — {state}").format(
                    number=self.case.number,
                    programme=self.case.programme,
                    state=_(STATE_LABELS[self.case.state]),
                )
            )
        self.cancel_case.setEnabled(
            self.case is not None and CaseAction.CANCEL in self.case.allowed
        )

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        style = "color:#b00020; font-weight:bold;" if error else "color:#1b5e20;"
        self.message.setStyleSheet(style)

    def _require(self) -> tuple[ActiveCase, OfficerView]:
        assert self.case is not None and self.officer is not None
        return self.case, self.officer

    @property
    def working(self) -> bool:
        """True while a case call runs off the UI thread (the screen shows it is busy)."""
        return self.job is not None and not self.job.finished

    def _run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[Exception], None] | None = None,
    ) -> bool:
        """A case call off the UI thread, one at a time; the screen keeps painting.

        Refusals are shown (or given to ``on_error``); False when another call still runs."""
        if self.working:
            return False
        self._set_working(True)

        def done(value: Any) -> None:
            self.job = None
            self._set_working(False)
            self.statusChanged.emit()
            on_done(value)

        def failed(error: Exception) -> None:
            self.job = None
            self._set_working(False)
            self.statusChanged.emit()
            log.info("case action refused: %s", type(error).__name__)
            if on_error is not None:
                on_error(error)
            else:
                self._say(error_text(error), error=True)

        self.job = run_task(self, fn, done, failed)
        return True

    def _set_working(self, working: bool) -> None:
        self.busy.setVisible(working)

    def _to_nik_page(self) -> None:
        self.nik_page.reset()
        if self.portal:
            text = _(
                "Step 3 — open the Dukcapil web portal, look up the applicant's NIK there, then "
                "enter the NIK here and record what the portal showed."
            )
        elif self.verify_only:
            text = _(
                "Step 3 — enter the applicant's NIK (KTP-el, IKD or documents) and what the "
                "documents say, then verify the elements with Dukcapil."
            )
        else:
            text = _(
                "Step 3 — place the applicant's KTP-el on the reader, or enter the NIK from "
                "the IKD or the documents, then look it up."
            )
        self.nik_page.set_header(text)
        self._show(PAGE_NIK)
        self.nik_page.nik.setFocus()

    # ------------------------------------------------------------------ wiping
    def _drop_card(self) -> None:
        if self.card is not None:
            self.card.wipe()
            self.card = None

    def wipe_screen(self) -> None:
        """Remove every piece of population data from the widgets (and the card read)."""
        self._drop_card()
        self.nik_page.reset()
        self.verify_page.clear()
        self.balikan_form.clear()
        self.issue_page.clear()
        self._pending = None
