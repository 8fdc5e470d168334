"""One send of the data balikan sender: one ledger thread writes, workers keep the link full.

The ledger thread alone writes to the database, and each of its transactions does at once
what is due: settles the answers that came back, records the next requests' items as in
flight (``sent_at`` set, attempt counted: the per-item in-flight record, committed before
their request is sent) and claims more items when fewer than a link-sized reserve are
claimed. One writer means no two transactions of the sender wait on each other, and under
load one commit covers many items.

The dispatching thread takes armed groups (in flight recorded) and hands them to up to
``max_in_flight`` workers as the link governor grants turns. After a SIGKILL only the items
with an in-flight record (requests in flight, answered but not yet settled, or armed and
about to go) can have reached the service; merely claimed items never left the process.
The ledger and every new request wait while an officer's lookup is in flight.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import Session

from app.services.balikan.client import OutgoingItem, StoreAnswer, Verdict
from app.services.persistence.models import BalikanItem

if TYPE_CHECKING:
    from app.services.balikan.sender import BalikanSender

Pair = tuple[BalikanItem, OutgoingItem]
TLS_REFUSED = "TLS: certificate not the pinned one"
#: Seconds of link time kept claimed ahead of the requests (bounded by ``MAX_CLAIM_GROUPS``).
CLAIM_AHEAD_SECONDS = 0.3
#: Seconds of link time recorded in flight ahead of the requests' turns (at least 2 groups).
ARM_AHEAD_SECONDS = 0.05
#: At most this many requests' worth of items claimed but not yet armed.
MAX_CLAIM_GROUPS = 64
#: At most this many items claimed in one transaction (one batch at least).
MAX_CLAIM_PER_WRITE = 64
#: Link time one batch request may take (header and answer included).
BATCH_LINK_SECONDS = 0.015
#: The same while lookups are likely (an officer at work): a lookup that comes unannounced
#: waits behind at most this much of a request already on the link.
BATCH_LINK_SECONDS_NEAR_LOOKUPS = 0.008
#: Bytes of a request's headers and its answer, besides the items.
REQUEST_OVERHEAD = 550
#: Bytes an item is assumed to take on the link before the first request was prepared.
FIRST_ITEM_BYTES = 700
_WAIT = 0.25


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
    """One send: a ledger thread claims, arms and settles; workers keep requests in flight."""

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
        self.claimed: deque[list[Pair]] = deque()  # claimed, not yet recorded in flight
        self.armed: deque[tuple[float, list[Pair]]] = deque()  # in flight recorded, to send
        self.done: queue.Queue[Outcome] = queue.Queue()
        self.in_flight = 0  # requests handed to workers, not yet settled
        self.taken = 0  # items claimed this round
        self.exhausted = max_items is not None and max_items <= 0  # nothing more is due
        self.halted = False
        self.finished = False
        self.proven = bool(getattr(sender._client, "proven", False))
        self.item_bytes = float(FIRST_ITEM_BYTES)
        self.batch = sender.batch_size  # items per request, sized to the link once known
        self.write_seconds = 0.0  # how long the ledger's transactions take (moving average)
        self.undecryptable = 0
        self.cond = threading.Condition()
        self.error: BaseException | None = None

    # -- what the ledger should do next (caller holds ``cond``) -----------------------------
    def _limit(self) -> int:
        """Requests allowed in flight: one until an answer proved certificate and route."""
        return self.s.max_in_flight if self.proven else 1

    def _size_batches(self, request_bytes: int, items: int) -> None:
        """Batches no longer than ``BATCH_LINK_SECONDS`` of link (``..._NEAR_LOOKUPS`` while
        lookups are likely): a lookup waits behind at most that much of the sender's bytes
        (the setting stays the upper bound)."""
        governor = self.s.governor
        if governor is None or self.s.batch_size == 1:
            return
        seconds = BATCH_LINK_SECONDS_NEAR_LOOKUPS if governor.lookups_likely else BATCH_LINK_SECONDS
        body = max(1.0, (request_bytes - REQUEST_OVERHEAD) / items)
        room = governor.bandwidth_bps * governor.share * seconds / 8 - REQUEST_OVERHEAD
        self.batch = max(1, min(self.s.batch_size, int(room / body)))

    def _per_second(self) -> float:
        """Items per second the sender's share of the link carries (0: no governor)."""
        governor = self.s.governor
        if governor is None:
            return 0.0
        return governor.bandwidth_bps * governor.share / 8 / max(self.item_bytes, 1.0)

    def _ahead_groups(self) -> int:
        """Requests recorded in flight ahead of their turn: enough link time to cover the
        ledger's next transaction (``ARM_AHEAD_SECONDS`` at least), two requests at least."""
        seconds = max(ARM_AHEAD_SECONDS, 2 * self.write_seconds)
        groups = -(-int(self._per_second() * seconds) // self.batch)
        return max(2, groups)

    def _arm_wanted(self) -> int:
        """Groups to record in flight now: the free request slots, at most a few ahead."""
        if self.halted:
            return 0
        free = self._limit() + 1 - self.in_flight - len(self.armed)
        return max(0, min(free, self._ahead_groups() - len(self.armed)))

    def _claim_wanted(self) -> int:
        """Items to claim now to keep a link-sized reserve (0: enough, exhausted or halted)."""
        if self.halted or self.exhausted:
            return 0
        reserve = int(self._per_second() * max(CLAIM_AHEAD_SECONDS, 4 * self.write_seconds))
        groups = max(self._ahead_groups() + 1, -(-reserve // self.batch))
        groups = min(groups, MAX_CLAIM_GROUPS)
        have = sum(len(group) for group in self.claimed)
        # short transactions: one that started just before a lookup must not hold it up
        want = min(groups * self.batch - have, max(self.batch, MAX_CLAIM_PER_WRITE))
        if self.max_items is not None:
            want = min(want, self.max_items - self.taken)
        # claim in chunks of at least a quarter of the reserve: fewer, fuller transactions
        if want < min(max(1, (groups * self.batch) // 4), MAX_CLAIM_PER_WRITE) and self.claimed:
            return 0
        return max(0, want)

    def _ledger_due(self) -> bool:
        return (
            not self.done.empty()
            or (bool(self.claimed) and self._arm_wanted() > 0)
            or self._claim_wanted() > 0
        )

    # -- the ledger thread ----------------------------------------------------------------
    def _ledger(self) -> None:
        """The only writer: settle answers, record in flight, claim ahead; one commit each."""
        s = self.s
        try:
            while True:
                with self.cond:
                    while not self._ledger_due():
                        if self.finished and self.in_flight == 0 and self.done.empty():
                            return
                        if self.halted and self.in_flight == 0 and self.done.empty():
                            return
                        self.cond.wait(_WAIT)
                if s.governor is not None:  # an officer's lookup goes first, CPU and disk too
                    s.governor.wait_no_lookup()
                self._write()
        except BaseException as error:  # the database failed: stop sending, keep the error
            with self.cond:
                self.error = self.error or error
                self.halted = True
                self.exhausted = True
                self.cond.notify_all()
            self._drain_after_failure()

    def _drain_after_failure(self) -> None:
        """After a failed transaction, let the workers finish; their items stay claimed."""
        while True:
            with self.cond:
                if self.in_flight == 0:
                    return
            try:
                self.done.get(timeout=_WAIT)
            except queue.Empty:
                continue
            with self.cond:
                self.in_flight -= 1
                self.cond.notify_all()

    def _write(self) -> None:
        """One transaction of the ledger: settle, claim, record in flight; then publish."""
        s = self.s
        outcomes: list[Outcome] = []
        while True:
            try:
                outcomes.append(self.done.get_nowait())
            except queue.Empty:
                break
        with self.cond:
            if not self.halted:  # the slots the settled answers free count too
                arm_count = min(len(outcomes), self.in_flight) + self._arm_wanted()
            else:
                arm_count = 0
            claim_count = self._claim_wanted()
            old = [self.claimed.popleft() for _ in range(min(arm_count, len(self.claimed)))]
        fresh: list[list[Pair]] = []
        broken: list[BalikanItem] = []
        items: list[BalikanItem] = []
        to_arm: list[list[Pair]] = []
        began = time.monotonic()
        try:
            with s._sessions.begin() as session:
                halted, proven = self._settle(session, outcomes)
                if halted:
                    for group in old:  # not sent: given back in this transaction
                        for item, _outgoing in group:
                            s._outbox.release(session, item)
                else:
                    if claim_count > 0:
                        items = s._outbox.claim(
                            session, s.claimer, claim_count, lease=s._lease, in_flight=False
                        )
                        pairs: list[Pair] = []
                        for item in items:
                            try:
                                pairs.append((item, s._outbox.outgoing(item)))
                            except (InvalidTag, ValueError):
                                broken.append(item)
                        for item in broken:
                            s._outbox.mark_attention(session, item, "NIK cannot be decrypted")
                        fresh = [
                            pairs[i : i + self.batch] for i in range(0, len(pairs), self.batch)
                        ]
                    extra = max(0, arm_count - len(old))
                    to_arm = old + fresh[:extra]
                    fresh = fresh[extra:]
                    s._outbox.mark_in_flight(session, [i for group in to_arm for i, _o in group])
        except BaseException:
            with self.cond:
                self.in_flight -= len(outcomes)
                for group in reversed(old):
                    self.claimed.appendleft(group)
                self.cond.notify_all()
            raise
        now = s.governor.monotonic() if s.governor is not None else 0.0
        took = time.monotonic() - began
        with self.cond:
            self.write_seconds = (
                took if not self.write_seconds else (0.7 * self.write_seconds + 0.3 * took)
            )
            self.in_flight -= len(outcomes)
            self.halted = self.halted or halted
            self.proven = self.proven or proven
            self.armed.extend((now, group) for group in to_arm)
            self.claimed.extend(fresh)
            self.undecryptable += len(broken)
            self.taken += len(items)
            if claim_count > 0 and not halted and len(items) < claim_count:
                self.exhausted = True
            if self.max_items is not None and self.taken >= self.max_items:
                self.exhausted = True
            self.cond.notify_all()
        if items:
            s._hook_at("claimed")
        if any(outcome.answered for outcome in outcomes):
            s._hook_at("acknowledged")

    def _settle(self, session: Session, outcomes: list[Outcome]) -> tuple[bool, bool]:
        """Store the outcomes in ``session``: (halt the send, an answer proved the route)."""
        s = self.s
        report = self.report
        halted = proven = False
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
        return halted, proven

    # -- the dispatching loop ---------------------------------------------------------------
    def _next_group(self) -> tuple[float, list[Pair]] | None:
        """The next armed group to send (None: the round is over or halted)."""
        with self.cond:
            while True:
                if self.stop.is_set():
                    self.halted = True
                    self.cond.notify_all()
                if self.halted:
                    return None
                if self.armed and self.in_flight < self._limit():
                    armed = self.armed.popleft()
                    self.cond.notify_all()  # room to arm the next one
                    return armed
                if self.exhausted and not self.armed and not self.claimed and not self._busy():
                    return None
                self.cond.wait(_WAIT)

    def _busy(self) -> bool:
        """Answers still to come or to be settled (they may free items to split or retry)."""
        return self.in_flight > 0 or not self.done.empty()

    def run(self) -> None:
        """Send until nothing is due, the round is stopped, or a fault stops the send."""
        s = self.s
        ledger = threading.Thread(target=self._ledger, name="balikan-ledger", daemon=True)
        lease_half = s._lease.total_seconds() / 2
        with ThreadPoolExecutor(s.max_in_flight, thread_name_prefix="balikan-send") as pool:
            ledger.start()
            try:
                while True:
                    taken = self._next_group()
                    if taken is None:
                        break
                    armed_at, group = taken
                    governor = s.governor
                    if governor is not None and governor.monotonic() - armed_at > lease_half:
                        self._give_back([group])  # held back too long: claim it afresh later
                        continue
                    prepared = s._prepare([o for _i, o in group])
                    with self.cond:
                        self.item_bytes = prepared[1] / len(group)
                        self._size_batches(prepared[1], len(group))
                    if governor is not None and not governor.reserve(prepared[1], self.stop):
                        self._give_back([group])  # stopped while waiting for a turn
                        continue
                    with self.cond:
                        self.in_flight += 1
                    pool.submit(self._submit, group, prepared)
            finally:
                with self.cond:
                    self.finished = True
                    self.cond.notify_all()
                ledger.join()
                leftover = [group for _at, group in self.armed] + list(self.claimed)
                self.armed.clear()
                self.claimed.clear()
                if leftover and self.error is None:
                    self._give_back(leftover)
                self.report.attention += self.undecryptable
        if self.error is not None:
            raise self.error

    def _give_back(self, groups: list[list[Pair]]) -> None:
        """Release claimed items that were not sent (one transaction)."""
        s = self.s
        with s._sessions.begin() as session:
            for group in groups:
                for item, _outgoing in group:
                    s._outbox.release(session, item)

    def _submit(self, group: list[Pair], prepared: tuple[object, int]) -> None:
        outcome = self.s._work(group, self.stop, self.report, prepared)
        self.done.put(outcome)
        with self.cond:
            self.cond.notify_all()
