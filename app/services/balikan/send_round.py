"""One send of the data balikan sender: claim ahead, requests in flight, settle behind.

Three helper threads beside the dispatching one: a claimer keeps a few requests' worth of
items claimed (committed, ``sent_at`` set) just ahead of need; up to ``max_in_flight``
workers send; an acknowledger settles answers, many per transaction. Claims and
acknowledgements wait while an officer's lookup is in flight; so does every new request.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag

from app.services.balikan.client import OutgoingItem, StoreAnswer, Verdict
from app.services.persistence.models import BalikanItem

if TYPE_CHECKING:
    from app.services.balikan.sender import BalikanSender

Pair = tuple[BalikanItem, OutgoingItem]
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
class Outcome:
    """What one worker did with one claimed group."""

    answered: list[tuple[list[Pair], StoreAnswer]] = field(default_factory=list)
    released: list[Pair] = field(default_factory=list)
    tls_refused: bool = False
    error: BaseException | None = None


class SendRound:
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
        self.done: queue.Queue[Outcome] = queue.Queue()
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
    def _settle(self, outcomes: list[Outcome]) -> None:
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
            outcomes: list[Outcome] = []
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
