"""Steps 5-7 of the case API: the statement printed, handed over, data balikan queued, the
case closed (or cancelled)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from app.domain.case_flow import CaseAction, CaseState, IllegalTransition
from app.domain.scrub import scrub
from app.services.balikan.fields import FieldValue
from app.services.balikan.outbox import BalikanParams
from app.services.cases import balikan_owed
from app.services.cases.active import ActiveCase
from app.services.cases.errors import (
    CaseError,
    NikNotAllowedHere,
    RecipientNumberMissing,
    StatementNotPrinted,
)
from app.services.cases.kinds import CANCEL_NOTES, NOTE_CANCELLED
from app.services.cases.lifecycle import LifecyclePart
from app.services.cases.row import CaseFacts
from app.services.officers import OfficerView
from app.services.persistence.db import relax_commit
from app.services.persistence.models import BalikanItem


class HandingPart(LifecyclePart):
    """A case from its issued statement to its end."""

    def hand_over(
        self,
        case: ActiveCase,
        officer: OfficerView,
        recipient_number: str = "",
        *,
        balikan_fields: Mapping[str, str] | None = None,
    ) -> ActiveCase:
        """Step 5, then step 6 at once: the document is handed over, data balikan queued.

        Refused until the statement was printed at least once (:meth:`record_printed`) and
        without a recipient number (never replaced by another number behind the officer).
        ``balikan_fields`` (the agreement's data balikan values, every required one filled)
        replace those given with the decision; without them the item carries those."""
        fields = self._hand_over_checks(case, recipient_number, balikan_fields)
        return self._hand_over(case, officer, recipient_number, fields)

    def hand_over_and_close(
        self,
        case: ActiveCase,
        officer: OfficerView,
        recipient_number: str = "",
        *,
        balikan_fields: Mapping[str, str] | None = None,
    ) -> ActiveCase:
        """Steps 5, 6 and 7 as the counter does them: handed over, data balikan queued and
        the case closed, in one durable transaction: one UPDATE of the case row and one
        audit record, ``case.hand_over_close``, naming the queued item; then the population
        data leaves memory. Refused as :meth:`hand_over` refuses."""
        fields = self._hand_over_checks(case, recipient_number, balikan_fields)
        self._hand_over_and_close(case, officer, recipient_number, fields)
        case.wipe()
        return case

    def _hand_over_checks(
        self,
        case: ActiveCase,
        recipient_number: str,
        balikan_fields: Mapping[str, str] | None,
    ) -> tuple[FieldValue, ...]:
        """Refuse a hand-over the flowchart does not allow; the data balikan values given."""
        if scrub(recipient_number, case.answer_words()) != recipient_number:
            raise NikNotAllowedHere()
        if not case.statement_printed:
            raise StatementNotPrinted()
        if not recipient_number.strip():
            raise RecipientNumberMissing()
        if balikan_fields is None:
            return ()
        return balikan_owed.checked_fields(
            self.settings, balikan_fields, case.answer_words(), require=True
        )

    def record_printed(self, case: ActiveCase, officer: OfficerView) -> ActiveCase:
        """The issued statement went to the printer (audited); hand-over is possible now."""
        if case.state is not CaseState.ISSUED:
            raise IllegalTransition(case.state, CaseAction.HAND_OVER)
        with self._sessions.begin() as session:
            relax_commit(session)  # the statement is on paper already; the record may wait
            self._audit.append(
                session, officer.username, "statement.printed", case_number=case.number
            )
        case.statement_printed = True
        return case

    def _hand_over(
        self,
        case: ActiveCase,
        officer: OfficerView,
        recipient_number: str,
        fields: tuple[FieldValue, ...] = (),
    ) -> ActiveCase:
        recipient = recipient_number.strip()[:64]
        with self._case_tx(case) as session:
            # handed over, then at once the data balikan queued (step 6): one record
            row = self._move(
                session,
                case,
                CaseAction.HAND_OVER,
                officer,
                then=CaseAction.QUEUE_BALIKAN,
                values={"recipient_number": recipient},
            )
            case.recipient_number = recipient
            params = BalikanParams(row.programme, number=recipient, fields=fields)
            self._enqueue_owed(session, case, row, officer, params=params)
        self._notify_owed(case)
        return case

    def _hand_over_and_close(
        self,
        case: ActiveCase,
        officer: OfficerView,
        recipient_number: str,
        fields: tuple[FieldValue, ...],
    ) -> None:
        """Steps 5-7 in one transaction and one record: the case row is moved (and locked)
        first, as everywhere, then the item owed is queued, then the step's record names it
        (with the resident's NIK hash, as a data balikan record does)."""
        recipient = recipient_number.strip()[:64]
        values = {"recipient_number": recipient, "closed_at": self._clock()}
        with self._case_tx(case) as session:
            row, moved_from = self._shift(
                session,
                case,
                CaseAction.HAND_OVER,
                then=(CaseAction.QUEUE_BALIKAN, CaseAction.CLOSE),
                values=values,
            )
            queued: dict[str, object] = {}
            nik_hash: str | None = None
            if row.data_accessed:
                params = BalikanParams(row.programme, number=recipient, fields=fields)
                item = self._queue_item(session, case, row, params)
                queued["item"], nik_hash = item.id, item.nik_hash
            self._record_move(
                session,
                case,
                officer,
                "case.hand_over_close",
                moved_from,
                extra=queued,
                nik_hash=nik_hash,
            )
            case.recipient_number = recipient
        self._notify_owed(case)

    def _enqueue_owed(
        self,
        session: Session,
        case: ActiveCase,
        row: CaseFacts,
        officer: OfficerView,
        fields: tuple[FieldValue, ...] = (),
        *,
        params: BalikanParams | None = None,
    ) -> None:
        """Queue the one data balikan item owed when the resident's data was accessed
        (``params``: the item's, when not those :func:`balikan_owed.owed_params` gives)."""
        if row.data_accessed:
            if params is None:
                params = balikan_owed.owed_params(row, fields)
            item = self._queue_item(session, case, row, params)
            self._audit.append(
                session,
                officer.username,
                "balikan.queued",
                case_number=row.number,
                nik_hash=row.nik_hash,
                detail={"item": item.id},
            )

    def _queue_item(
        self, session: Session, case: ActiveCase, row: CaseFacts, params: BalikanParams
    ) -> BalikanItem:
        """The item owed (the resident's data was accessed), made sendable; the NIK is the
        one in memory, else the held item's."""
        nik = case.nik.value if case.nik else self._stored_nik(session, row.number)
        return self._outbox.enqueue(session, row.number, nik, params)

    def _queue_balikan(
        self,
        session: Session,
        case: ActiveCase,
        row: CaseFacts,
        officer: OfficerView,
        fields: tuple[FieldValue, ...] = (),
    ) -> None:
        """Flowchart step 6 after hand-over (or a refusal of accessed data)."""
        self._enqueue_owed(session, case, row, officer, fields)
        handed_over = row.state == CaseState.HANDED_OVER.value
        if handed_over or (row.state == CaseState.REFUSED.value and row.data_accessed):
            self._move(session, case, CaseAction.QUEUE_BALIKAN, officer)

    def _stored_nik(self, session: Session, case_number: str) -> str:
        """The NIK of a case whose applicant is not here, from its held outbox item."""
        nik = self._outbox.held_nik(session, case_number)
        if nik is None:
            raise CaseError("nik unavailable")
        return nik

    def close(self, case: ActiveCase, officer: OfficerView) -> ActiveCase:
        """Step 7: the service is done; population data leaves memory."""
        # after a hand-over the data balikan is queued already (durably): closing only ends
        # the case; closing a refused case queues it, so that commit waits for the disk
        with self._case_tx(case, durable=case.state is CaseState.REFUSED) as session:
            if case.state is CaseState.REFUSED:  # decided at this counter, never elsewhere
                self._queue_balikan(session, case, self._row(session, case), officer)
            self._move(
                session, case, CaseAction.CLOSE, officer, values={"closed_at": self._clock()}
            )
        self._notify_owed(case)
        case.wipe()
        return case

    def cancel(self, case: ActiveCase, officer: OfficerView, reason: str) -> ActiveCase:
        """End the case without issuing; data balikan is still owed if data was accessed.

        The typed ``reason`` stays in memory (scrubbed) as the case's remark; the row stores
        only a fixed note (the typed text could name the resident).
        """
        case.remark = scrub(reason, case.answer_words()).strip()[:255]
        ended = {
            "note": reason.strip() if reason.strip() in CANCEL_NOTES else NOTE_CANCELLED,
            "closed_at": self._clock(),
        }
        with self._case_tx(case) as session:
            row = self._move(session, case, CaseAction.CANCEL, officer, values=ended)
            self._enqueue_owed(session, case, row, officer)
        self._notify_owed(case)
        case.wipe()
        return case

    def release(self, case: ActiveCase) -> None:
        """Lock or quit: forget the case's population data (the case itself stays open)."""
        case.wipe()
