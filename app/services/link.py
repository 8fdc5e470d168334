"""The shared 1 Mbps link: officers' lookups first, background data balikan paced behind them.

Lookups mark themselves in flight (:meth:`LinkGovernor.lookup`, or by going through
:class:`GovernedGateway`). The data balikan sender reserves each request's bytes before it
sends it (:meth:`LinkGovernor.reserve`): a reservation is granted only while no lookup is in
flight or expected, and at the sender's pace, so its bytes enter the link no faster than it
drains them. The pace starts at ``share`` of the link's bandwidth and is corrected from the
requests' own delays (:class:`~app.services.link_pacing.DelayPacer`): bytes the sender does
not see (TCP/IP and TLS overhead, other traffic) cannot build a queue for lookups to wait
behind. A lookup that starts stops every new sender request at once; a screen that knows a
lookup is near (a complete NIK, a card on the reader) says so with
:meth:`LinkGovernor.expect_lookup`, and the sender stops a little before it, so the requests
already on the link are answered by the time the lookup goes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager

from app.services.cases.port import GatewayAnswer, GatewayPort
from app.services.link_pacing import DelayPacer

_POLL_SECONDS = 0.25
#: How far behind its schedule the sender may catch up at once (seconds of link time).
_CATCH_UP_SECONDS = 0.02
#: How long an "expect a lookup" hint holds the sender when no lookup follows (seconds).
EXPECT_LOOKUP_SECONDS = 2.0
#: Lookups are likely this long after the last lookup or hint (an officer at work; seconds).
LOOKUPS_LIKELY_SECONDS = 30.0


class LinkGovernor:
    """Thread-safe gate between the lookups and the background sender."""

    def __init__(
        self,
        bandwidth_kbps: float = 1000.0,
        share: float = 0.95,
        *,
        quiet_after_lookup: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if bandwidth_kbps <= 0 or not 0 < share <= 1:
            raise ValueError("bandwidth must be positive and share in (0, 1]")
        self.bandwidth_bps = bandwidth_kbps * 1000
        self.share = share
        self.quiet_after_lookup = quiet_after_lookup
        self._now = monotonic
        self._cond = threading.Condition()
        self._pacer = DelayPacer(self.bandwidth_bps * share, self.bandwidth_bps)
        self._lookups = 0
        self._lookup_epoch = 0  # lookups started so far (a request's sample is clean if unchanged)
        self._last_lookup_end = float("-inf")
        self._expected_until = float("-inf")
        self._last_interest = float("-inf")  # the last lookup or hint
        self._next_allowed = float("-inf")
        self._sender_bytes = 0
        self._sender_busy = 0.0  # seconds the sender's own requests took
        self._first_turn: float | None = None
        self.lookups_total = 0
        self.hints_total = 0
        self.sender_waits_for_lookups = 0

    # -- lookups ---------------------------------------------------------------------------
    @contextmanager
    def lookup(self) -> Iterator[None]:
        """Mark one lookup in flight for the duration of the block."""
        with self._cond:
            self._lookups += 1
            self._lookup_epoch += 1
            self.lookups_total += 1
            self._expected_until = float("-inf")  # the hint came true
            self._last_interest = self._now()
        try:
            yield
        finally:
            with self._cond:
                self._lookups -= 1
                self._last_lookup_end = self._now()
                self._cond.notify_all()

    def expect_lookup(self, within: float = EXPECT_LOOKUP_SECONDS) -> None:
        """A lookup is near (NIK complete, card inserted): the sender starts nothing new
        until it came and went, or ``within`` seconds passed without it."""
        with self._cond:
            now = self._now()
            self._expected_until = max(self._expected_until, now + within)
            self._last_interest = now
            self.hints_total += 1

    @property
    def lookups_likely(self) -> bool:
        """A lookup or a hint was seen in the last ``LOOKUPS_LIKELY_SECONDS``."""
        with self._cond:
            return self._likely()

    def monotonic(self) -> float:
        """The governor's clock (seconds)."""
        return self._now()

    @property
    def lookups_in_flight(self) -> int:
        """How many lookups are on the link now."""
        with self._cond:
            return self._lookups

    # -- sender ----------------------------------------------------------------------------
    def _slot(self, size_bytes: int) -> float:
        """Link time ``size_bytes`` take at the sender's pace."""
        return size_bytes * 8 / self._pacer.pace(self._likely())

    def _likely(self) -> bool:
        """Lookups are likely; caller holds the lock."""
        return self._now() - self._last_interest < LOOKUPS_LIKELY_SECONDS

    @property
    def rate_bps(self) -> float:
        """The sender's pace now (bits per second, at most ``share`` of the bandwidth)."""
        with self._cond:
            return self._pacer.pace(self._likely())

    @property
    def queue_seconds(self) -> float:
        """The queue the sender's last requests saw in the link (seconds)."""
        with self._cond:
            return self._pacer.last_queue

    def _wait_needed(self) -> float:
        """Seconds the sender must still wait (0: go); caller holds the lock."""
        if self._lookups > 0:
            return _POLL_SECONDS
        now = self._now()
        quiet = self._last_lookup_end + self.quiet_after_lookup - now
        return max(quiet, self._expected_until - now, self._next_allowed - now, 0.0)

    def _held(self) -> bool:
        """A lookup is in flight or expected; caller holds the lock."""
        return self._lookups > 0 or self._expected_until > self._now()

    def reserve(
        self,
        size_bytes: int,
        stop: threading.Event | None = None,
        timeout: float | None = None,
    ) -> bool:
        """Wait for a turn and book ``size_bytes`` of link time (False: stopped / timed out)."""
        deadline = None if timeout is None else self._now() + timeout
        with self._cond:
            waited_for_lookup = False
            while True:
                if stop is not None and stop.is_set():
                    return False
                delay = self._wait_needed()
                if delay <= 0:
                    now = self._now()
                    if self._first_turn is None:
                        self._first_turn = now
                    start = max(self._next_allowed, now - _CATCH_UP_SECONDS)
                    self._next_allowed = start + self._slot(size_bytes)
                    self._sender_bytes += size_bytes
                    return True
                if self._held() and not waited_for_lookup:
                    waited_for_lookup = True
                    self.sender_waits_for_lookups += 1
                if deadline is not None:
                    left = deadline - self._now()
                    if left <= 0:
                        return False
                    delay = min(delay, left)
                self._cond.wait(min(delay, _POLL_SECONDS))

    def wait_for_turn(
        self, stop: threading.Event | None = None, timeout: float | None = None
    ) -> bool:
        """Block until the sender may send (True), or ``stop`` is set / ``timeout`` passes."""
        return self.reserve(0, stop, timeout)

    def wait_no_lookup(self, timeout: float = 1.0) -> None:
        """Hold background work (the sender's database writes) while a lookup is in flight."""
        deadline = self._now() + timeout
        with self._cond:
            while self._lookups > 0:
                left = deadline - self._now()
                if left <= 0:
                    return
                self._cond.wait(min(left, _POLL_SECONDS))

    def correct(self, delta_bytes: int, seconds: float = 0.0) -> None:
        """A request moved ``delta_bytes`` more (or fewer) than it reserved."""
        with self._cond:
            self._sender_bytes += delta_bytes
            self._sender_busy += seconds
            self._next_allowed += self._slot(delta_bytes)

    def request_started(self) -> tuple[float, int]:
        """A ticket for :meth:`request_answered`: when a sender request went, and the lookups
        started before it."""
        with self._cond:
            return self._now(), self._lookup_epoch

    def request_answered(self, ticket: tuple[float, int], reserved: int, moved: int) -> None:
        """The request of ``ticket`` was answered: book the bytes it moved beyond the
        ``reserved`` ones, and learn the pace from its delay unless a lookup shared the link
        meanwhile (its bytes are no queue of the sender's)."""
        started, epoch = ticket
        with self._cond:
            now = self._now()
            seconds = now - started
            self._sender_bytes += moved - reserved
            self._sender_busy += seconds
            self._next_allowed += self._slot(moved - reserved)
            if epoch == self._lookup_epoch and self._lookups == 0:
                self._pacer.observe(now, moved, seconds, self._likely())

    def account(self, size_bytes: int, started: float, seconds: float) -> None:
        """The sender moved ``size_bytes`` in a request that began at ``started`` (monotonic)."""
        with self._cond:
            self._sender_bytes += size_bytes
            self._sender_busy += seconds
            self._next_allowed = max(self._next_allowed, started) + self._slot(size_bytes)

    @contextmanager
    def sender_turn(self, stop: threading.Event | None = None) -> Iterator[Callable[[int], None]]:
        """Wait for a turn, then yield a callback that records the bytes the request moved."""
        if not self.wait_for_turn(stop):
            raise TurnCancelled()
        started = self._now()
        moved = [0]

        def record(size_bytes: int) -> None:
            moved[0] += size_bytes

        try:
            yield record
        finally:
            self.account(moved[0], started, self._now() - started)

    # -- figures ---------------------------------------------------------------------------
    @property
    def sender_bytes(self) -> int:
        """Bytes the sender has moved so far."""
        with self._cond:
            return self._sender_bytes

    def sender_share(self, elapsed: float | None = None) -> float:
        """Sender bits over link capacity since its first turn (or over ``elapsed`` seconds)."""
        with self._cond:
            if elapsed is None:
                if self._first_turn is None:
                    return 0.0
                elapsed = self._now() - self._first_turn
            if elapsed <= 0:
                return 0.0
            return self._sender_bytes * 8 / (self.bandwidth_bps * elapsed)


class TurnCancelled(Exception):
    """The sender was stopped while waiting for its turn on the link."""


class GovernedGateway:
    """A ``GatewayPort`` whose every call is marked in flight on the link governor."""

    def __init__(self, inner: GatewayPort, governor: LinkGovernor) -> None:
        self.inner = inner
        self.governor = governor

    def permits(self, service: str, elements: Collection[str] = ()) -> bool:
        """Whatever the inner gateway says (True when it cannot tell)."""
        permits = getattr(self.inner, "permits", None)
        return bool(permits(service, elements)) if callable(permits) else True

    def lookup(self, nik: str) -> GatewayAnswer:
        """Query by NIK (the sender holds back meanwhile)."""
        with self.governor.lookup():
            return self.inner.lookup(nik)

    def verify(self, nik: str, elements: Mapping[str, str]) -> GatewayAnswer:
        """Verify by element (the sender holds back meanwhile)."""
        with self.governor.lookup():
            return self.inner.verify(nik, elements)

    def expect_query(self) -> None:
        """A query is near (NIK complete, card placed, verification page): hold the sender's
        new requests until it came or the hint timed out, and warm the connection for it."""
        self.governor.expect_lookup()
        self.warm()

    def warm(self) -> None:
        """Have a gateway connection ready for the next query, if the inner gateway can."""
        warm = getattr(self.inner, "warm", None)
        if callable(warm):
            warm()

    def close(self) -> None:
        """Close the inner gateway if it can be closed."""
        close = getattr(self.inner, "close", None)
        if callable(close):
            close()
