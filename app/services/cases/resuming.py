"""Steps 8-10 of the case API: returned and interrupted cases, resumed or cancelled."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.case_flow import CaseAction, CaseState, IllegalTransition
from app.domain.case_reasons import (
    decode_reasons,
    reason_labels,
)
from app.domain.nik import Nik
from app.services.cases.active import ActiveCase, ReturnedCase
from app.services.cases.errors import (
    CaseError,
    NikMismatch,
)
from app.services.cases.handing import HandingPart
from app.services.cases.kinds import (
    NOTE_INTERRUPTED,
    NikSource,
)
from app.services.officers import OfficerView
from app.services.persistence.models import CaseRow


class ReturnedPart(HandingPart):
    """Cases that wait for the applicant, or that a crash left open."""

    def returned_cases(self) -> list[ReturnedCase]:
        """Cases waiting for the applicant to come back (days may pass)."""
        with self._sessions() as session:
            rows = session.execute(
                select(CaseRow)
                .where(CaseRow.state == CaseState.RETURNED.value)
                .order_by(CaseRow.updated_at)
            ).scalars()
            return [_returned(r) for r in rows]

    def interrupted_cases(self) -> list[ReturnedCase]:
        """Cases of this counter left open by a crash, power loss or kill (not returned ones).

        Call at start-up, before any case is opened: every open case then is interrupted.
        Their population data is gone with the process; they can only be cancelled, which
        releases the data balikan they owe.
        """
        open_states = [
            s.value
            for s in CaseState
            if s not in (CaseState.RETURNED, CaseState.CLOSED, CaseState.CANCELLED)
        ]
        with self._sessions() as session:
            rows = session.execute(
                select(CaseRow)
                .where(
                    CaseRow.state.in_(open_states),
                    CaseRow.counter_id == self.settings.counter_id,
                )
                .order_by(CaseRow.opened_at)
            ).scalars()
            return [_returned(r) for r in rows]

    def cancel_interrupted(self, officer: OfficerView, case_number: str, reason: str) -> None:
        """Cancel a case interrupted by a crash (data balikan owed is released)."""
        with self._sessions() as session:
            row = session.execute(
                select(CaseRow).where(CaseRow.number == case_number)
            ).scalar_one_or_none()
            if row is None:
                raise CaseError(case_number)
            case = _active_from_row(row)
            document_number = row.document_number or ""
        if case.state is CaseState.HANDED_OVER or case.state is CaseState.ISSUED:
            # the document went (or was ready to go) to the applicant: finish, owe the number
            if case.state is CaseState.ISSUED:
                self._hand_over(case, officer, document_number)
            else:
                with self._sessions.begin() as session:
                    facts = self._row(session, case)
                    self._queue_balikan(session, case, facts, officer)
            self.close(case, officer)
        elif case.state in (CaseState.REFUSED, CaseState.BALIKAN_QUEUED):
            self.close(case, officer)  # queues what is owed (refused: with its note)
        else:
            self.cancel(case, officer, reason or NOTE_INTERRUPTED)

    def resume_returned(
        self, officer: OfficerView, case_number: str, nik_text: str, source: NikSource
    ) -> ActiveCase:
        """Steps 8-9: the applicant is back with fixed documents; the NIK must match."""
        self._check_may_serve(officer)
        nik = self._parse(nik_text)
        with self._sessions.begin() as session:
            row = session.execute(
                select(CaseRow).where(CaseRow.number == case_number).with_for_update()
            ).scalar_one_or_none()
            if row is None:
                raise CaseError(case_number)
            if row.state != CaseState.RETURNED.value:
                raise IllegalTransition(CaseState(row.state), CaseAction.COMPLETE_FIXES)
            mismatch = row.nik_hash != self._keys.nik_hash(nik.value)
            if not mismatch:
                case = _active_from_row(row, nik=nik, nik_source=source.value)
                resumed = {"nik_source": source.value}
                self._move(session, case, CaseAction.COMPLETE_FIXES, officer, values=resumed)
        if mismatch:
            with self._sessions.begin() as session:  # the refusal is kept, not rolled back
                self._audit.append(
                    session, officer.username, "case.resume_nik_mismatch", case_number=case_number
                )
            raise NikMismatch()
        return case


def _active_from_row(
    row: CaseRow, nik: Nik | None = None, nik_source: str | None = None
) -> ActiveCase:
    """An in-memory case for a stored one (no population data but a NIK given again)."""
    return ActiveCase(
        id=row.id,
        number=row.number,
        programme=row.programme,
        purpose=row.purpose,
        access_method=row.access_method,
        state=CaseState(row.state),
        opened_at=row.opened_at,
        officer_id=row.officer_id,
        nik_source=nik_source or row.nik_source,
        nik=nik,
        lookups=row.lookups,
        data_accessed=row.data_accessed,
        documents_ok=row.documents_ok,
        decision=row.decision,
        note=row.note,
        reasons=decode_reasons(row.reasons),
    )


def _returned(row: CaseRow) -> ReturnedCase:
    """A stored case as listed to officers: number, programme and the reasons (translated)."""
    reasons = decode_reasons(row.reasons)
    note = reason_labels(reasons) if reasons else row.note
    return ReturnedCase(row.number, row.programme, note, row.updated_at, row.officer_id, reasons)
