"""The shared core of the case API: its collaborators, transactions and state moves."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from app.domain.access import AccessGrants
from app.domain.agreement_term import term_status
from app.domain.case_flow import CaseAction, CaseState, IllegalTransition, next_state
from app.domain.nik import Nik, parse_nik
from app.domain.outcomes import OutcomeKind
from app.domain.scrub import scrub
from app.services.access import grants_for
from app.services.audit import AuditTrail
from app.services.balikan.outbox import Outbox
from app.services.cases.active import ActiveCase
from app.services.cases.errors import (
    AgreementEnded,
    LookupBlocked,
)
from app.services.cases.kinds import default_guidance
from app.services.cases.port import GatewayPort
from app.services.cases.row import (
    CaseFacts,
    held_case_row,
    install_row_writer,
    move_case_row,
    read_case_row,
)
from app.services.clock import Clock, system_clock
from app.services.guard import PatternGuard
from app.services.keys import KeyRing
from app.services.lockouts import LockoutService
from app.services.officers import NdaMissing, OfficerView
from app.services.persistence.db import relax_commit
from app.services.quota import QuotaCounter
from app.services.settings import Settings


class CaseServiceBase:
    """What every part of the case API shares: the services it uses and the state moves."""

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
        guidance: Callable[[OutcomeKind, str | None], str] = default_guidance,
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
        self._grants: AccessGrants | None = None
        install_row_writer(sessions)  # each commit writes the case row it changed, once

    def _notify_owed(self, case: ActiveCase) -> None:
        """After the commit: tell the data balikan sender there may be work."""
        if case.data_accessed and self._on_balikan_queued is not None:
            self._on_balikan_queued()

    # ---------------------------------------------------------------- helpers
    @property
    def access_method(self) -> str:
        """``web_service`` or ``web_portal`` (R-24)."""
        return self.settings.agreement.access_method

    @property
    def grants(self) -> AccessGrants:
        """Which access method the agreement grants by which channel (issue 15)."""
        if self._grants is None:
            self._grants = grants_for(self.settings)
        return self._grants

    @contextmanager
    def _case_tx(self, case: ActiveCase, *, durable: bool = True) -> Iterator[Session]:
        """A transaction that also undoes the in-memory state change if it rolls back.

        ``durable=False`` for a step with no effect outside the database: its commit does
        not wait for the disk (:func:`relax_commit`).

        Autoflush is off inside it: the case row's changes reach the database as one UPDATE
        at commit, not one per query that happens to follow a change (the queries inside a
        case step read rows committed by earlier steps, never its own pending ones).
        """
        saved_state, saved_history = case.state, list(case.history)
        try:
            with self._sessions.begin() as session, session.no_autoflush:
                if not durable:
                    relax_commit(session)
                yield session
        except BaseException:
            case.state, case.history = saved_state, saved_history
            raise

    def _row(self, session: Session, case: ActiveCase) -> CaseFacts:
        """The case row, locked for this transaction (several counters share cases).

        Read (``SELECT … FOR UPDATE``, Core) once per transaction; its changes reach the
        database as one UPDATE at commit (:mod:`app.services.cases.row`)."""
        return read_case_row(session, case.id)

    def _settle_purpose(self, row: CaseFacts, case: ActiveCase, words: frozenset[str]) -> None:
        """Store the stated purpose, scrubbed of the answer's words (typed before the answer
        was known, it may name the resident)."""
        if not case.purpose_pending:
            return
        case.purpose = scrub(case.purpose, words | case.answer_words()).strip()[:255]
        row.purpose = case.purpose or row.programme
        case.purpose_pending = False

    def _move(
        self,
        session: Session,
        case: ActiveCase,
        action: CaseAction,
        actor: OfficerView,
        *,
        then: CaseAction | Sequence[CaseAction] | None = None,
        record: str | None = None,
        extra: Mapping[str, object] | None = None,
        nik_hash: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> CaseFacts:
        """Move the case (:meth:`_shift`) and write the step's one audit record, ``record``
        (default ``case.<action>``) with ``from``/``to`` and the ``extra`` facts.

        A step's record names the case, not the resident: the case row holds the NIK hash
        (the record of processing finds the case's records through it). ``nik_hash`` is
        given only when the record is about the resident's data itself (an answer, a data
        balikan item)."""
        row, moved_from = self._shift(session, case, action, then=then, values=values)
        record = record or f"case.{action.value}"
        self._record_move(session, case, actor, record, moved_from, extra=extra, nik_hash=nik_hash)
        return row

    def _record_move(
        self,
        session: Session,
        case: ActiveCase,
        actor: OfficerView,
        record: str,
        moved_from: CaseState,
        *,
        extra: Mapping[str, object] | None = None,
        nik_hash: str | None = None,
    ) -> None:
        """The audit record of a move from ``moved_from`` to where the case is now."""
        detail: dict[str, object] = {"from": moved_from.value, "to": case.state.value}
        if extra:
            detail.update(extra)
        self._audit.append(
            session,
            actor.username,
            record,
            case_number=case.number,
            nik_hash=nik_hash,
            detail=detail,
        )

    def _shift(
        self,
        session: Session,
        case: ActiveCase,
        action: CaseAction,
        *,
        then: CaseAction | Sequence[CaseAction] | None = None,
        values: Mapping[str, object] | None = None,
    ) -> tuple[CaseFacts, CaseState]:
        """Move the case by ``action`` (and ``then``, the moves that follow it in the same
        step, one action or several): one ``UPDATE … WHERE id = … AND state = …`` of the row
        with ``values`` (the step's other columns), which returns the row (no SELECT before
        it). The row and the state the case moved from come back; nothing is audited here.

        The state the move starts from is the one this transaction read, else the one the
        case holds in memory; when the row is no longer in it (changed at another counter),
        it is read and the move goes from the state it is in (or is refused), as before."""
        held = held_case_row(session, case.id)
        believed = CaseState(held.state) if held is not None else case.state
        columns: dict[str, object] = dict(values or {})
        if action is not CaseAction.CHECK_DOCUMENTS and case.purpose_pending:
            # step 2 comes before any answer; later steps store the purpose, scrubbed
            case.purpose = scrub(case.purpose, case.answer_words()).strip()[:255]
            columns["purpose"] = case.purpose or case.programme
            case.purpose_pending = False
        following: tuple[CaseAction, ...] = (
            () if then is None else (then,) if isinstance(then, CaseAction) else tuple(then)
        )
        current, row = believed, None
        planned = self._target(believed, action, following)
        if planned is not None:
            moved = {**columns, "state": planned.value, "updated_at": self._clock()}
            row = move_case_row(session, case.id, believed.value, moved)
        if row is None:  # the row is not in the state believed: read it, move from there
            row = self._row(session, case)
            current = CaseState(row.state)
            planned = next_state(current, action)  # raises when not possible from there
            for step in following:
                planned = next_state(planned, step)
            for name, value in columns.items():
                setattr(row, name, value)
            row.state = planned.value
            row.updated_at = self._clock()
        assert planned is not None  # moved by the UPDATE, or from the state read
        case.history.append(current)
        passed = current
        for step in (action, *following[:-1]) if following else ():
            passed = next_state(passed, step)
            case.history.append(passed)
        case.state = planned
        return row, current

    @staticmethod
    def _target(
        current: CaseState, action: CaseAction, following: Sequence[CaseAction]
    ) -> CaseState | None:
        """Where ``action`` (then each of ``following``) leads from ``current``; None when
        not possible."""
        try:
            target = next_state(current, action)
            for step in following:
                target = next_state(target, step)
            return target
        except IllegalTransition:
            return None

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
