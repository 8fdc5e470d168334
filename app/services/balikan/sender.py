"""The background sender: delivers pending outbox items to the data balikan web service.

Exactly once, across crashes: items are claimed and marked sent (attempt counted) in a
committed transaction *before* their request; answers are acknowledged in another. An item
killed between the two stays pending with ``sent_at`` set and is sent again; the gateway
then answers "Data sudah pernah dikirim", which counts as delivered. So an item is never
lost and never delivered twice as a new item; within one claim it is sent at most once.

Throughput: up to ``max_in_flight`` requests are in flight at once on kept-alive
connections, each paced by the link governor (no request starts while a lookup is in
flight). The first request of a send goes alone: a wrong certificate or token then stops
the whole send after one handshake, before any other connection is opened.
"""

from __future__ import annotations

import logging
import os
import queue
import random
import socket
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.balikan.client import (
    BalikanClient,
    BalikanTlsError,
    OutgoingItem,
    StoreAnswer,
    Verdict,
)
from app.services.balikan.outbox import DEFAULT_LEASE, VIA_WEB_SERVICE, Outbox, retry_delay
from app.services.link import LinkGovernor
from app.services.persistence.models import BalikanItem

log = logging.getLogger(__name__)

SENDER_ACTOR = "system:balikan"
Hook = Callable[[str], None]
Pair = tuple[BalikanItem, OutgoingItem]
#: Bytes an answer is expected to take (status line, headers, short JSON body).
ANSWER_ESTIMATE = 300
TLS_REFUSED = "TLS: certificate not the pinned one"
#: Requests' worth of items claimed in one transaction.
CLAIM_AHEAD = 8


@dataclass
class SendReport:
    """What one round of sending did (counts only)."""

    delivered: int = 0
    duplicates: int = 0
    retried: int = 0
    attention: int = 0
    requests: int = 0
    bytes_moved: int = 0
    unauthorised: bool = False
    tls_refused: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def settled(self) -> int:
        """Items that left the queue as delivered (new or already known)."""
        return self.delivered + self.duplicates

    @property
    def stopped(self) -> bool:
        """The send stopped on a fault no item is to blame for (token or certificate)."""
        return self.unauthorised or self.tls_refused

    def add(self, other: SendReport) -> None:
        """Accumulate another report."""
        self.delivered += other.delivered
        self.duplicates += other.duplicates
        self.retried += other.retried
        self.attention += other.attention
        self.requests += other.requests
        self.bytes_moved += other.bytes_moved
        self.unauthorised = self.unauthorised or other.unauthorised
        self.tls_refused = self.tls_refused or other.tls_refused
        self.reasons.extend(other.reasons)


@dataclass
class _Outcome:
    """What one worker did with one claimed group."""

    answered: list[tuple[list[Pair], StoreAnswer]] = field(default_factory=list)
    released: list[Pair] = field(default_factory=list)
    tls_refused: bool = False
    error: BaseException | None = None


def claimer_name(counter_id: str) -> str:
    """This process's claim tag: counter, host and process id."""
    return f"{counter_id}#{socket.gethostname()[:20]}#{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BalikanSender:
    """Sends due items in the configured body shape, paced by the link governor."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        client: BalikanClient,
        *,
        counter_id: str,
        shape: str = "form",
        batch_size: int = 25,
        max_in_flight: int = 4,
        governor: LinkGovernor | None = None,
        audit: AuditTrail | None = None,
        retry_base: float = 30.0,
        retry_cap: float = 3600.0,
        lease: timedelta = DEFAULT_LEASE,
        rng: random.Random | None = None,
        hook: Hook | None = None,
    ) -> None:
        if shape not in ("form", "batch"):
            raise ValueError("shape must be form or batch")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._sessions = sessions
        self._outbox = outbox
        self._client = client
        self.counter_id = counter_id
        self.claimer = claimer_name(counter_id)
        self.shape = shape
        self.batch_size = batch_size if shape == "batch" else 1
        self.max_in_flight = max_in_flight
        self.governor = governor
        self._audit = audit
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._lease = lease
        self._rng = rng or random.Random()
        self._hook = hook
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report = SendReport()
        self.last_problem: str | None = None

    # -- recovery -------------------------------------------------------------------------
    def recover(self) -> int:
        """Free claims left by earlier processes of this counter on this host (crashed)."""
        prefix = f"{self.counter_id}#{socket.gethostname()[:20]}#"
        with self._sessions.begin() as session:
            dead = []
            for claimer in self._outbox.claimers(session):
                if not claimer.startswith(prefix) or claimer == self.claimer:
                    continue
                pid_text = claimer.rsplit("#", 1)[-1]
                if not pid_text.isdigit() or not _pid_alive(int(pid_text)):
                    dead.append(claimer)
            freed = self._outbox.release_claims(session, dead)
        if freed:
            log.info("data balikan: %d item(s) of an interrupted sender are due again", freed)
        return freed

    # -- one round ------------------------------------------------------------------------
    def send_once(
        self, stop: threading.Event | None = None, max_items: int | None = None
    ) -> SendReport:
        """Send every due item (or ``max_items``); return what happened."""
        report = SendReport()
        _Round(self, stop if stop is not None else threading.Event(), max_items, report).run()
        self.last_report = report
        self.last_problem = report.reasons[-1] if report.stopped and report.reasons else None
        if report.requests:
            log.info(
                "data balikan: %d delivered, %d already delivered, %d to retry, %d need attention",
                report.delivered,
                report.duplicates,
                report.retried,
                report.attention,
            )
        if report.tls_refused:
            log.warning("data balikan: send stopped, the certificate is not the pinned one")
        return report

    def _hook_at(self, point: str) -> None:
        if self._hook is not None:
            self._hook(point)

    def _prepare(self, group: Sequence[OutgoingItem]) -> tuple[object, int]:
        request = (
            self._client.prepare_form(group[0])
            if self.shape == "form" and len(group) == 1
            else self._client.prepare_batch(group)
        )
        return request, self._client.request_bytes(request) + ANSWER_ESTIMATE

    def _post(
        self,
        group: Sequence[OutgoingItem],
        stop: threading.Event,
        prepared: tuple[object, int] | None = None,
    ) -> StoreAnswer | None:
        """One request (None: stopped while waiting for a turn on the link).

        ``prepared``: the request and the bytes already reserved for it on the link.
        """
        request, estimate = prepared or self._prepare(group)
        governor = self.governor
        if governor is not None and prepared is None and not governor.reserve(estimate, stop):
            return None
        started = governor.monotonic() if governor is not None else 0.0
        try:
            answer = self._client.send(request)  # type: ignore[arg-type]
        except BalikanTlsError:
            if governor is not None:
                governor.correct(-estimate)
            raise
        if governor is not None:
            governor.correct(answer.bytes_moved - estimate, governor.monotonic() - started)
        return answer

    def _work(
        self,
        pairs: list[Pair],
        stop: threading.Event,
        report: SendReport,
        prepared: tuple[object, int],
    ) -> _Outcome:
        """A worker thread: send one group (split when refused as a whole); no database."""
        outcome = _Outcome()
        try:
            answer = self._post([o for _i, o in pairs], stop, prepared)
            assert answer is not None
            self._count(report, answer)
            self._hook_at("answered")
            if len(pairs) > 1 and answer.verdict in (Verdict.DUPLICATE, Verdict.REJECTED):
                # The batch as a whole was refused: find out item by item which are new.
                for position, pair in enumerate(pairs):
                    single = self._post([pair[1]], stop)
                    if single is None:
                        outcome.released.extend(pairs[position:])
                        break
                    self._count(report, single)
                    self._hook_at("answered")
                    outcome.answered.append(([pair], single))
            else:
                outcome.answered.append((pairs, answer))
        except BalikanTlsError:
            outcome.tls_refused = True
            outcome.released = list(pairs)
        except BaseException as error:  # handed to the round, which releases and re-raises
            outcome.error = error
            outcome.released = list(pairs)
        return outcome

    _count_lock = threading.Lock()

    def _count(self, report: SendReport, answer: StoreAnswer) -> None:
        with self._count_lock:
            report.requests += 1
            report.bytes_moved += answer.bytes_moved

    def _settle_delivered(
        self, session: Session, delivered: list[tuple[BalikanItem, Verdict]], report: SendReport
    ) -> None:
        """Items the web service took (new or already known), in two statements."""
        fresh = self._outbox.mark_delivered_many(
            session, [item for item, _verdict in delivered], VIA_WEB_SERVICE
        )
        for item, verdict in delivered:
            if item.id not in fresh:
                continue
            fresh.discard(item.id)  # an item answered twice in one round counts once
            if verdict is Verdict.DELIVERED:
                report.delivered += 1
            else:
                report.duplicates += 1
            if self._audit is not None:
                self._audit.append(
                    session,
                    SENDER_ACTOR,
                    "balikan.delivered",
                    case_number=item.case_number,
                    nik_hash=item.nik_hash,
                    detail={"verdict": verdict.value},
                )

    def _settle(
        self, session: Session, item: BalikanItem, answer: StoreAnswer, report: SendReport
    ) -> None:
        verdict = answer.verdict
        if verdict in (Verdict.DELIVERED, Verdict.DUPLICATE):
            if self._outbox.mark_delivered(session, item, VIA_WEB_SERVICE):
                if verdict is Verdict.DELIVERED:
                    report.delivered += 1
                else:
                    report.duplicates += 1
                if self._audit is not None:
                    self._audit.append(
                        session,
                        SENDER_ACTOR,
                        "balikan.delivered",
                        case_number=item.case_number,
                        nik_hash=item.nik_hash,
                        detail={"verdict": verdict.value},
                    )
            return
        if verdict is Verdict.REJECTED:
            self._outbox.mark_attention(session, item, answer.reason)
            report.attention += 1
            report.reasons.append(answer.reason)
            if self._audit is not None:
                self._audit.append(
                    session,
                    SENDER_ACTOR,
                    "balikan.rejected",
                    case_number=item.case_number,
                    nik_hash=item.nik_hash,
                    detail={"reason": answer.reason},
                )
            return
        if verdict is Verdict.UNAUTHORISED:
            report.unauthorised = True
        delay = retry_delay(item.attempts, self._retry_base, self._retry_cap, self._rng)
        self._outbox.mark_retry(session, item, answer.reason, delay)
        report.retried += 1
        report.reasons.append(answer.reason)

    # -- background thread ----------------------------------------------------------------
    def start(self, idle_seconds: float = 30.0) -> None:
        """Run in a daemon thread until :meth:`stop`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(idle_seconds,), name="balikan-sender", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Look for due items now (e.g. after a case queued one)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (an item in flight is finished or left for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        """True while the background thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self, idle_seconds: float) -> None:
        try:
            self.recover()
        except Exception as error:  # the database may be down at start; retried below
            log.warning("data balikan: recovery failed (%s)", type(error).__name__)
        while not self._stop.is_set():
            pause = idle_seconds
            try:
                report = self.send_once(self._stop)
                if report.stopped:  # wrong token or certificate: not worth retrying soon
                    pause = max(idle_seconds, 300.0)
            except Exception as error:  # keep the thread alive; the items are safe in the DB
                log.warning("data balikan sender paused (%s)", type(error).__name__)
                self.last_problem = type(error).__name__
            self._wake.wait(pause)
            self._wake.clear()


class _Round:
    """One send: claims ahead, keeps up to ``max_in_flight`` requests in flight, settles."""

    def __init__(
        self,
        sender: BalikanSender,
        stop: threading.Event,
        max_items: int | None,
        report: SendReport,
    ) -> None:
        self.s = sender
        self.stop = stop
        self.max_items = max_items
        self.report = report
        self.ready: deque[tuple[float, list[Pair]]] = deque()
        self.done: queue.Queue[_Outcome] = queue.Queue()
        self.in_flight = 0
        self.dispatched = 0
        self.exhausted = False
        self.halted = False
        self.proven = False  # an answer came back: certificate and route are good
        self.taken_at = 0.0
        self.finished = False
        self.undecryptable = 0
        self.cond = threading.Condition()
        self.error: BaseException | None = None

    # -- claiming ---------------------------------------------------------------------------
    def _claim(self, first: bool = False) -> bool:
        """Claim the next items (committed before any is sent); False when none is due."""
        s = self.s
        with self.cond:
            # a few requests' worth at a time: short transactions, claimed just ahead of need
            want = s.batch_size * (1 if first else min(s.max_in_flight, CLAIM_AHEAD))
            if self.max_items is not None:
                want = min(want, self.max_items - self.dispatched - self._queued())
        if want <= 0:
            return False
        with s._sessions.begin() as session:
            items = s._outbox.claim(session, s.claimer, want, lease=s._lease)
        if not items:
            return False
        s._hook_at("claimed")
        pairs: list[Pair] = []
        broken: list[BalikanItem] = []
        for item in items:
            try:
                pairs.append((item, s._outbox.outgoing(item)))
            except (InvalidTag, ValueError):
                broken.append(item)
        if broken:
            with s._sessions.begin() as session:
                for item in broken:
                    s._outbox.mark_attention(session, item, "NIK cannot be decrypted")
            with self.cond:
                self.undecryptable += len(broken)  # added to the report when the round ends
        now = s.governor.monotonic() if s.governor is not None else 0.0
        with self.cond:
            for start in range(0, len(pairs), s.batch_size):
                self.ready.append((now, pairs[start : start + s.batch_size]))
            self.cond.notify_all()
        return True

    def _claim_ahead(self) -> None:
        """The claimer thread: keeps a few requests' worth of items claimed ahead."""
        try:
            while True:
                with self.cond:
                    while not (self.finished or self.halted) and (len(self.ready) >= CLAIM_AHEAD):
                        self.cond.wait(0.25)
                    if self.finished or self.halted:
                        return
                if self.s.governor is not None:
                    self.s.governor.wait_no_lookup()
                if not self._claim():
                    return
        except BaseException as error:  # the database failed: stop sending, keep the error
            with self.cond:
                self.error = self.error or error
                self.halted = True
        finally:
            with self.cond:
                self.exhausted = True
                self.cond.notify_all()

    def _queued(self) -> int:
        return sum(len(group) for _at, group in self.ready)

    # -- settling (the acknowledger thread) --------------------------------------------------
    def _settle(self, outcomes: list[_Outcome]) -> None:
        s = self.s
        report = self.report
        halted = proven = False
        with s._sessions.begin() as session:
            delivered: list[tuple[BalikanItem, Verdict]] = []
            for outcome in outcomes:
                for pairs, answer in outcome.answered:
                    for item, _outgoing in pairs:
                        if answer.verdict in (Verdict.DELIVERED, Verdict.DUPLICATE):
                            delivered.append((item, answer.verdict))
                        else:
                            s._settle(session, item, answer, report)
                    if answer.verdict is Verdict.UNAUTHORISED:
                        halted = True
                    elif not outcome.tls_refused:
                        proven = True
                for item, _outgoing in outcome.released:
                    s._outbox.release(session, item)
                if outcome.tls_refused and not report.tls_refused:
                    report.tls_refused = True
                    report.reasons.append(TLS_REFUSED)
                halted = halted or outcome.tls_refused
                if outcome.error is not None and self.error is None:
                    self.error = outcome.error
                    halted = True
            s._settle_delivered(session, delivered, report)
        with self.cond:
            self.halted = self.halted or halted
            self.proven = self.proven or proven
        if any(outcome.answered for outcome in outcomes):
            s._hook_at("acknowledged")

    def _acknowledge(self) -> None:
        """Settle answers as they come, many per transaction, beside the dispatching."""
        while True:
            outcomes: list[_Outcome] = []
            try:
                outcomes.append(self.done.get(timeout=0.25))
            except queue.Empty:
                with self.cond:
                    if self.finished and self.in_flight == 0:
                        return
                continue
            if self.s.governor is not None:  # an officer's lookup goes first, CPU and disk too
                self.s.governor.wait_no_lookup()
            while True:
                try:
                    outcomes.append(self.done.get_nowait())
                except queue.Empty:
                    break
            try:
                self._settle(outcomes)
            except BaseException as error:  # the database failed: stop sending, keep the error
                with self.cond:
                    self.error = self.error or error
                    self.halted = True
            with self.cond:
                self.in_flight -= len(outcomes)
                self.cond.notify_all()

    # -- the loop ---------------------------------------------------------------------------
    def _limit(self) -> int:
        return self.s.max_in_flight if self.proven else 1

    def _next_group(self) -> list[Pair] | None:
        """The next claimed group to send (None: the round is over or halted)."""
        s = self.s
        lease_half = s._lease.total_seconds() / 2
        while True:
            with self.cond:
                while True:
                    if self.stop.is_set():
                        self.halted = True
                    if self.halted or (self.exhausted and not self.ready):
                        return None
                    if self.ready and self.in_flight < self._limit():
                        break
                    self.cond.wait(0.25)
                claimed_at, group = self.ready.popleft()
                self.cond.notify_all()  # room for the claimer
            now = s.governor.monotonic() if s.governor is not None else 0.0
            if s.governor is None or now - claimed_at < lease_half:
                self.taken_at = claimed_at
                return group
            with s._sessions.begin() as session:  # held back too long: claim it afresh later
                for item, _outgoing in group:
                    s._outbox.release(session, item)

    def run(self) -> None:
        """Send until nothing is due, the round is stopped, or a fault stops the send."""
        s = self.s
        acknowledger = threading.Thread(target=self._acknowledge, name="balikan-ack", daemon=True)
        claimer: threading.Thread | None = None
        acknowledger.start()
        with ThreadPoolExecutor(s.max_in_flight, thread_name_prefix="balikan-send") as pool:
            try:
                if not self._claim(first=True):
                    self.exhausted = True
                else:
                    claimer = threading.Thread(
                        target=self._claim_ahead, name="balikan-claim", daemon=True
                    )
                    claimer.start()
                while True:
                    group = self._next_group()
                    if group is None:
                        break
                    prepared = s._prepare([o for _i, o in group])
                    governor = s.governor
                    if governor is not None and not governor.reserve(
                        prepared[1], self.stop, timeout=0.05
                    ):
                        with self.cond:
                            self.ready.appendleft((self.taken_at, group))
                        continue
                    with self.cond:
                        self.in_flight += 1
                        self.dispatched += len(group)
                    pool.submit(self._submit, group, prepared)
            finally:
                with self.cond:
                    while self.in_flight > 0:
                        self.cond.wait(0.25)
                    self.finished = True
                    self.cond.notify_all()
                if claimer is not None:
                    claimer.join()
                acknowledger.join()
                if self.ready:
                    with s._sessions.begin() as session:
                        for _at, group in self.ready:
                            for item, _outgoing in group:
                                s._outbox.release(session, item)
                    self.ready.clear()
                self.report.attention += self.undecryptable
        if self.error is not None:
            raise self.error

    def _submit(self, group: list[Pair], prepared: tuple[object, int]) -> None:
        self.done.put(self.s._work(group, self.stop, self.report, prepared))
