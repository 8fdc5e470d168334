"""Step 3 of the case API: card reads, lookups (web service, portal) and NIK corrections."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from app.domain.access import WEB_PORTAL, WEB_SERVICE
from app.domain.case_flow import CaseAction, CaseState, IllegalTransition, next_state
from app.domain.case_reasons import override_reason
from app.domain.guard_rules import LookupFingerprint
from app.domain.nik import Nik
from app.domain.outcomes import DATA_ACCESSED, OutcomeKind
from app.domain.scrub import answer_words
from app.services.cases import balikan_owed
from app.services.cases.access import portal_method, require_granted
from app.services.cases.active import ActiveCase, LookupView, view_of
from app.services.cases.base import CaseServiceBase
from app.services.cases.errors import (
    CaseError,
    GatewayUnavailable,
    GuardRefused,
    LookupBlocked,
    NikCorrectionReasonRequired,
    NikCorrectionTooLate,
    NikMismatch,
    NotPermittedByAgreement,
    SupervisorRequired,
    VerifyElementsMissing,
    WrongAccessMethod,
)
from app.services.cases.kinds import (
    CORRECTABLE,
    RESIDENT_ANSWERS,
    GuardOverride,
    NikCorrection,
    NikSource,
)
from app.services.cases.port import GatewayAnswer, GatewayTransportError
from app.services.cases.row import CaseFacts
from app.services.officers import AccountDisabled, NdaMissing, OfficerError, OfficerView, Role
from app.services.persistence.models import LookupRow, Officer
from app.services.quota import QuotaExhausted

# Built once (compiled forms cached): the hot statements of a lookup.
_ACCOUNT = select(Officer.active, Officer.nda_date, Officer.nda_reference).where(
    Officer.id == bindparam("officer_id")
)
_INSERT_LOOKUP = insert(LookupRow)


class LookupPart(CaseServiceBase):
    """Looking a NIK up: guard, quota and audit before anything is sent."""

    def _prepare_lookup(
        self,
        session: Session,
        case: ActiveCase,
        officer: OfficerView,
        nik: Nik,
        override: GuardOverride | None,
        correction: NikCorrection | None = None,
    ) -> tuple[CaseFacts, LookupFingerprint, dict[str, str] | None]:
        self._check_account(session, officer)
        row = self._row(session, case)
        state = CaseState(row.state)
        next_state(state, CaseAction.CROSS_CHECK)  # raises if no lookup is possible now
        nik_hash = self._keys.nik_hash(nik.value)
        if row.nik_hash is not None and row.nik_hash != nik_hash:
            self._check_correction(state, correction)
        self._check_lockouts(session)
        fingerprint = self._guard.fingerprint(nik.value, officer.id, self._clock())
        verdict = self._guard.check(session, fingerprint)
        overridden: dict[str, str] | None = None
        if not verdict.allowed:
            if override is not None and verdict.overridable:
                if not override.supervisor.has_role(Role.SUPERVISOR):
                    raise SupervisorRequired()
                if not override.reason.strip():
                    raise SupervisorRequired("reason")
                overridden = {
                    "rule": verdict.rule.value if verdict.rule else "",
                    # a code from the fixed list: typed text never reaches the audit trail
                    "reason": override_reason(override.reason).value,
                    "officer": officer.username,
                    "supervisor": override.supervisor.username,
                }
            else:
                raise GuardRefused(
                    verdict.message,
                    verdict.overridable,
                    verdict.retry_after_seconds,
                    rule=verdict.rule.value if verdict.rule else "",
                    nik_hash=nik_hash,
                )
        return row, fingerprint, overridden

    @staticmethod
    def _check_correction(state: CaseState, correction: NikCorrection | None) -> None:
        """A different NIK in the same case: before any decision, and with a reason."""
        if state is CaseState.FIXES_COMPLETED:
            raise NikMismatch()  # a returned case continues for the same resident only
        if state not in CORRECTABLE:
            raise NikCorrectionTooLate()
        if correction is None:
            raise NikCorrectionReasonRequired()

    def _check_account(self, session: Session, officer: OfficerView) -> None:
        """The officer's account as it is now (an administrator may have disabled it)."""
        current = session.connection().execute(_ACCOUNT, {"officer_id": officer.id}).first()
        if current is None or not current.active:
            raise AccountDisabled(officer.username)
        if current.nda_date is None or not current.nda_reference:
            raise NdaMissing(officer.username)

    def _check_may_look_up(self, case: ActiveCase, officer: OfficerView) -> None:
        """NDA on file and the agreement in force; a refusal is audited."""
        try:
            self._check_may_serve(officer)
            self._check_term()
        except (CaseError, OfficerError) as refusal:
            self._audit_refusal(officer, case, refusal, None)
            raise

    def _require_granted(
        self, case: ActiveCase, officer: OfficerView, method: str, channel: str
    ) -> None:
        """The agreement grants ``method`` by ``channel``; a refusal is audited."""
        try:
            require_granted(self.grants, method, channel)
        except CaseError as refusal:
            self._audit_refusal(officer, case, refusal, None)
            raise

    def _add_lookup_row(
        self, session: Session, case: ActiveCase, officer: OfficerView, method: str, outcome: str
    ) -> None:
        """The counted record of one hit (no population data), inserted at once (Core)."""
        session.connection().execute(
            _INSERT_LOOKUP,
            {
                "case_id": case.id,
                "officer_id": officer.id,
                "counter_id": self.settings.counter_id,
                "at": self._clock(),
                "method": method,
                "outcome": outcome,
            },
        )

    def _audit_refusal(
        self, officer: OfficerView, case: ActiveCase, error: Exception, nik_hash: str | None
    ) -> None:
        """A refused lookup leaves a trace (in its own transaction: the refused one rolled back)."""
        with self._sessions.begin() as session:
            if isinstance(error, GuardRefused):
                action, detail = "guard.refused", {"rule": error.rule}
            elif isinstance(error, QuotaExhausted):
                self._lockouts.set_from_outcome(session, OutcomeKind.QUOTA_EXHAUSTED, None)
                action, detail = "quota.refused", {}
            else:
                action, detail = "lookup.refused", {"reason": type(error).__name__}
            self._audit.append(
                session,
                officer.username,
                action,
                case_number=case.number,
                nik_hash=nik_hash,
                detail=detail,
            )

    def _reserve_hit(
        self,
        case: ActiveCase,
        officer: OfficerView,
        nik: Nik,
        source: NikSource,
        override: GuardOverride | None,
        method: str,
        correction: NikCorrection | None = None,
    ) -> None:
        """Guard, quota and audit in one transaction committed *before* the request."""
        try:
            with self._sessions.begin() as session:
                row, fingerprint, overridden = self._prepare_lookup(
                    session, case, officer, nik, override, correction
                )
                if row.nik_hash is not None and row.nik_hash != fingerprint.nik_hash:
                    assert correction is not None  # checked in _prepare_lookup
                    self._audit.append(
                        session,
                        officer.username,
                        "case.nik_corrected",
                        case_number=case.number,
                        nik_hash=fingerprint.nik_hash,
                        detail={"reason": correction.value, "previous": row.nik_hash},
                    )
                    self._forget_answer(case)
                self._quota.reserve(session)
                if overridden is not None and override is not None:
                    self._audit.append(  # after the quota row: one lock order everywhere
                        session,
                        override.supervisor.username,
                        "guard.override",
                        case_number=case.number,
                        nik_hash=fingerprint.nik_hash,
                        detail=overridden,
                    )
                self._guard.record(session, fingerprint)
                row.nik_hash = fingerprint.nik_hash
                row.nik_source = source.value
                row.lookups += 1
                row.updated_at = self._clock()
                self._audit.append(
                    session,
                    officer.username,
                    "lookup.sent",
                    case_number=case.number,
                    nik_hash=fingerprint.nik_hash,
                    detail={"method": method, "source": source.value},
                )
        except (CaseError, OfficerError, QuotaExhausted, IllegalTransition) as refusal:
            nik_hash = refusal.nik_hash if isinstance(refusal, GuardRefused) else None
            self._audit_refusal(officer, case, refusal, nik_hash or self._keys.nik_hash(nik.value))
            raise
        case.nik = nik
        case.nik_source = source.value
        case.lookups += 1

    @staticmethod
    def _forget_answer(case: ActiveCase) -> None:
        """A corrected NIK: the previous resident's answer and card leave memory."""
        if case.last is not None:
            case.last.wipe()
        case.last = None
        if case.card_fields is not None:
            case.card_fields.clear()
        case.card_fields = None

    def _record_answer(
        self,
        case: ActiveCase,
        officer: OfficerView,
        nik: Nik,
        answer: GatewayAnswer,
        method: str,
        generation: int,
    ) -> LookupView:
        """Record an answer — also when the case was released or ended while it travelled:
        the hit, its audit record and the data balikan it makes owed are never lost."""
        view = view_of(answer, answer.guidance or self._guidance(answer.kind, answer.code))
        with self._case_tx(case) as session:
            row = self._row(session, case)
            self._settle_purpose(row, case, answer_words(answer.record))
            self._add_lookup_row(session, case, officer, method, answer.kind.value)
            if answer.quota_left is not None:
                self._quota.resync(session, answer.quota_left)
            if answer.kind is OutcomeKind.QUOTA_EXHAUSTED:
                self._quota.mark_exhausted(session)
            self._lockouts.set_from_outcome(session, answer.kind, answer.code)
            row.last_outcome = answer.kind.value
            ended = CaseState(row.state) in (CaseState.CLOSED, CaseState.CANCELLED)
            accessed = answer.kind in DATA_ACCESSED
            if accessed:  # set before the move: one UPDATE of the row carries it all
                row.data_accessed = True
                case.data_accessed = True
            answered = {"outcome": answer.kind.value, "code": answer.code or ""}
            if answer.kind in RESIDENT_ANSWERS and not ended:
                # the answer and the cross-check it allows: one record of one step
                self._move(
                    session,
                    case,
                    CaseAction.CROSS_CHECK,
                    officer,
                    record="lookup.answered",
                    extra=answered,
                    nik_hash=row.nik_hash,
                )
            else:
                self._audit.append(
                    session,
                    officer.username,
                    "lookup.answered",
                    case_number=case.number,
                    nik_hash=row.nik_hash,
                    detail=answered,
                )
            if accessed:
                if ended:  # cancelled while the answer travelled: owed at once
                    self._outbox.enqueue(
                        session, case.number, nik.value, balikan_owed.owed_params(row)
                    )
                else:
                    self._hold_owed(session, case, officer, nik, row.nik_hash)
        if ended or case.generation != generation:
            view.wipe()  # the screen was locked or the case ended: show nothing
            answer.wipe()
            return view
        if case.last is not None:
            case.last.wipe()
        case.last = view
        return view

    def _hold_owed(
        self,
        session: Session,
        case: ActiveCase,
        officer: OfficerView,
        nik: Nik,
        nik_hash: str | None,
    ) -> None:
        """Hold the data balikan item owed for the resident whose data was just accessed;
        a held item of a NIK corrected since takes this one (audited, by hash only)."""
        held = self._outbox.hold(session, case.number, nik.value)
        if held.replaced:
            self._audit.append(
                session,
                officer.username,
                "balikan.nik_replaced",
                case_number=case.number,
                nik_hash=nik_hash,
                detail={"item": held.id},
            )

    def look_up(
        self,
        case: ActiveCase,
        officer: OfficerView,
        nik_text: str,
        source: NikSource,
        *,
        override: GuardOverride | None = None,
        verify_elements: Mapping[str, str] | None = None,
        correction: NikCorrection | None = None,
    ) -> LookupView:
        """Step 3 (web service): query the gateway for this applicant's NIK.

        A NIK different from the one already checked in this case is a correction: allowed
        before any decision, with ``correction`` (why), as a new counted lookup."""
        method = "verify" if verify_elements is not None else "lookup"
        self._require_granted(case, officer, method, WEB_SERVICE)  # fail closed, nothing sent
        if self._gateway is None:
            raise WrongAccessMethod()
        self._check_may_look_up(case, officer)
        nik = self._parse(nik_text)
        if verify_elements is not None:
            verify_elements = {k: v.strip() for k, v in verify_elements.items() if v.strip()}
            if not verify_elements:
                raise VerifyElementsMissing()  # nothing to compare: no hit is spent
        permits = getattr(self._gateway, "permits", None)
        if callable(permits) and not permits(method, tuple(verify_elements or ())):
            raise NotPermittedByAgreement(method)  # refused before any hit is counted
        self._reserve_hit(case, officer, nik, source, override, method, correction)
        generation = case.generation  # a lock or release while the answer travels bumps it
        try:
            if verify_elements is not None:
                answer = self._gateway.verify(nik.value, verify_elements)
            else:
                answer = self._gateway.lookup(nik.value)
        except Exception as error:  # transport failure, or anything else after the hit
            with self._sessions.begin() as session:
                transport = isinstance(error, GatewayTransportError)
                outcome = "transport_error" if transport else "error"
                self._add_lookup_row(session, case, officer, method, outcome)
                self._audit.append(
                    session,
                    officer.username,
                    "lookup.failed",
                    case_number=case.number,
                    detail={"error": type(error).__name__},
                )
            detail = error.detail if isinstance(error, GatewayTransportError) else ""
            raise GatewayUnavailable(detail or type(error).__name__) from error
        return self._record_answer(case, officer, nik, answer, method, generation)

    def record_portal_outcome(
        self,
        case: ActiveCase,
        officer: OfficerView,
        nik_text: str,
        source: NikSource,
        kind: OutcomeKind,
        documents_match: bool,
        *,
        override: GuardOverride | None = None,
        correction: NikCorrection | None = None,
        method: str | None = None,
    ) -> LookupView:
        """Step 3 (web portal, assisted): the officer looked the NIK up in the portal
        (``method`` "lookup" or "verify"; default: the one the agreement grants by portal)."""
        method = method or portal_method(self.grants)
        self._require_granted(case, officer, method, WEB_PORTAL)
        self._check_may_look_up(case, officer)
        nik = self._parse(nik_text)
        self._reserve_hit(case, officer, nik, source, override, "portal", correction)
        answer = GatewayAnswer(kind=kind)
        view = self._record_answer(case, officer, nik, answer, "portal", case.generation)
        view.via_portal = True
        view.documents_match = documents_match
        with self._sessions.begin() as session:
            row = self._row(session, case)
            row.documents_ok = bool(row.documents_ok) and documents_match
        return view

    def may_read_card(self, officer: OfficerView) -> bool:
        """True when a card may be read now; else raise why not (NDA, agreement term R-27).

        The UI asks before it reads, so nothing is read from a KTP-el after the end date."""
        self._check_may_serve(officer)
        self._check_term()
        with self._sessions() as session:  # a decommissioned counter reads no card
            for lockout in self._lockouts.active(session):
                if lockout.kind == "decommissioned":
                    raise LookupBlocked(lockout.kind, lockout.message)
        return True

    def record_card_read(
        self,
        case: ActiveCase,
        officer: OfficerView,
        nik: Nik,
        *,
        demographic: bool,
        card_fields: Mapping[str, str] | None = None,
    ) -> ActiveCase:
        """A KTP-el was read at the counter for this case (R-17: reader use owes balikan).

        Only the NIK is taken from the card here; the card's fields stay with the
        reader's ``CardData`` in memory. A demographic read through the SAM counts as
        population data accessed, so data balikan becomes owed. Like a lookup, a card read
        needs the agreement in force (R-27). ``card_fields`` (memory only) are compared with
        the Dukcapil record before approval. A different card before any decision corrects
        the case's NIK (audited); the next lookup of it is counted as usual.
        """
        self._check_may_look_up(case, officer)
        nik_hash = self._keys.nik_hash(nik.value)
        with self._sessions.begin() as session:
            row = self._row(session, case)
            state = CaseState(row.state)
            if state in (CaseState.CLOSED, CaseState.CANCELLED):
                raise IllegalTransition(state, CaseAction.CROSS_CHECK)
            if row.nik_hash is not None and row.nik_hash != nik_hash:
                self._check_correction(state, NikCorrection.CARD_READ)
                self._audit.append(
                    session,
                    officer.username,
                    "case.nik_corrected",
                    case_number=case.number,
                    nik_hash=nik_hash,
                    detail={"reason": NikCorrection.CARD_READ.value, "previous": row.nik_hash},
                )
                self._forget_answer(case)
            row.nik_hash = nik_hash
            row.nik_source = NikSource.CARD.value
            if demographic:
                row.data_accessed = True
                self._hold_owed(session, case, officer, nik, nik_hash)
                case.data_accessed = True
            self._audit.append(
                session,
                officer.username,
                "card.read",
                case_number=case.number,
                nik_hash=nik_hash,
                detail={"demographic": demographic},
            )
        case.nik = nik
        case.nik_source = NikSource.CARD.value
        if case.card_fields is not None:
            case.card_fields.clear()
        case.card_fields = dict(card_fields) if card_fields else None
        return case
