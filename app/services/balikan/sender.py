"""The background sender: delivers pending outbox items to the data balikan web service.

Exactly once, across crashes: each item is claimed and marked sent (attempt counted) in its
own committed transaction *before* the request; the answer is acknowledged in another.
An item killed between the two stays pending with ``sent_at`` set and is sent again; the
gateway then answers "Data sudah pernah dikirim", which counts as delivered. So an item is
never lost and never delivered twice as a new item.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.balikan.client import BalikanClient, OutgoingItem, StoreAnswer, Verdict
from app.services.balikan.outbox import DEFAULT_LEASE, VIA_WEB_SERVICE, Outbox, retry_delay
from app.services.link import LinkGovernor, TurnCancelled
from app.services.persistence.models import BalikanItem

log = logging.getLogger(__name__)

SENDER_ACTOR = "system:balikan"
Hook = Callable[[str], None]


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
    reasons: list[str] = field(default_factory=list)

    @property
    def settled(self) -> int:
        """Items that left the queue as delivered (new or already known)."""
        return self.delivered + self.duplicates

    def add(self, other: SendReport) -> None:
        """Accumulate another report."""
        self.delivered += other.delivered
        self.duplicates += other.duplicates
        self.retried += other.retried
        self.attention += other.attention
        self.requests += other.requests
        self.bytes_moved += other.bytes_moved
        self.unauthorised = self.unauthorised or other.unauthorised
        self.reasons.extend(other.reasons)


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
        self._sessions = sessions
        self._outbox = outbox
        self._client = client
        self.counter_id = counter_id
        self.claimer = claimer_name(counter_id)
        self.shape = shape
        self.batch_size = batch_size if shape == "batch" else 1
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
        while not (stop is not None and stop.is_set()):
            handled = report.settled + report.retried + report.attention
            if max_items is not None and handled >= max_items:
                break
            try:
                sent = self._one_request(stop, report)
            except TurnCancelled:
                break
            if not sent or report.unauthorised:
                break
        self.last_report = report
        self.last_problem = report.reasons[-1] if report.unauthorised and report.reasons else None
        if report.requests:
            log.info(
                "data balikan: %d delivered, %d already delivered, %d to retry, %d need attention",
                report.delivered,
                report.duplicates,
                report.retried,
                report.attention,
            )
        return report

    def _hook_at(self, point: str) -> None:
        if self._hook is not None:
            self._hook(point)

    def _one_request(self, stop: threading.Event | None, report: SendReport) -> bool:
        """Claim one group and send it; False when nothing is due."""
        if self.governor is not None and not self.governor.wait_for_turn(stop):
            raise TurnCancelled()
        with self._sessions.begin() as session:
            items = self._outbox.claim(session, self.claimer, self.batch_size, lease=self._lease)
        if not items:
            return False
        self._hook_at("claimed")
        ready: list[tuple[BalikanItem, OutgoingItem]] = []
        for item in items:
            try:
                ready.append((item, self._outbox.outgoing(item)))
            except (InvalidTag, ValueError):
                with self._sessions.begin() as session:
                    self._outbox.mark_attention(session, item, "NIK cannot be decrypted")
                report.attention += 1
        if ready:
            self._deliver(ready, report, split_allowed=True)
        return True

    def _send(self, group: Sequence[OutgoingItem], first: bool) -> StoreAnswer:
        governor = self.governor
        if governor is None:
            return self._post(group)
        if first:  # the turn was already granted before claiming
            started = governor.monotonic()
            answer = self._post(group)
            governor.account(answer.bytes_moved, started, governor.monotonic() - started)
            return answer
        with governor.sender_turn(self._stop) as record:
            answer = self._post(group)
            record(answer.bytes_moved)
        return answer

    def _post(self, group: Sequence[OutgoingItem]) -> StoreAnswer:
        if self.shape == "form":
            return self._client.store_form(group[0])
        return self._client.store_batch(group)

    def _deliver(
        self,
        ready: list[tuple[BalikanItem, OutgoingItem]],
        report: SendReport,
        *,
        split_allowed: bool,
        first: bool = True,
    ) -> None:
        answer = self._send([outgoing for _item, outgoing in ready], first)
        report.requests += 1
        report.bytes_moved += answer.bytes_moved
        self._hook_at("answered")
        items = [item for item, _outgoing in ready]
        verdict = answer.verdict
        if len(ready) > 1 and split_allowed and verdict in (Verdict.DUPLICATE, Verdict.REJECTED):
            # The batch as a whole was refused: find out item by item which are new.
            for position, pair in enumerate(ready):
                try:
                    self._deliver([pair], report, split_allowed=False, first=False)
                except TurnCancelled:
                    with self._sessions.begin() as session:
                        for item, _outgoing in ready[position:]:
                            self._outbox.release(session, item)
                    raise
            return
        with self._sessions.begin() as session:
            for item in items:
                self._settle(session, item, answer, report)
        self._hook_at("acknowledged")

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
                if report.unauthorised:
                    pause = max(idle_seconds, 300.0)
            except Exception as error:  # keep the thread alive; the items are safe in the DB
                log.warning("data balikan sender paused (%s)", type(error).__name__)
                self.last_problem = type(error).__name__
            self._wake.wait(pause)
            self._wake.clear()
