"""The use-case API of one counter: open, check, look up, decide, issue, hand over, close.

Every lookup goes through :meth:`CaseService.look_up` (or, in web-portal mode,
:meth:`CaseService.record_portal_outcome`): an open case, a signed-in officer
with an NDA on file, a stated programme, the agreement in force, no lock-out,
the pattern guard and the quota — in that order — before anything is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.agreement_term import term_status
from app.domain.case_flow import CaseAction, CaseState, IllegalTransition, next_state
from app.domain.case_reasons import (
    CaseReason,
    decode_reasons,
    encode_reasons,
    override_reason,
    reason_labels,
)
from app.domain.guard_rules import LookupFingerprint
from app.domain.nik import Nik, parse_nik
from app.domain.outcomes import DATA_ACCESSED, OutcomeKind
from app.domain.scrub import answer_words, scrub
from app.services.audit import AuditTrail
from app.services.balikan.outbox import BalikanParams, Outbox
from app.services.cases.active import ActiveCase, LookupView, ReturnedCase, view_of
from app.services.cases.errors import (
    AgreementEnded,
    CaseError,
    GatewayUnavailable,
    GuardRefused,
    LookupBlocked,
    NikMismatch,
    NikNotAllowedHere,
    NotIssuable,
    NotPermittedByAgreement,
    ProgrammeNotListed,
    PurposeMissing,
    SupervisorRequired,
    VerifyElementsMissing,
    WrongAccessMethod,
)
from app.services.cases.port import GatewayAnswer, GatewayPort, GatewayTransportError
from app.services.clock import Clock, system_clock
from app.services.guard import PatternGuard
from app.services.keys import KeyRing
from app.services.lockouts import LockoutService
from app.services.officers import AccountDisabled, NdaMissing, OfficerError, OfficerView, Role
from app.services.persistence.models import CaseRow, LookupRow, Officer
from app.services.quota import QuotaCounter, QuotaExhausted
from app.services.settings import Settings

log = logging.getLogger(__name__)

RESIDENT_ANSWERS = frozenset(
    {
        OutcomeKind.FOUND,
        OutcomeKind.VERIFIED,
        OutcomeKind.DECEASED,
        OutcomeKind.DUPLICATE,
        OutcomeKind.NOT_FOUND,
        OutcomeKind.INACTIVE,
        OutcomeKind.INVALID_FORMAT,
    }
)

# Notes (keterangan) sent as data balikan: data for Dukcapil, always in Indonesian.
NOTE_RETURNED = "DIKEMBALIKAN UNTUK PERBAIKAN BERKAS"
NOTE_REFUSED = "DITOLAK"
NOTE_CANCELLED = "DIBATALKAN"
NOTE_INTERRUPTED = "DIBATALKAN (LAYANAN TERPUTUS)"
#: What a cancelled case stores: one of these, never the reason the officer typed.
CANCEL_NOTES = (NOTE_CANCELLED, NOTE_INTERRUPTED)
#: ``session.info`` key: the case rows this transaction already read and locked.
_LOCKED_ROWS = "loket_locked_case_rows"


class NikSource(Enum):
    """Where the NIK came from (R-26)."""

    CARD = "card"
    IKD = "ikd"
    TYPED = "typed"


class Decision(Enum):
    """The officer's verification decision (flowchart step 4)."""

    APPROVE = "approve"
    RETURN = "return"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class GuardOverride:
    """A supervisor allows one refused lookup, with a reason (twins, family at the counter)."""

    supervisor: OfficerView
    reason: str


def _default_guidance(kind: OutcomeKind, code: str | None) -> str:
    return kind.name if code is None else f"{kind.name} ({code})"


class CaseService:
    """One counter's use cases, sharing quota, guard, lock-outs and audit with all counters."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: sessionmaker[Session],
        keys: KeyRing,
        audit: AuditTrail,
        gateway: GatewayPort | None,
        guard: PatternGuard,
        quota: QuotaCounter,
        lockouts: LockoutService,
        outbox: Outbox,
        guidance: Callable[[OutcomeKind, str | None], str] = _default_guidance,
        clock: Clock = system_clock,
        on_balikan_queued: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self._sessions = sessions
        self._keys = keys
        self._audit = audit
        self._gateway = gateway
        self._guard = guard
        self._quota = quota
        self._lockouts = lockouts
        self._outbox = outbox
        self._guidance = guidance
        self._clock = clock
        self._on_balikan_queued = on_balikan_queued

    def _notify_owed(self, case: ActiveCase) -> None:
        """After the commit: tell the data balikan sender there may be work."""
        if case.data_accessed and self._on_balikan_queued is not None:
            self._on_balikan_queued()

    # ---------------------------------------------------------------- helpers
    @property
    def access_method(self) -> str:
        """``web_service`` or ``web_portal`` (R-24)."""
        return self.settings.agreement.access_method

    @contextmanager
    def _case_tx(self, case: ActiveCase) -> Iterator[Session]:
        """A transaction that also undoes the in-memory state change if it rolls back.

        Autoflush is off inside it: the case row's changes reach the database as one UPDATE
        at commit, not one per query that happens to follow a change (the queries inside a
        case step read rows committed by earlier steps, never its own pending ones).
        """
        saved_state, saved_history = case.state, list(case.history)
        try:
            with self._sessions.begin() as session, session.no_autoflush:
                yield session
        except BaseException:
            case.state, case.history = saved_state, saved_history
            raise

    def _row(self, session: Session, case: ActiveCase) -> CaseRow:
        """The case row, locked for this transaction (several counters share cases).

        Read (``SELECT … FOR UPDATE``) once per transaction; a further call in the same
        transaction takes it from the session's identity map without a statement.
        """
        transaction = session.get_transaction()
        held: tuple[object, dict[int, CaseRow]] | None = session.info.get(_LOCKED_ROWS)
        if held is None or held[0] is not transaction:
            held = (transaction, {})
            session.info[_LOCKED_ROWS] = held
        rows = held[1]
        row = rows.get(case.id)
        if row is None:
            row = session.execute(
                select(CaseRow).where(CaseRow.id == case.id).with_for_update()
            ).scalar_one()
            rows[case.id] = row
        return row

    def _settle_purpose(self, row: CaseRow, case: ActiveCase, words: frozenset[str]) -> None:
        """Store the stated purpose, scrubbed of the answer's words (typed before the answer
        was known, it may name the resident)."""
        if not case.purpose_pending:
            return
        case.purpose = scrub(case.purpose, words | case.answer_words()).strip()[:255]
        row.purpose = case.purpose or row.programme
        case.purpose_pending = False

    def _move(
        self, session: Session, case: ActiveCase, action: CaseAction, actor: OfficerView
    ) -> CaseRow:
        row = self._row(session, case)
        if action is not CaseAction.CHECK_DOCUMENTS:  # step 2 comes before any answer
            self._settle_purpose(row, case, frozenset())
        current = CaseState(row.state)
        target = next_state(current, action)
        row.state = target.value
        row.updated_at = self._clock()
        case.history.append(current)
        case.state = target
        self._audit.append(
            session,
            actor.username,
            f"case.{action.value}",
            case_number=case.number,
            nik_hash=row.nik_hash,
            detail={"from": current.value, "to": target.value},
        )
        return row

    def _check_may_serve(self, officer: OfficerView) -> None:
        if not officer.may_serve:
            raise NdaMissing(officer.username)

    def _check_term(self) -> None:
        agreement = self.settings.agreement
        status = term_status(
            self._clock().date(), agreement.start, agreement.end, agreement.renewal_limit
        )
        if not status.lookups_allowed:
            raise AgreementEnded(status.phase.value)

    def _check_lockouts(self, session: Session) -> None:
        active = self._lockouts.active(session)
        if active:
            raise LookupBlocked(active[0].kind, active[0].message)

    def _parse(self, nik_text: str) -> Nik:
        return parse_nik(nik_text, today=self._clock().date())

    # ---------------------------------------------------------------- steps 1-2
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
            row = CaseRow(
                number="pending",
                counter_id=self.settings.counter_id,
                officer_id=officer.id,
                programme=programme,
                purpose="",  # stored once the answer's words can be scrubbed from it
                access_method=self.access_method,
                state=CaseState.SUBMITTED.value,
                lookups=0,
                data_accessed=False,
                opened_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            row.number = f"{self.settings.counter_id}-{now:%Y%m%d}-{row.id:05d}"
            self._audit.append(
                session,
                officer.username,
                "case.opened",
                case_number=row.number,
                detail={"programme": programme},
            )
            return ActiveCase(
                id=row.id,
                number=row.number,
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
        """Step 2: the officer checked the request and its attachments."""
        with self._case_tx(case) as session:
            row = self._move(session, case, CaseAction.CHECK_DOCUMENTS, officer)
            row.documents_ok = all(checklist.values()) if checklist else True
            case.documents_ok = row.documents_ok
        return case

    # ---------------------------------------------------------------- step 3
    def _prepare_lookup(
        self,
        session: Session,
        case: ActiveCase,
        officer: OfficerView,
        nik: Nik,
        override: GuardOverride | None,
    ) -> tuple[CaseRow, LookupFingerprint, dict[str, str] | None]:
        self._check_account(session, officer)
        row = self._row(session, case)
        state = CaseState(row.state)
        next_state(state, CaseAction.CROSS_CHECK)  # raises if no lookup is possible now
        nik_hash = self._keys.nik_hash(nik.value)
        if row.nik_hash is not None and row.nik_hash != nik_hash:
            raise NikMismatch()
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

    def _check_account(self, session: Session, officer: OfficerView) -> None:
        """The officer's account as it is now (an administrator may have disabled it)."""
        current = session.get(Officer, officer.id)
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

    def _lookup_row(
        self, case: ActiveCase, officer: OfficerView, method: str, outcome: str
    ) -> LookupRow:
        """The counted record of one hit (no population data)."""
        return LookupRow(
            case_id=case.id,
            officer_id=officer.id,
            counter_id=self.settings.counter_id,
            at=self._clock(),
            method=method,
            outcome=outcome,
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
    ) -> None:
        """Guard, quota and audit in one transaction committed *before* the request."""
        try:
            with self._sessions.begin() as session:
                row, fingerprint, overridden = self._prepare_lookup(
                    session, case, officer, nik, override
                )
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
            session.add(self._lookup_row(case, officer, method, answer.kind.value))
            if answer.quota_left is not None:
                self._quota.resync(session, answer.quota_left)
            if answer.kind is OutcomeKind.QUOTA_EXHAUSTED:
                self._quota.mark_exhausted(session)
            self._lockouts.set_from_outcome(session, answer.kind, answer.code)
            self._audit.append(
                session,
                officer.username,
                "lookup.answered",
                case_number=case.number,
                nik_hash=row.nik_hash,
                detail={"outcome": answer.kind.value, "code": answer.code or ""},
            )
            row.last_outcome = answer.kind.value
            ended = CaseState(row.state) in (CaseState.CLOSED, CaseState.CANCELLED)
            if answer.kind in DATA_ACCESSED:
                row.data_accessed = True
                case.data_accessed = True
                if ended:  # cancelled while the answer travelled: owed at once
                    self._outbox.enqueue(
                        session,
                        case.number,
                        nik.value,
                        BalikanParams(programme=row.programme, note=NOTE_CANCELLED),
                    )
                else:
                    self._outbox.hold(session, case.number, nik.value)
            if answer.kind in RESIDENT_ANSWERS and not ended:
                self._move(session, case, CaseAction.CROSS_CHECK, officer)
        if ended or case.generation != generation:
            view.wipe()  # the screen was locked or the case ended: show nothing
            answer.wipe()
            return view
        if case.last is not None:
            case.last.wipe()
        case.last = view
        return view

    def look_up(
        self,
        case: ActiveCase,
        officer: OfficerView,
        nik_text: str,
        source: NikSource,
        *,
        override: GuardOverride | None = None,
        verify_elements: Mapping[str, str] | None = None,
    ) -> LookupView:
        """Step 3 (web service): query the gateway for this applicant's NIK."""
        if self.access_method != "web_service" or self._gateway is None:
            raise WrongAccessMethod()
        self._check_may_look_up(case, officer)
        nik = self._parse(nik_text)
        method = "verify" if verify_elements is not None else "lookup"
        if verify_elements is not None:
            verify_elements = {k: v.strip() for k, v in verify_elements.items() if v.strip()}
            if not verify_elements:
                raise VerifyElementsMissing()  # nothing to compare: no hit is spent
        permits = getattr(self._gateway, "permits", None)
        if callable(permits) and not permits(method, tuple(verify_elements or ())):
            raise NotPermittedByAgreement(method)  # refused before any hit is counted
        self._reserve_hit(case, officer, nik, source, override, method)
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
                session.add(self._lookup_row(case, officer, method, outcome))
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
    ) -> LookupView:
        """Step 3 (web portal, assisted): the officer looked the NIK up in the portal."""
        if self.access_method != "web_portal":
            raise WrongAccessMethod()
        self._check_may_look_up(case, officer)
        nik = self._parse(nik_text)
        self._reserve_hit(case, officer, nik, source, override, "portal")
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
        self, case: ActiveCase, officer: OfficerView, nik: Nik, *, demographic: bool
    ) -> ActiveCase:
        """A KTP-el was read at the counter for this case (R-17: reader use owes balikan).

        Only the NIK is taken from the card here; the card's fields stay with the
        reader's ``CardData`` in memory. A demographic read through the SAM counts as
        population data accessed, so data balikan becomes owed. Like a lookup, a card read
        needs the agreement in force (R-27).
        """
        self._check_may_look_up(case, officer)
        nik_hash = self._keys.nik_hash(nik.value)
        with self._sessions.begin() as session:
            row = self._row(session, case)
            if CaseState(row.state) in (CaseState.CLOSED, CaseState.CANCELLED):
                raise IllegalTransition(CaseState(row.state), CaseAction.CROSS_CHECK)
            if row.nik_hash is not None and row.nik_hash != nik_hash:
                raise NikMismatch()
            row.nik_hash = nik_hash
            row.nik_source = NikSource.CARD.value
            if demographic:
                row.data_accessed = True
                self._outbox.hold(session, case.number, nik.value)
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
    ) -> ActiveCase:
        """Step 4: approve (4a), return for fixes (4b) or refuse.

        What is stored is the decision and its ``reasons`` (a fixed list; a return or
        refusal without any is stored as "other"). The officer's ``remark`` stays in
        memory for the return slip, scrubbed of NIKs and of every word of the answer.
        """
        chosen = tuple(dict.fromkeys(reasons)) or (
            () if decision is Decision.APPROVE else (CaseReason.OTHER,)
        )
        remark = scrub(remark, case.answer_words()).strip()[:255]
        with self._case_tx(case) as session:
            row = self._row(session, case)
            if decision is Decision.APPROVE:
                if case.last is None or not case.last.confirms:
                    raise NotIssuable()
                self._move(session, case, CaseAction.APPROVE, officer)
            elif decision is Decision.RETURN:
                self._move(session, case, CaseAction.RETURN_FOR_FIXES, officer)
                case.wipe()  # the applicant leaves: nothing of the answer stays
            else:
                self._move(session, case, CaseAction.REFUSE, officer)
            row.decision = decision.value
            row.reasons = encode_reasons(chosen) or None
            row.note = None  # free text never reaches the disk
            case.decision = decision.value
            case.reasons = chosen
            case.remark = remark
            case.note = None
        return case

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
        if case.state is CaseState.HANDED_OVER or case.state is CaseState.ISSUED:
            # the document went (or was ready to go) to the applicant: finish, owe the number
            if case.state is CaseState.ISSUED:
                self.hand_over(case, officer)
            else:
                with self._sessions.begin() as session:
                    row = self._row(session, case)
                    self._queue_balikan(session, case, row, officer)
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
                self._move(session, case, CaseAction.COMPLETE_FIXES, officer)
                row.nik_source = source.value
        if mismatch:
            with self._sessions.begin() as session:  # the refusal is kept, not rolled back
                self._audit.append(
                    session, officer.username, "case.resume_nik_mismatch", case_number=case_number
                )
            raise NikMismatch()
        return case

    # ---------------------------------------------------------------- steps 4a-7
    def issue(
        self, case: ActiveCase, officer: OfficerView, document_number: str = ""
    ) -> ActiveCase:
        """Step 4a: the requested document is issued (numbered)."""
        typed = document_number.strip()
        if scrub(typed, case.answer_words()) != typed:
            raise NikNotAllowedHere()
        with self._case_tx(case) as session:
            row = self._move(session, case, CaseAction.ISSUE, officer)
            number = typed or f"DOK-{case.number}"
            row.document_number = number[:64]
            case.document_number = row.document_number
        return case

    def hand_over(
        self, case: ActiveCase, officer: OfficerView, recipient_number: str = ""
    ) -> ActiveCase:
        """Step 5, then step 6 at once: the document is handed over, data balikan queued."""
        if scrub(recipient_number, case.answer_words()) != recipient_number:
            raise NikNotAllowedHere()
        with self._case_tx(case) as session:
            row = self._move(session, case, CaseAction.HAND_OVER, officer)
            row.recipient_number = (recipient_number.strip() or row.document_number or "")[:64]
            case.recipient_number = row.recipient_number
            self._queue_balikan(session, case, row, officer)
        self._notify_owed(case)
        return case

    def _owed_params(self, row: CaseRow) -> BalikanParams:
        """The data balikan of a case: the recipient number, or why nothing was issued."""
        if row.state == CaseState.HANDED_OVER.value:
            return BalikanParams(programme=row.programme, number=row.recipient_number)
        if row.state == CaseState.REFUSED.value:
            return BalikanParams(programme=row.programme, note=NOTE_REFUSED)
        if row.decision == Decision.RETURN.value:
            return BalikanParams(programme=row.programme, note=NOTE_RETURNED)
        return BalikanParams(programme=row.programme, note=NOTE_CANCELLED)

    def _enqueue_owed(
        self, session: Session, case: ActiveCase, row: CaseRow, officer: OfficerView
    ) -> None:
        """Queue the one data balikan item owed when the resident's data was accessed."""
        if row.data_accessed:
            nik = case.nik.value if case.nik else self._stored_nik(session, row)
            item = self._outbox.enqueue(session, row.number, nik, self._owed_params(row))
            self._audit.append(
                session,
                officer.username,
                "balikan.queued",
                case_number=row.number,
                nik_hash=row.nik_hash,
                detail={"item": item.id},
            )

    def _queue_balikan(
        self, session: Session, case: ActiveCase, row: CaseRow, officer: OfficerView
    ) -> None:
        """Flowchart step 6 after hand-over (or a refusal of accessed data)."""
        self._enqueue_owed(session, case, row, officer)
        handed_over = row.state == CaseState.HANDED_OVER.value
        if handed_over or (row.state == CaseState.REFUSED.value and row.data_accessed):
            self._move(session, case, CaseAction.QUEUE_BALIKAN, officer)

    def _stored_nik(self, session: Session, row: CaseRow) -> str:
        """The NIK of a case whose applicant is not here, from its held outbox item."""
        nik = self._outbox.held_nik(session, row.number)
        if nik is None:
            raise CaseError("nik unavailable")
        return nik

    def close(self, case: ActiveCase, officer: OfficerView) -> ActiveCase:
        """Step 7: the service is done; population data leaves memory."""
        with self._case_tx(case) as session:
            row = self._row(session, case)
            if row.state == CaseState.REFUSED.value:
                self._queue_balikan(session, case, row, officer)
            row = self._move(session, case, CaseAction.CLOSE, officer)
            row.closed_at = self._clock()
        self._notify_owed(case)
        case.wipe()
        return case

    def cancel(self, case: ActiveCase, officer: OfficerView, reason: str) -> ActiveCase:
        """End the case without issuing; data balikan is still owed if data was accessed.

        The typed ``reason`` stays in memory (scrubbed) as the case's remark; the row stores
        only a fixed note (the typed text could name the resident).
        """
        case.remark = scrub(reason, case.answer_words()).strip()[:255]
        with self._case_tx(case) as session:
            row = self._move(session, case, CaseAction.CANCEL, officer)
            row.note = reason.strip() if reason.strip() in CANCEL_NOTES else NOTE_CANCELLED
            row.closed_at = self._clock()
            self._enqueue_owed(session, case, row, officer)
        self._notify_owed(case)
        case.wipe()
        return case

    def release(self, case: ActiveCase) -> None:
        """Lock or quit: forget the case's population data (the case itself stays open)."""
        case.wipe()


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
