"""The case as the UI holds it: persistent facts plus population data in memory only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.domain.case_flow import CaseAction, CaseState, allowed_actions
from app.domain.case_reasons import CaseReason
from app.domain.nik import Nik
from app.domain.outcomes import ISSUABLE, OutcomeKind
from app.domain.scrub import answer_words
from app.services.cases.port import GatewayAnswer


@dataclass
class LookupView:
    """One lookup's result as shown to the officer."""

    kind: OutcomeKind
    code: str | None
    gateway_message: str | None
    guidance: str
    record: dict[str, object] | None
    verdicts: dict[str, tuple[bool, int]] | None
    quota_left: int | None
    via_portal: bool = False
    documents_match: bool | None = None

    @property
    def mismatches(self) -> list[str]:
        """Verify by element: the keys answered "Tidak Sesuai" (empty otherwise)."""
        return [key for key, (ok, _score) in (self.verdicts or {}).items() if not ok]

    @property
    def confirms(self) -> bool:
        """True if this answer allows approving and issuing (R-25): found or verified, with
        every element matching and, from the portal, the documents matching."""
        if self.kind not in ISSUABLE:
            return False
        if self.via_portal and not self.documents_match:
            return False
        return not self.mismatches

    def wipe(self) -> None:
        """Forget the record."""
        if self.record is not None:
            self.record.clear()
        self.record = None
        self.verdicts = None


@dataclass
class ActiveCase:
    """An open case. ``nik`` and ``last`` (with the record) never leave memory."""

    id: int
    number: str
    programme: str
    purpose: str
    access_method: str
    state: CaseState
    opened_at: datetime
    officer_id: int
    nik_source: str | None = None
    nik: Nik | None = None
    lookups: int = 0
    data_accessed: bool = False
    last: LookupView | None = None
    documents_ok: bool | None = None
    document_number: str | None = None
    recipient_number: str | None = None
    decision: str | None = None
    note: str | None = None
    #: Why the case was returned or refused (stored as codes).
    reasons: tuple[CaseReason, ...] = ()
    #: The officer's remark for the return slip: memory only, scrubbed, never stored.
    remark: str = ""
    history: list[CaseState] = field(default_factory=list)
    #: The purpose typed at opening is stored only once the answer's words are known
    #: (or when the case moves on): until then the row holds "".
    purpose_pending: bool = False
    #: Bumped by every wipe: an answer that arrives after a lock or release is not shown.
    generation: int = 0
    #: The demographic fields of the KTP-el read for this case (memory only): compared with
    #: the Dukcapil record before approval (Lampiran II step 4a/4b).
    card_fields: dict[str, str] | None = None
    #: The statement was printed at least once (hand-over needs it on paper).
    statement_printed: bool = False

    @property
    def allowed(self) -> list[CaseAction]:
        """What can be done next."""
        return allowed_actions(self.state)

    @property
    def masked_nik(self) -> str | None:
        """The NIK as it may be shown outside the case screen."""
        return self.nik.masked() if self.nik else None

    def answer_words(self) -> frozenset[str]:
        """The words of the answer held in memory (what free text must not repeat)."""
        return answer_words(self.last.record if self.last is not None else None)

    def wipe(self) -> None:
        """Forget every piece of population data held by this case."""
        if self.last is not None:
            self.last.wipe()
        self.last = None
        self.nik = None
        if self.card_fields is not None:
            self.card_fields.clear()
        self.card_fields = None
        self.generation += 1


@dataclass(frozen=True, slots=True)
class ReturnedCase:
    """A case waiting for the applicant to come back with fixed documents (no personal data)."""

    number: str
    programme: str
    note: str | None
    returned_at: datetime
    officer_id: int
    reasons: tuple[CaseReason, ...] = ()


def view_of(answer: GatewayAnswer, guidance: str) -> LookupView:
    """Turn a gateway answer into what the case keeps in memory."""
    return LookupView(
        kind=answer.kind,
        code=answer.code,
        gateway_message=answer.message,
        guidance=guidance,
        record=answer.record,
        verdicts=dict(answer.verdicts) if answer.verdicts else None,
        quota_left=answer.quota_left,
    )
