"""Steps 1-2 and 4-7 on the case screen: open, documents, decide, issue, hand over, end."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QInputDialog

from app.domain.case_flow import CaseAction, CaseState
from app.domain.i18n import _
from app.services.cases import (
    ActiveCase,
    Decision,
    NikSource,
)
from app.services.cases.errors import (
    ReasonRequired,
    RecipientNumberMissing,
)
from app.services.documents.return_slip import render_return_slip_for
from app.services.documents.statement import render_statement
from app.services.officers import OfficerView
from app.ui.case.case_base import PAGE_DOCUMENTS, PAGE_ISSUE, PAGE_NEW, PAGE_NIK
from app.ui.case.case_dialogs import error_text
from app.ui.case.case_lookup import LookupSteps
from app.ui.workers import run_task

log = logging.getLogger(__name__)


class LifecycleSteps(LookupSteps):
    """A case on screen from the idle page to its end (the lookups aside)."""

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
        self.new_page.show_returned([])
        self.list_job = run_task(  # read-only: never holds up the next applicant
            self,
            self.services.cases.returned_cases,
            self._show_returned,
            lambda error: self._say(error_text(error), error=True),
        )
        last = self._last_request.get(self.officer.id) if self.officer is not None else None
        self.new_page.reset(last)
        self._show(PAGE_NEW)
        self.new_page.nik.setFocus()

    def _show_returned(self, returned: Any) -> None:
        if self.case is None and self.page == PAGE_NEW:
            self.new_page.show_returned(list(returned or []))

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

    def _lookup_near(self) -> None:
        """A lookup follows shortly: the data balikan sender leaves the link to it now."""
        link = getattr(self.services, "link", None)
        if link is not None:
            link.expect_lookup()

    def _open_typed(self, nik: str) -> None:
        """16 digits typed on the idle page: open the case for the programme shown."""
        if self.case is not None or self.locked:
            return
        self._lookup_near()
        programme, purpose = self.new_page.request()
        self._open(programme, purpose, lambda: self._set_ready(nik))

    def _set_ready(self, nik: str) -> None:
        self._nik_ready = (nik, NikSource.TYPED)

    def _open_from_card(self) -> None:
        """A card placed on the idle screen: open the case, then read the card."""
        request = self._request_for_card()
        if request is None or self.case is not None:
            return
        self._open(*request, self._read_card_now)

    def _card_present(self) -> None:
        """A card on the reader: read it at step 3, or open a case on the idle page."""
        if not self.locked and self.officer is not None:
            self._lookup_near()
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

    def _open(self, programme: str, purpose: str, then: Callable[[], None] | None = None) -> None:
        officer = self.officer
        if officer is None or self.case is not None:
            return
        cases = self.services.cases

        def opened(case: ActiveCase) -> None:
            if self.officer is not officer:
                return  # signed out meanwhile: the case waits with the interrupted ones
            self.case = case
            self._last_request[officer.id] = (programme, purpose)
            if self.locked:
                return  # locked meanwhile: resume_after_unlock shows it at step 2
            self._say(_("Case {number} opened.").format(number=case.number))
            self.documents_page.reset()
            self._show(PAGE_DOCUMENTS)
            self.documents_page.reset()
            if then is not None:
                then()

        self._run(lambda: cases.open_case(officer, programme, purpose), opened)

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
        cases = self.services.cases
        self._run(
            lambda: cases.check_documents(case, officer, checklist),
            lambda _case: self._documents_done(),
        )

    def _documents_done(self) -> None:
        if self.locked or self.case is None:
            return
        self._to_nik_page()
        ready, self._nik_ready = self._nik_ready, None
        if ready is not None:
            nik, source = ready
            if source is NikSource.CARD:
                self.nik_page.set_nik_from_card(nik)
            else:
                self.nik_page.nik.setText(nik)
                self.nik_page.validate()
            if self.portal:
                return  # the officer looks it up in the portal and records what it showed
            verify = self.nik_page.verify_values() if self.verify_only else None
            self._lookup(nik, source, verify)  # step 3 by itself
        elif self.task is not None and not self.task.finished and not self.portal:
            self._auto_lookup = True  # the card is still being read

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
        fields: dict[str, str] | None = None
        form = self.balikan_form
        if form.fields:  # the agreement's data balikan values, checked before anything runs
            form.set_require(decision is Decision.APPROVE)
            if not form.show_problems():
                self._say("\n".join(form.problems().values()), error=True)
                return
            fields = form.values()
        confirmed = self.verify_page.confirmed_elements()
        typed = self.verify_page.typed_nik  # the approve button said "documents match"
        cases = self.services.cases
        if decision is Decision.APPROVE:  # approving issues at once: one step, one commit
            self._run(
                lambda: cases.approve_and_issue(
                    case,
                    officer,
                    note,
                    reasons=reasons,
                    confirmed_elements=confirmed,
                    documents_match=typed,
                    balikan_fields=fields,
                ),
                lambda _case: self._approved(case, officer),
            )
            return
        self._run(
            lambda: cases.decide(
                case,
                officer,
                decision,
                note,
                reasons=reasons,
                balikan_fields=fields,
            ),
            lambda _case: self._decided(case, officer, decision),
        )

    def _approved(self, case: ActiveCase, officer: OfficerView) -> None:
        """Approved and issued (step 4a): the statement is shown and printing opens."""
        if self.locked or self.case is not case:
            return
        self.verify_page.clear()
        self.balikan_form.clear()
        self.issue_page.clear()
        self._issued(case, officer)

    def _decided(self, case: ActiveCase, officer: OfficerView, decision: Decision) -> None:
        if self.locked or self.case is not case:
            return
        self.verify_page.clear()
        self.balikan_form.clear()
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
        """Flowchart 4b: the return slip, previewed from memory and printable (built off the
        UI thread)."""
        settings, now = self.settings, self.services.clock()

        def shown(pdf: bytes) -> None:
            if self.locked or self.case is not case:
                return
            self.issue_page.preview.show_pdf(pdf)

        self._run(lambda: render_return_slip_for(case, settings, officer.display_name, now), shown)

    # ------------------------------------------------------------------ steps 4a-7
    def _issue(self, document_number: str) -> None:
        case, officer = self._require()
        cases = self.services.cases
        self._run(
            lambda: cases.issue(case, officer, document_number),
            lambda _case: self._issued(case, officer),
        )

    def _issued(self, case: ActiveCase, officer: OfficerView) -> None:
        if self.locked or self.case is not case:
            return
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
        settings, now = self.settings, self.services.clock()

        def rendered(pdf: bytes) -> None:
            if self.locked or self.case is not case:
                return
            self.issue_page.preview.show_pdf(pdf)
            self._open_printing()

        self._run(lambda: render_statement(case, settings, officer.display_name, now), rendered)

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
        cases = self.services.cases

        def recorded(_case: Any) -> None:
            if self.locked or self.case is not case:
                return
            self.issue_page.hand_over.setEnabled(True)
            self.issue_page.set_stage(
                "hand_over",
                _("Printed. Check the recipient number, then hand the document over (step 5)."),
            )

        self._run(lambda: cases.record_printed(case, officer), recorded)

    def _hand_over(self, recipient: str) -> None:
        case, officer = self._require()
        if not recipient.strip():
            self._say(RecipientNumberMissing().message, error=True)
            self.issue_page.recipient.setFocus()
            return
        cases = self.services.cases
        self._run(  # 5, 6 and 7: handed over, balikan queued, closed, in one commit
            lambda: cases.hand_over_and_close(case, officer, recipient),
            lambda _case: self._ended(_("Case {number} closed.").format(number=case.number)),
        )

    def _close(self) -> None:
        if self.issue_page.stage == "done" or self.case is None:
            self.start_new()
            return
        case, officer = self._require()
        cases = self.services.cases
        self._run(
            lambda: cases.close(case, officer),
            lambda _case: self._ended(_("Case {number} closed.").format(number=case.number)),
        )

    def _ended(self, message: str) -> None:
        """The case is closed or cancelled: ready for the next applicant."""
        if self.locked:
            self.case = None
            return
        self.start_new(message)

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
        cases = self.services.cases
        self._run(
            lambda: cases.cancel(case, officer, reason),
            lambda _case: self._ended(_("Case {number} cancelled.").format(number=case.number)),
        )

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

        self._run(
            cancel_it,
            lambda _ok: self._ended(_("Case {number} cancelled.").format(number=number)),
        )
