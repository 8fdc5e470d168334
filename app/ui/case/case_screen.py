"""The case screen: follows the agreement's flowchart, one page per step.

Population data (the lookup record, the NIK, the card read) lives only in the
:class:`ActiveCase` and in the widgets showing it. Closing, cancelling, locking or quitting
clears the widgets and calls the core's wipe. Lookups and card reads run in workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.case_flow import STATE_LABELS, CaseAction, CaseState
from app.domain.i18n import N_, _
from app.domain.outcomes import OutcomeKind
from app.reader.card_data import CardData
from app.reader.errors import ReaderError
from app.reader.states import ReaderEvent, ReaderState
from app.services.app_core import AppServices
from app.services.cases import (
    ActiveCase,
    Decision,
    GuardOverride,
    GuardRefused,
    LookupView,
    NikCorrection,
    NikSource,
)
from app.services.cases.compare import (
    compare_elements,
    profile_of,
    verify_fields,
    verify_values_from_card,
)
from app.services.cases.errors import (
    NikCorrectionReasonRequired,
    ReasonRequired,
    RecipientNumberMissing,
)
from app.services.documents.return_slip import render_return_slip_for
from app.services.documents.statement import render_statement
from app.services.dukcapil import Severity, guidance_for
from app.services.officers import OfficerView
from app.ui.case.documents import DocumentsPage
from app.ui.case.issue import IssuePage
from app.ui.case.new_case import NewCasePage
from app.ui.case.nik_entry import NikPage
from app.ui.case.override_dialog import OverrideDialog
from app.ui.case.step_indicator import StepIndicator
from app.ui.case.verification import VerificationPage
from app.ui.reader_bridge import ReaderBridge, reader_text
from app.ui.workers import Task, run_task

log = logging.getLogger(__name__)

PAGE_NEW, PAGE_DOCUMENTS, PAGE_NIK, PAGE_VERIFY, PAGE_ISSUE = range(5)


def error_text(error: BaseException) -> str:
    """The translated message of a core refusal (never the raw exception text)."""
    message = getattr(error, "message", None)
    if isinstance(message, str) and message:
        return message
    user = getattr(error, "user_message", None)
    if isinstance(user, str) and user:
        return user
    return _(
        "Something went wrong ({error}). Try again; if it repeats, call the administrator."
    ).format(error=type(error).__name__)


def ask_override(parent: QWidget, refusal: str) -> tuple[str, str, str] | None:
    """Show the supervisor dialog; None when cancelled."""
    dialog = OverrideDialog(refusal, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.answers()


def ask_confirm(parent: QWidget, title: str, question: str) -> bool:
    """A yes/no question, "no" by default."""
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


#: Why a different NIK is checked in the same case, as offered to the officer.
CORRECTION_LABELS: dict[NikCorrection, str] = {
    NikCorrection.TYPING_ERROR: N_("The NIK was mistyped"),
    NikCorrection.OTHER_DOCUMENT: N_("The NIK was taken from another document"),
}


def ask_correction(parent: QWidget) -> NikCorrection | None:
    """Why the NIK is corrected (a fixed list); None when cancelled."""
    options = [_(label) for label in CORRECTION_LABELS.values()]
    text, ok = QInputDialog.getItem(
        parent,
        _("Correct the NIK"),
        _(
            "This NIK differs from the one already checked in this case. Checking it is a "
            "new lookup that counts against today's quota. Why is it corrected?"
        ),
        options,
        0,
        False,
    )
    if not ok:
        return None
    return list(CORRECTION_LABELS)[options.index(text)]


def ask_reason(parent: QWidget, title: str, label: str) -> str | None:
    """A one-line reason; None when cancelled."""
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None


class CaseScreen(QWidget):
    """Serves one applicant at a time."""

    statusChanged = Signal()
    linkResult = Signal(object)

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
        self.ask_programme: Callable[[], tuple[str, str] | None] = self._ask_programme
        self.confirm: Callable[[str, str], bool] = lambda title, question: ask_confirm(
            self, title, question
        )
        self.profile = profile_of(self.settings.agreement.profile)
        self.portal = self.settings.agreement.access_method == "web_portal"
        use_verify = self.profile.verify and not self.profile.lookup and not self.portal
        self.verify_only = use_verify

        self.steps = StepIndicator()
        self.header = QLabel()
        self.header.setObjectName("caseHeader")
        self.header.setStyleSheet("font-size:12pt; font-weight:bold;")
        self.message = QLabel()
        self.message.setObjectName("caseMessage")
        self.message.setWordWrap(True)
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
        self.verify_page = VerificationPage()
        self.issue_page = IssuePage()
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
        layout.addWidget(self.stack, 1)

        self.new_page.openRequested.connect(self._open)
        self.new_page.nikEntered.connect(self._open_typed)
        self.new_page.resumeRequested.connect(self._resume)
        self.documents_page.checked.connect(self._documents_checked)
        self.nik_page.lookupRequested.connect(self._lookup)
        self.nik_page.portalRecorded.connect(self._portal)
        self.nik_page.readCardRequested.connect(self.read_card)
        self.nik_page.cancelRequested.connect(self.cancel_lookup)
        self.nik_page.overrideRequested.connect(self._override)
        self.nik_page.openPortalRequested.connect(self._open_portal)
        self.verify_page.decided.connect(self._decide)
        self.verify_page.recheckRequested.connect(self._recheck)
        self.issue_page.issueRequested.connect(self._issue)
        self.issue_page.handOverRequested.connect(self._hand_over)
        self.issue_page.closeRequested.connect(self._close)
        self.issue_page.preview.printed.connect(self._printed)
        #: Opens printing of the issued statement (the print dialog; replaced in tests).
        self.print_statement: Callable[[], bool] = self._print_dialog
        self.cancel_case.clicked.connect(self.cancel)
        self.reader.readerEvent.connect(self._reader_event)
        self.reader.cardPresent.connect(self._card_present)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.primary)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.primary)
        QShortcut(QKeySequence("Ctrl+Shift+X"), self, self.cancel)
        self._reader_event(reader.last)
        self.start_new()

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
            step_state = self.case.state
            self.steps.show_state(step_state, fixing=fixing and index == PAGE_NIK)
            if index == PAGE_NIK and not fixing:
                self.steps.show_step(3)
            elif index == PAGE_VERIFY:
                self.steps.show_step(4)
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

    def _call(self, fn: Callable[[], Any]) -> Any:
        """A quick core call on the UI thread (database only); refusals shown, None returned."""
        try:
            return fn()
        except Exception as error:
            log.info("case action refused: %s", type(error).__name__)
            self._say(error_text(error), error=True)
            return None
        finally:
            self.statusChanged.emit()

    # ------------------------------------------------------------------ step 1
    def set_officer(self, officer: OfficerView | None) -> None:
        """Who serves (None when signed out)."""
        self.officer = officer

    def start_new(self, message: str = "") -> None:
        """Ready for the next applicant."""
        self.wipe_screen()
        self.locked = False
        self.case = None
        self.resume_number = None
        self._say(message)
        self._nik_ready = None
        returned = self._call(self.services.cases.returned_cases)
        self.new_page.show_returned(returned or [])
        last = self._last_request.get(self.officer.id) if self.officer is not None else None
        self.new_page.reset(last)
        self._show(PAGE_NEW)
        self.new_page.nik.setFocus()

    def _ask_programme(self) -> tuple[str, str] | None:
        """The first card of the session: which programme (asked once, then remembered)."""
        programmes = list(self.settings.agency.programmes)
        current = self.new_page.programme.currentIndex()
        text, ok = QInputDialog.getItem(
            self,
            _("Programme"),
            _("A card was placed. For which programme is this request?"),
            programmes,
            max(current, 0),
            False,
        )
        if not ok:
            return None
        self.new_page.set_request(text, "")
        self.new_page._suggest_purpose(text)
        return self.new_page.request()

    def _request_for_card(self) -> tuple[str, str] | None:
        officer = self.officer
        if officer is None:
            return None
        last = self._last_request.get(officer.id)
        return last if last is not None else self.ask_programme()

    def _open_typed(self, nik: str) -> None:
        """16 digits typed on the idle page: open the case for the programme shown."""
        if self.case is not None or self.locked:
            return
        programme, purpose = self.new_page.request()
        self._open(programme, purpose)
        if self.case is not None:
            self._nik_ready = (nik, NikSource.TYPED)

    def _open_from_card(self) -> None:
        """A card placed on the idle screen: open the case, then read the card."""
        request = self._request_for_card()
        if request is None or self.case is not None:
            return
        self._open(*request)
        if self.case is not None:
            self._read_card_now()

    def _open(self, programme: str, purpose: str) -> None:
        officer = self.officer
        if officer is None:
            return
        case = self._call(lambda: self.services.cases.open_case(officer, programme, purpose))
        if case is None:
            return
        self.case = case
        self._last_request[officer.id] = (programme, purpose)
        self._say(_("Case {number} opened.").format(number=case.number))
        self.documents_page.reset()
        self._show(PAGE_DOCUMENTS)
        self.documents_page.reset()

    def _resume(self, number: str) -> None:
        self.wipe_screen()
        self.case = None
        self.resume_number = number
        self.nik_page.reset()
        self.nik_page.set_header(
            _(
                "Steps 8–10 — case {number}: the applicant is back with fixed documents. Check "
                "the fixed documents and complete the file, then read the card or enter the "
                "NIK of the returned case to re-check it (step 3 again)."
            ).format(number=number)
        )
        self._say("")
        self.stack.setCurrentIndex(PAGE_NIK)
        self.steps.show_step(9, fixing=True)
        self.header.setText(_("Returned case {number}").format(number=number))
        self.cancel_case.setEnabled(True)  # a wrong NIK or an applicant who gives up
        self.nik_page.nik.setFocus()

    # ------------------------------------------------------------------ step 2
    def _documents_checked(self, checklist: dict[str, bool]) -> None:
        case, officer = self._require()
        if self._call(lambda: self.services.cases.check_documents(case, officer, checklist)):
            self._to_nik_page()
            ready, self._nik_ready = self._nik_ready, None
            if ready is not None and not self.portal:
                nik, source = ready
                if source is NikSource.CARD:
                    self.nik_page.set_nik_from_card(nik)
                else:
                    self.nik_page.nik.setText(nik)
                    self.nik_page.validate()
                verify = self.nik_page.verify_values() if self.verify_only else None
                self._lookup(nik, source, verify)  # step 3 by itself
            elif self.task is not None and not self.task.finished and not self.portal:
                self._auto_lookup = True  # the card is still being read

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

    # ------------------------------------------------------------------ step 3
    def _ensure_resumed(self, nik: str, source: NikSource) -> bool:
        if self.case is not None or self.resume_number is None or self.officer is None:
            return self.case is not None
        number, officer = self.resume_number, self.officer
        case = self._call(lambda: self.services.cases.resume_returned(officer, number, nik, source))
        if case is None:
            return False
        self.case = case
        self.resume_number = None
        self.cancel_case.setEnabled(CaseAction.CANCEL in case.allowed)
        return True

    def _lookup(self, nik: str, source: NikSource, verify: Any, override: Any = None) -> None:
        if self.task is not None and not self.task.finished:
            return
        if not self._ensure_resumed(nik, source):
            return
        case, officer = self._require()
        if not self._correction_settled(case, nik):
            return
        correction = self._correction
        self._pending = (nik, source, verify, None)
        cases = self.services.cases
        self.nik_page.clear_notice()
        self.nik_page.set_busy(True, _("Asking Dukcapil…"))
        self.task = run_task(
            self,
            lambda: cases.look_up(
                case,
                officer,
                nik,
                source,
                override=override,
                verify_elements=verify,
                correction=correction,
            ),
            self._answered,
            self._lookup_failed,
            on_late=self._late_answer,
        )

    def _correction_settled(self, case: ActiveCase, nik: str) -> bool:
        """A different NIK than the one checked in this case: ask once why (None: stop)."""
        if case.nik is None or case.nik.value == nik.strip():
            return True
        if case.state in (CaseState.RETURNED, CaseState.FIXES_COMPLETED):
            return True  # the core refuses: a returned case is for the same resident only
        if self._correction is None:
            self._correction = self.ask_correction()
        return self._correction is not None

    def _portal(self, nik: str, source: NikSource, kind: OutcomeKind, match: bool) -> None:
        self._record_portal(nik, source, kind, match, None)

    def _record_portal(
        self, nik: str, source: NikSource, kind: OutcomeKind, match: bool, override: Any
    ) -> None:
        if not self._ensure_resumed(nik, source):
            return
        case, officer = self._require()
        if not self._correction_settled(case, nik):
            return
        self._pending = (nik, source, kind, match)
        self.nik_page.clear_notice()
        try:
            view = self.services.cases.record_portal_outcome(
                case,
                officer,
                nik,
                source,
                kind,
                match,
                override=override,
                correction=self._correction,
            )
        except Exception as error:
            self._lookup_failed(error)
            return
        self._answered(view)

    def _open_portal(self) -> None:
        url = self.settings.agreement.portal_url
        if url:
            self.open_url(QUrl(url))
            self._say(_("The portal opened in the browser. Look up the NIK there."))

    def cancel_lookup(self) -> None:
        """Stop waiting for the gateway (the query may still count against the quota)."""
        if self.task is None or self.task.finished:
            return
        self.task.cancel()
        self.task = None
        self.nik_page.set_busy(False)
        self.nik_page.show_notice(
            _(
                "Lookup cancelled. If the request already left, it still counts against "
                "today's quota; any late answer is discarded. You may look up again."
            ),
            Severity.CAUTION,
        )
        self.statusChanged.emit()

    def _late_answer(self, view: Any) -> None:
        if isinstance(view, LookupView):
            view.wipe()
        self.statusChanged.emit()

    def _answered(self, view: LookupView) -> None:
        self.task = None
        self._overriding = False
        self._correction = None
        self.nik_page.set_busy(False)
        self.linkResult.emit(True)
        self.statusChanged.emit()
        case = self.case
        if case is None:
            view.wipe()
            return
        guidance = guidance_for(view.kind, view.code)
        if case.state is not CaseState.CROSS_CHECKED:
            # not an answer about the resident (quota, login, access hours, …): stay at step 3
            self.nik_page.show_notice(
                f"<b>{guidance.title}</b><br>{guidance.meaning}<br>{guidance.next_step}",
                guidance.severity,
            )
            return
        card = self.card.fields if self.card is not None else None
        sent = self._pending[2] if self._pending is not None and not self.portal else None
        documents = sent if isinstance(sent, dict) else None
        rows = compare_elements(self.profile, view.record, card, view.verdicts, documents)
        self._verify_results = {key: ok for key, (ok, _score) in (view.verdicts or {}).items()}
        cases = self.services.cases
        differing = cases.differing_elements(case)
        typed = cases.needs_documents_match(case)
        self._say("")
        self._show(PAGE_VERIFY)
        nik = case.nik.value if case.nik is not None else None
        self.verify_page.show_answer(view, rows, differing, typed, nik)

    def _lookup_failed(self, error: Exception) -> None:
        self.task = None
        self.nik_page.set_busy(False)
        self.statusChanged.emit()
        from app.services.cases import GatewayUnavailable

        if isinstance(error, GatewayUnavailable):
            self.linkResult.emit(False)
        from app.services.cases.errors import SupervisorRequired
        from app.services.officers import OfficerError

        if isinstance(error, NikCorrectionReasonRequired) and self._pending is not None:
            self._correction = self.ask_correction()  # the case forgot its NIK (a lock)
            if self._correction is not None:
                nik, source, third, fourth = self._pending
                if self.portal:
                    self._record_portal(nik, source, third, bool(fourth), None)
                else:
                    self._lookup(nik, source, third)
                return
        overridable = isinstance(error, GuardRefused) and error.overridable
        if self._overriding and isinstance(error, SupervisorRequired | OfficerError):
            overridable = True  # wrong person or password: the supervisor may try again
        self._overriding = False
        text = error_text(error)
        if isinstance(error, GuardRefused):
            text += " " + (
                _("A supervisor can allow it for an applicant who is present.")
                if overridable
                else _("Wait {seconds} seconds before the next lookup.").format(
                    seconds=max(error.retry_after, 1)
                )
            )
        self.nik_page.show_notice(text, Severity.STOP, overridable=overridable)

    def _override(self) -> None:
        if self._pending is None:
            return
        refusal = self.nik_page.notice.text()
        answers = self.ask_override(refusal)
        if answers is None:
            return
        user, password, reason = answers
        nik, source, third, fourth = self._pending
        officers = self.services.officers
        self.nik_page.set_busy(True, _("Checking the supervisor…"))
        self._overriding = True

        def authenticated(supervisor: OfficerView) -> None:
            self.nik_page.set_busy(False)
            self.task = None
            if self.locked or self.officer is None or self.case is None:
                return  # locked or signed out meanwhile: nothing is sent behind the lock
            override = GuardOverride(supervisor, reason)
            if self.portal:
                self._record_portal(nik, source, third, bool(fourth), override)
            else:
                self._lookup(nik, source, third, override)

        self.task = run_task(
            self, lambda: officers.authenticate(user, password), authenticated, self._lookup_failed
        )

    def read_card(self) -> None:
        """Read the card on the reader (worker), then fill the NIK."""
        if self.page != PAGE_NIK:
            return
        self._read_card_now()

    def _read_card_now(self) -> None:
        if self.task is not None and not self.task.finished:
            return
        if not self._may_read_card():
            return
        officer = self.officer
        assert officer is not None
        if not self._call(lambda: self.services.cases.may_read_card(officer)):
            return  # e.g. the agreement has ended: the card is not read at all
        if not self.reader.available:
            self.nik_page.show_notice(_("No card reader is configured."), Severity.CAUTION)
            return
        self.nik_page.clear_notice()
        self.nik_page.set_busy(True, _("Reading the card — keep it on the reader…"))
        self.nik_page.cancel.hide()
        self.task = run_task(
            self,
            self.reader.read_card,
            self._card_read,
            self._card_failed,
            on_late=lambda data: data.wipe(),
        )

    def _may_read_card(self) -> bool:
        """Only for a signed-in officer serving an open (or resumed) case, never behind a lock."""
        return (
            not self.locked
            and self.officer is not None
            and (self.case is not None or self.resume_number is not None)
        )

    def _card_present(self) -> None:
        if self.page == PAGE_NIK and not self.nik_page.nik.text() and self._may_read_card():
            self.read_card()
        elif (
            self.page == PAGE_NEW
            and self.case is None
            and self.resume_number is None
            and self.officer is not None
            and not self.locked
        ):
            self._open_from_card()

    def _card_read(self, data: CardData) -> None:
        self.task = None
        self.nik_page.set_busy(False)
        if not self._may_read_card():
            data.wipe()  # locked or signed out while the card was read
            return
        if self.card is not None:
            self.card.wipe()
        self.card = data
        if data.nik is None:
            self.nik_page.show_notice(_("The card gave no NIK. Enter the NIK by hand."))
            return
        case, officer = self.case, self.officer
        if case is not None and officer is not None:
            nik = data.nik
            recorded = self._call(  # a demographic read owes data balikan, audited
                lambda: self.services.cases.record_card_read(
                    case, officer, nik, demographic=bool(data.fields), card_fields=data.fields
                )
            )
            if recorded is None:
                self._drop_card()  # refused (e.g. the agreement ended): forget what was read
                return
        if self.page == PAGE_DOCUMENTS:  # placed on the idle screen: looked up after step 2
            self._nik_ready = (data.nik.value, NikSource.CARD)
            self.documents_page.focus_first()
            if self.nik_page.verify_edits:
                self.nik_page.set_verify_values(verify_values_from_card(self.profile, data.fields))
            self._say(_("Card read. Check the documents: Enter if all are present (step 2)."))
            return
        self.nik_page.set_nik_from_card(data.nik.value)
        if self.nik_page.verify_edits:
            self.nik_page.set_verify_values(verify_values_from_card(self.profile, data.fields))
        self._say(_("Card read. Check the NIK, then look it up (Enter)."))
        if self._auto_lookup:
            self._auto_lookup = False
            verify = self.nik_page.verify_values() if self.verify_only else None
            self._lookup(data.nik.value, NikSource.CARD, verify)

    def _card_failed(self, error: Exception) -> None:
        self.task = None
        self.nik_page.set_busy(False)
        if isinstance(error, ReaderError):
            self.nik_page.show_notice(error.user_message, Severity.CAUTION)
        else:
            self.nik_page.show_notice(error_text(error), Severity.CAUTION)

    def _reader_event(self, event: ReaderEvent) -> None:
        self.nik_page.reader_state.setText(_("Reader: {state}").format(state=reader_text(event)))
        if event.state is ReaderState.READING and event.progress is not None:
            self.nik_page.progress.show()
            self.nik_page.progress.setValue(event.progress)
        else:
            self.nik_page.progress.hide()

    def _recheck(self) -> None:
        typed = self.nik_page.verify_values()  # verify by element: correct, not retype
        self.verify_page.clear()
        self._to_nik_page()
        self.nik_page.set_verify_values(typed)
        if self.case is not None and self.case.nik is not None:
            self.nik_page.nik.setText(self.case.nik.value)
            self.nik_page.validate()
        mismatched = [key for key, ok in self._verify_results.items() if not ok and key in typed]
        if mismatched:
            self.nik_page.verify_edits[mismatched[0]].setFocus()
            self.nik_page.verify_edits[mismatched[0]].selectAll()
        self._verify_results = {}

    # ------------------------------------------------------------------ step 4
    def _decide(self, decision: Decision, note: str) -> None:
        case, officer = self._require()
        reasons = self.verify_page.chosen_reasons()
        if decision is not Decision.APPROVE and not reasons:
            self._say(ReasonRequired().message, error=True)
            self.verify_page.reasons.setFocus()
            return
        if decision is Decision.REFUSE and not self.confirm(
            _("Refuse the request"),
            _("Refuse the request of case {number}? This cannot be undone.").format(
                number=case.number
            ),
        ):
            return
        confirmed = self.verify_page.confirmed_elements()
        typed = self.verify_page.typed_nik  # the approve button said "documents match"
        decided = self._call(
            lambda: self.services.cases.decide(
                case,
                officer,
                decision,
                note,
                reasons=reasons,
                confirmed_elements=confirmed,
                documents_match=typed and decision is Decision.APPROVE,
            )
        )
        if decided is None:
            return
        self.verify_page.clear()
        if decision is Decision.APPROVE:
            self.issue_page.clear()
            self._show(PAGE_ISSUE)
            self.issue_page.set_stage(
                "issue",
                _(
                    "Step 4a — approved. Issue the statement; it is shown here and printed from "
                    "memory only."
                ),
            )
            self._issue("")  # approving issues at once; printing opens by itself
            return
        self._drop_card()
        self.nik_page.reset()
        self.issue_page.clear()
        self._show(PAGE_ISSUE)
        if decision is Decision.RETURN:
            self.issue_page.set_stage(
                "done",
                _(
                    "Step 4b — case {number} is returned for fixes. Print the return slip "
                    "(Ctrl+P) and give it to the applicant: it shows the case number and what "
                    "to fix, and no personal data. When they come back with fixed documents, "
                    "resume the case from the list of returned cases."
                ).format(number=case.number),
            )
            self._show_return_slip(case, officer)
        else:
            self.issue_page.set_stage(
                "close",
                _(
                    "The request is refused. Close the case (data balikan is queued if data "
                    "was accessed)."
                ),
            )

    def _show_return_slip(self, case: ActiveCase, officer: OfficerView) -> None:
        """Flowchart 4b: the return slip, previewed from memory and printable."""
        pdf = self._call(
            lambda: render_return_slip_for(
                case, self.settings, officer.display_name, self.services.clock()
            )
        )
        if pdf is not None:
            self.issue_page.preview.show_pdf(pdf)
            del pdf

    # ------------------------------------------------------------------ steps 4a-7
    def _issue(self, document_number: str) -> None:
        case, officer = self._require()
        if self._call(lambda: self.services.cases.issue(case, officer, document_number)) is None:
            return
        pdf = self._call(
            lambda: render_statement(
                case, self.settings, officer.display_name, self.services.clock()
            )
        )
        if pdf is not None:
            self.issue_page.preview.show_pdf(pdf)
            del pdf
        self._show(PAGE_ISSUE)
        self.issue_page.set_stage(
            "hand_over",
            _("Document {number} issued. Print it (Ctrl+P), then hand it over (step 5).").format(
                number=case.document_number
            ),
        )
        self.issue_page.hand_over.setEnabled(case.statement_printed)
        if not self.issue_page.recipient.text().strip() and case.document_number:
            # shown, editable and selected: the officer sees what goes to Dukcapil
            self.issue_page.recipient.setText(case.document_number)
            self.issue_page.recipient.selectAll()
        self._open_printing()

    def _print_dialog(self) -> bool:
        """The print dialog over the issued statement (paper printers only)."""
        return self.issue_page.preview.print_document()

    def _open_printing(self) -> None:
        """Issued: the print dialog opens by itself (hand-over needs the paper)."""
        case = self.case
        if case is None or case.state is not CaseState.ISSUED or self.locked:
            return
        if self.issue_page.preview.loaded and not case.statement_printed:
            self.print_statement()

    def _printed(self) -> None:
        """The statement went to the printer: recorded, hand-over possible."""
        case, officer = self.case, self.officer
        if case is None or officer is None or case.state is not CaseState.ISSUED:
            return
        if self._call(lambda: self.services.cases.record_printed(case, officer)) is None:
            return
        self.issue_page.hand_over.setEnabled(True)
        self.issue_page.set_stage(
            "hand_over",
            _("Printed. Check the recipient number, then hand the document over (step 5)."),
        )

    def _hand_over(self, recipient: str) -> None:
        case, officer = self._require()
        if not recipient.strip():
            self._say(RecipientNumberMissing().message, error=True)
            self.issue_page.recipient.setFocus()
            return
        if self._call(lambda: self.services.cases.hand_over(case, officer, recipient)) is None:
            return
        self._close()  # 5, 6 and 7: handed over, data balikan queued, case closed

    def _close(self) -> None:
        if self.issue_page.stage == "done" or self.case is None:
            self.start_new()
            return
        case, officer = self._require()
        if self._call(lambda: self.services.cases.close(case, officer)) is None:
            return
        self.start_new(_("Case {number} closed.").format(number=case.number))

    def cancel(self) -> None:
        """Cancel the open case (with a reason); data balikan still owed if data was accessed."""
        if self.case is None and self.resume_number is not None:
            self._cancel_returned(self.resume_number)
            return
        if self.case is None or CaseAction.CANCEL not in self.case.allowed:
            return
        if self.task is not None and not self.task.finished:
            self.cancel_lookup()
        reason = self.ask_reason(_("Cancel case"), _("Why is the case cancelled?"))
        if reason is None:
            return
        case, officer = self._require()
        if self._call(lambda: self.services.cases.cancel(case, officer, reason)) is None:
            return
        self.start_new(_("Case {number} cancelled.").format(number=case.number))

    def _cancel_returned(self, number: str) -> None:
        """A returned case not resumed (e.g. its NIK does not match): cancel it by number."""
        officer = self.officer
        if officer is None:
            return
        reason = self.ask_reason(_("Cancel case"), _("Why is the case cancelled?"))
        if reason is None:
            return
        cases = self.services.cases

        def cancel_it() -> bool:
            cases.cancel_interrupted(officer, number, reason)
            return True

        if self._call(cancel_it) is None:
            return
        self.start_new(_("Case {number} cancelled.").format(number=number))

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
        self.issue_page.clear()
        self._pending = None

    def release(self) -> None:
        """Lock, sign-out or quit: forget the case's population data (the case stays open)."""
        if self.task is not None and not self.task.finished:
            self.task.cancel()
            self.task = None
        if self.case is not None:
            self.services.cases.release(self.case)
        self.locked = True
        self.wipe_screen()
        self.message.clear()

    def resume_after_unlock(self) -> None:
        """Show the open case again; data cleared at the lock must be looked up again."""
        self.locked = False
        case = self.case
        if case is None:
            self.start_new()
            return
        state = case.state
        if state in (CaseState.SUBMITTED,):
            self._show(PAGE_DOCUMENTS)
        elif state in (
            CaseState.DOCUMENTS_CHECKED,
            CaseState.CROSS_CHECKED,
            CaseState.FIXES_COMPLETED,
        ):
            self._to_nik_page()
            if state is CaseState.CROSS_CHECKED:
                self.nik_page.show_notice(
                    _(
                        "The screen was locked, so the answer was cleared. Look the NIK up "
                        "again to continue."
                    ),
                    Severity.CAUTION,
                )
        elif state is CaseState.APPROVED:
            self._show(PAGE_ISSUE)
            self.issue_page.set_stage("issue", _("Approved. Issue the statement."))
        elif state is CaseState.ISSUED:
            self._show(PAGE_ISSUE)
            self.issue_page.set_stage("hand_over", _("Issued. Hand the document over."))
        else:
            self._show(PAGE_ISSUE)
            self.issue_page.set_stage("close", _("Close the case."))
