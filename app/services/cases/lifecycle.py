"""Steps 1-4 of the case API: open, documents, decide, issue (steps 5-7: :mod:`handing`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from uuid import uuid4

from sqlalchemy import bindparam, insert, update

from app.domain.case_flow import CaseAction, CaseState
from app.domain.case_reasons import (
    CaseReason,
    encode_reasons,
)
from app.domain.scrub import scrub
from app.services.balikan.fields import FieldValue
from app.services.cases import balikan_owed
from app.services.cases.active import ActiveCase
from app.services.cases.base import CaseServiceBase
from app.services.cases.compare import compare_elements, profile_of
from app.services.cases.errors import (
    DocumentsIncomplete,
    DocumentsMatchUnconfirmed,
    ElementsUnconfirmed,
    NikNotAllowedHere,
    NotIssuable,
    ProgrammeNotListed,
    PurposeMissing,
)
from app.services.cases.kinds import (
    Decision,
    NikSource,
)
from app.services.officers import OfficerView
from app.services.persistence.db import relax_commit
from app.services.persistence.models import CaseRow

# Built once (compiled forms cached): a new case row, then its number (from its id).
_INSERT_CASE = insert(CaseRow).returning(CaseRow.id)
_NUMBER_CASE = (
    update(CaseRow).where(CaseRow.id == bindparam("case_id")).values(number=bindparam("new_number"))
)


class LifecyclePart(CaseServiceBase):
    """A case from its opening to its decision and issue (steps 1-4; the lookup is
    :class:`LookupPart`'s, steps 5-7 :class:`HandingPart`'s)."""

    def open_case(self, officer: OfficerView, programme: str, purpose: str) -> ActiveCase:
        """Step 1: the applicant's request, bound to a programme and purpose."""
        self._check_may_serve(officer)
        programme = programme.strip()
        purpose = scrub(purpose).strip()[:255]  # never a NIK
        if not programme or not purpose:
            raise PurposeMissing()
        if programme not in self.settings.agency.programmes:
            raise ProgrammeNotListed(programme[:40])
        now = self._clock()
        with self._sessions.begin() as session:
            relax_commit(session)  # a case lost to a power cut is simply opened again
            connection = session.connection()
            case_id = connection.execute(
                _INSERT_CASE,
                {
                    "number": f"pending-{uuid4().hex}",  # unique until it is numbered below
                    "counter_id": self.settings.counter_id,
                    "officer_id": officer.id,
                    "programme": programme,
                    "purpose": "",  # stored once the answer's words can be scrubbed from it
                    "access_method": self.access_method,
                    "state": CaseState.SUBMITTED.value,
                    "lookups": 0,
                    "data_accessed": False,
                    "opened_at": now,
                    "updated_at": now,
                },
            ).scalar_one()
            number = f"{self.settings.counter_id}-{now:%Y%m%d}-{case_id:05d}"
            connection.execute(_NUMBER_CASE, {"case_id": case_id, "new_number": number})
            self._audit.append(
                session,
                officer.username,
                "case.opened",
                case_number=number,
                detail={"programme": programme},
            )
        return ActiveCase(
            id=case_id,
            number=number,
            programme=programme,
            purpose=purpose,
            access_method=self.access_method,
            state=CaseState.SUBMITTED,
            opened_at=now,
            officer_id=officer.id,
            purpose_pending=True,
        )

    def check_documents(
        self, case: ActiveCase, officer: OfficerView, checklist: Mapping[str, bool]
    ) -> ActiveCase:
        """Step 2: the officer checked the request and its attachments.

        ``documents_ok`` is true only when every item of the checklist is ticked (an empty
        checklist ticks nothing). On a resumed returned case (step 9, the officer completes
        the file) the checklist is recorded again without a state change."""
        complete = bool(checklist) and all(checklist.values())
        with self._case_tx(case, durable=False) as session:
            if case.state is CaseState.FIXES_COMPLETED:
                row = self._row(session, case)
                self._audit.append(
                    session,
                    officer.username,
                    "case.documents_rechecked",
                    case_number=case.number,
                    detail={"complete": complete},
                )
                row.documents_ok = complete
            else:
                checked = {"documents_ok": complete}
                self._move(session, case, CaseAction.CHECK_DOCUMENTS, officer, values=checked)
            case.documents_ok = complete
        return case

    # ---------------------------------------------------------------- step 4
    def decide(
        self,
        case: ActiveCase,
        officer: OfficerView,
        decision: Decision,
        remark: str = "",
        *,
        reasons: Sequence[CaseReason] = (),
        confirmed_elements: Collection[str] = (),
        documents_match: bool = False,
        balikan_fields: Mapping[str, str] | None = None,
    ) -> ActiveCase:
        """Step 4: approve (4a), return for fixes (4b) or refuse.

        ``balikan_fields`` are the agreement's data balikan values typed with the decision
        (checked against the profile: required ones only when approved); they are kept
        on the held item and sent with it.

        What is stored is the decision and its ``reasons`` (a fixed list; a return or
        refusal without any is stored as "other"). The officer's ``remark`` stays in
        memory for the return slip, scrubbed of NIKs and of every word of the answer.

        Approval needs (Lampiran II step 4a): an answer that confirms the data, every
        required document ticked, each element where the card differs from Dukcapil in
        ``confirmed_elements`` (the officer checked it as "sesuai"), and — when the NIK was
        not read from a card, so nothing was compared — ``documents_match`` (the officer
        confirms the documents match the data shown). The confirmations are audited.
        """
        chosen, remark, fields, decided = self._decision(
            case, decision, remark, reasons, balikan_fields
        )
        # an approval only moves the case on (the issue that follows is durable); a return or
        # refusal sends the applicant away with a slip, so it must survive a power cut
        with self._case_tx(case, durable=decision is not Decision.APPROVE) as session:
            if fields is not None:
                self._outbox.set_fields(session, case.number, fields)
            if decision is Decision.APPROVE:
                confirmations = self._approval_checks(case, confirmed_elements, documents_match)
                # what the officer confirmed goes in the approval's own record
                self._move(
                    session,
                    case,
                    CaseAction.APPROVE,
                    officer,
                    extra=confirmations,
                    values=decided,
                )
            elif decision is Decision.RETURN:
                self._move(session, case, CaseAction.RETURN_FOR_FIXES, officer, values=decided)
                case.wipe()  # the applicant leaves: nothing of the answer stays
            else:
                self._move(session, case, CaseAction.REFUSE, officer, values=decided)
            self._keep_decision(case, decision, chosen, remark)
        return case

    def approve_and_issue(
        self,
        case: ActiveCase,
        officer: OfficerView,
        remark: str = "",
        *,
        reasons: Sequence[CaseReason] = (),
        confirmed_elements: Collection[str] = (),
        documents_match: bool = False,
        balikan_fields: Mapping[str, str] | None = None,
        document_number: str = "",
    ) -> ActiveCase:
        """Step 4a as the counter does it: approved and issued at once.

        The same checks as :meth:`decide` with an approval and :meth:`issue`, in one
        durable transaction: one UPDATE of the case row and one audit record,
        ``case.approve_issue``, holding what the officer confirmed."""
        chosen, remark, fields, decided = self._decision(
            case, Decision.APPROVE, remark, reasons, balikan_fields
        )
        number = self._document_number(case, document_number)
        with self._case_tx(case) as session:
            if fields is not None:
                self._outbox.set_fields(session, case.number, fields)
            confirmations = self._approval_checks(case, confirmed_elements, documents_match)
            self._move(
                session,
                case,
                CaseAction.APPROVE,
                officer,
                then=CaseAction.ISSUE,
                record="case.approve_issue",
                extra=confirmations,
                values={**decided, "document_number": number},
            )
            self._keep_decision(case, Decision.APPROVE, chosen, remark)
            case.document_number = number
        return case

    def _decision(
        self,
        case: ActiveCase,
        decision: Decision,
        remark: str,
        reasons: Sequence[CaseReason],
        balikan_fields: Mapping[str, str] | None,
    ) -> tuple[tuple[CaseReason, ...], str, tuple[FieldValue, ...] | None, dict[str, object]]:
        """The reasons kept, the scrubbed remark, the checked data balikan values and the
        row's columns of a decision (checked before anything is written)."""
        chosen = tuple(dict.fromkeys(reasons)) or (
            () if decision is Decision.APPROVE else (CaseReason.OTHER,)
        )
        remark = scrub(remark, case.answer_words()).strip()[:255]
        fields = (
            None
            if balikan_fields is None
            else balikan_owed.checked_fields(
                self.settings,
                balikan_fields,
                case.answer_words(),
                require=decision is Decision.APPROVE,
            )
        )
        decided: dict[str, object] = {
            "decision": decision.value,
            "reasons": encode_reasons(chosen) or None,
            "note": None,  # free text never reaches the disk
        }
        return chosen, remark, fields, decided

    @staticmethod
    def _keep_decision(
        case: ActiveCase, decision: Decision, chosen: tuple[CaseReason, ...], remark: str
    ) -> None:
        case.decision = decision.value
        case.reasons = chosen
        case.remark = remark
        case.note = None

    def differing_elements(self, case: ActiveCase) -> list[str]:
        """Element ids where the card read for this case differs from the Dukcapil record."""
        if case.last is None or case.last.record is None or not case.card_fields:
            return []
        rows = compare_elements(
            profile_of(self.settings.agreement.profile), case.last.record, case.card_fields
        )
        return [row.element_id for row in rows if row.match is False]

    def needs_documents_match(self, case: ActiveCase) -> bool:
        """True when nothing was compared automatically (a typed NIK, a plain lookup)."""
        last = case.last
        if last is None or last.via_portal or last.verdicts is not None:
            return False
        return case.nik_source != NikSource.CARD.value or not case.card_fields

    def _approval_checks(
        self, case: ActiveCase, confirmed: Collection[str], documents_match: bool
    ) -> dict[str, object]:
        """Refuse an approval the flowchart does not allow; what the officer confirmed."""
        if case.last is None or not case.last.confirms:
            raise NotIssuable()
        if case.documents_ok is not True:
            raise DocumentsIncomplete()
        differing = self.differing_elements(case)
        if not set(differing) <= set(confirmed):
            raise ElementsUnconfirmed(",".join(sorted(set(differing) - set(confirmed))))
        confirmations: dict[str, object] = {}
        if differing:
            confirmations["elements_sesuai"] = sorted(differing)
        if self.needs_documents_match(case):
            if not documents_match:
                raise DocumentsMatchUnconfirmed()
            confirmations["documents_match"] = True
        return confirmations

    # ---------------------------------------------------------------- step 4a
    def issue(
        self, case: ActiveCase, officer: OfficerView, document_number: str = ""
    ) -> ActiveCase:
        """Step 4a: the requested document is issued (numbered)."""
        number = self._document_number(case, document_number)
        with self._case_tx(case) as session:
            self._move(session, case, CaseAction.ISSUE, officer, values={"document_number": number})
            case.document_number = number
        return case

    @staticmethod
    def _document_number(case: ActiveCase, typed: str) -> str:
        """The number the document is issued under: the one typed (never a NIK or a word of
        the answer), else one made from the case number."""
        typed = typed.strip()
        if scrub(typed, case.answer_words()) != typed:
            raise NikNotAllowedHere()
        return (typed or f"DOK-{case.number}")[:64]
