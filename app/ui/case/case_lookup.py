"""Step 3 on the case screen: card reads, lookups, overrides and NIK corrections."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl

from app.domain.case_flow import CaseAction, CaseState
from app.domain.i18n import _
from app.domain.outcomes import OutcomeKind
from app.reader.card_data import CardData
from app.reader.errors import ReaderError
from app.reader.states import ReaderEvent, ReaderState
from app.services.cases import (
    ActiveCase,
    GuardOverride,
    GuardRefused,
    LookupView,
    NikSource,
)
from app.services.cases.compare import (
    compare_elements,
    verify_values_from_card,
)
from app.services.cases.errors import NikCorrectionReasonRequired
from app.services.dukcapil import Severity, guidance_for
from app.services.officers import OfficerView
from app.ui.case.case_base import PAGE_DOCUMENTS, PAGE_NIK, PAGE_VERIFY, CaseScreenBase
from app.ui.case.case_dialogs import error_text
from app.ui.reader_bridge import reader_text
from app.ui.workers import run_task

log = logging.getLogger(__name__)


class LookupSteps(CaseScreenBase):
    """Step 3: the NIK from the card or typed, looked up, answered."""

    def _ensure_resumed(self, nik: str, source: NikSource, then: Callable[[], None]) -> None:
        """A returned case is taken up again (off the UI thread) before ``then`` runs."""
        if self.case is not None:
            then()
            return
        if self.resume_number is None or self.officer is None:
            return
        number, officer = self.resume_number, self.officer
        cases = self.services.cases

        def resumed(case: ActiveCase) -> None:
            if self.officer is None or self.officer.id != officer.id or self.case is not None:
                cases.release(case)  # signed out meanwhile: the case waits, without its data
                return
            moved_on = self.resume_number != number  # locked and unlocked meanwhile
            self.case = case
            self.resume_number = None
            self.cancel_case.setEnabled(CaseAction.CANCEL in case.allowed)
            if self.locked or moved_on:
                cases.release(case)  # shown at step 3 after unlocking: looked up again
                if not self.locked:
                    self._to_nik_page()
                return
            then()

        self._run(lambda: cases.resume_returned(officer, number, nik, source), resumed)

    def _lookup(self, nik: str, source: NikSource, verify: Any, override: Any = None) -> None:
        if self.task is not None and not self.task.finished:
            return
        self._ensure_resumed(nik, source, lambda: self._lookup_now(nik, source, verify, override))

    def _lookup_now(self, nik: str, source: NikSource, verify: Any, override: Any) -> None:
        if self.task is not None and not self.task.finished:
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
        self._ensure_resumed(
            nik, source, lambda: self._record_portal_now(nik, source, kind, match, override)
        )

    def _record_portal_now(
        self, nik: str, source: NikSource, kind: OutcomeKind, match: bool, override: Any
    ) -> None:
        case, officer = self._require()
        if not self._correction_settled(case, nik):
            return
        self._pending = (nik, source, kind, match)
        self.nik_page.clear_notice()
        correction = self._correction
        cases = self.services.cases
        self._run(
            lambda: cases.record_portal_outcome(
                case,
                officer,
                nik,
                source,
                kind,
                match,
                override=override,
                correction=correction,
            ),
            self._answered,
            self._lookup_failed,
        )

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
        if isinstance(error, GuardRefused) and not error.overridable:
            # the guard's own message says what to do; only the exact wait is added
            text += " " + _("Next lookup possible in {seconds} s.").format(
                seconds=max(error.retry_after, 1)
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
        cases = self.services.cases
        reader = self.reader
        available = reader.available

        def check_and_read() -> CardData | bool:
            if not cases.may_read_card(officer):
                return False  # e.g. the agreement has ended: the card is not read at all
            if not available:
                return True
            return reader.read_card()

        def wipe_late(value: Any) -> None:
            if isinstance(value, CardData):
                value.wipe()

        self.nik_page.clear_notice()
        if available:
            self.nik_page.set_busy(True, _("Reading the card — keep it on the reader…"))
        else:
            self.nik_page.set_busy(True, _("Working…"))
        self.nik_page.cancel.hide()
        self.task = run_task(
            self, check_and_read, self._card_result, self._card_check_failed, on_late=wipe_late
        )

    def _card_result(self, value: CardData | bool) -> None:
        if isinstance(value, CardData):
            self._card_read(value)
            return
        self.task = None
        self.nik_page.set_busy(False)
        self.statusChanged.emit()
        if value is True:  # the card may be read, but there is no reader to read it
            self.nik_page.show_notice(_("No card reader is configured."), Severity.CAUTION)

    def _card_check_failed(self, error: Exception) -> None:
        if isinstance(error, ReaderError):
            self._card_failed(error)
            return
        self.task = None
        self.nik_page.set_busy(False)
        self.statusChanged.emit()
        log.info("case action refused: %s", type(error).__name__)
        self._say(error_text(error), error=True)  # refused before the card was read

    def _may_read_card(self) -> bool:
        """Only for a signed-in officer serving an open (or resumed) case, never behind a lock."""
        return (
            not self.locked
            and self.officer is not None
            and (self.case is not None or self.resume_number is not None)
        )

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
        if case is None or officer is None:
            self._card_recorded(data)
            return
        nik = data.nik
        cases = self.services.cases

        def recorded(_value: Any) -> None:
            self.task = None
            self.nik_page.set_busy(False)
            self.statusChanged.emit()
            if self.card is not data or not self._may_read_card():
                return  # locked, signed out or another card meanwhile
            self._card_recorded(data)

        def refused(error: Exception) -> None:
            self.task = None
            self.nik_page.set_busy(False)
            self.statusChanged.emit()
            log.info("case action refused: %s", type(error).__name__)
            self._say(error_text(error), error=True)
            if self.card is data:
                self._drop_card()  # refused (e.g. the agreement ended): forget what was read
            else:
                data.wipe()

        self.nik_page.set_busy(True, _("Working…"))
        self.nik_page.cancel.hide()
        self.task = run_task(  # a demographic read owes data balikan, audited
            self,
            lambda: cases.record_card_read(
                case, officer, nik, demographic=bool(data.fields), card_fields=data.fields
            ),
            recorded,
            refused,
            on_late=lambda _value: data.wipe(),
        )

    def _card_recorded(self, data: CardData) -> None:
        """The card read is recorded: fill the NIK (and look it up when that was asked)."""
        assert data.nik is not None
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
