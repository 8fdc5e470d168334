"""The case screen: follows the agreement's flowchart, one page per step.

Population data (the lookup record, the NIK, the card read) lives only in the
:class:`ActiveCase` and in the widgets showing it. Closing, cancelling, locking or quitting
clears the widgets and calls the core's wipe. Lookups and card reads run in workers.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.domain.case_flow import CaseState
from app.domain.i18n import _
from app.services.app_core import AppServices
from app.services.dukcapil import Severity
from app.ui.case.case_base import PAGE_DOCUMENTS, PAGE_ISSUE, PAGE_NEW, PAGE_NIK, PAGE_VERIFY
from app.ui.case.case_dialogs import (
    ask_confirm,
    ask_correction,
    ask_override,
    ask_reason,
    error_text,
)
from app.ui.case.case_lifecycle import LifecycleSteps
from app.ui.reader_bridge import ReaderBridge

__all__ = [
    "PAGE_DOCUMENTS",
    "PAGE_ISSUE",
    "PAGE_NEW",
    "PAGE_NIK",
    "PAGE_VERIFY",
    "CaseScreen",
    "ask_confirm",
    "ask_correction",
    "ask_override",
    "ask_reason",
    "error_text",
]


class CaseScreen(LifecycleSteps):
    """Serves one applicant at a time (parts: :class:`LookupSteps`, :class:`LifecycleSteps`)."""

    def __init__(
        self,
        services: AppServices,
        reader: ReaderBridge,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, reader, parent)
        self.ask_programme = self._ask_programme
        self.confirm = lambda title, question: ask_confirm(self, title, question)
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
        self.print_statement = self._print_dialog
        self.cancel_case.clicked.connect(self.cancel)
        self.reader.readerEvent.connect(self._reader_event)
        self.reader.cardPresent.connect(self._card_present)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.primary)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.primary)
        QShortcut(QKeySequence("Ctrl+Shift+X"), self, self.cancel)
        self._reader_event(reader.last)
        self.start_new()

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
