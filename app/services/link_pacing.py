"""The background sender's pace on the shared link, learned from its own requests' delays.

The sender cannot count the bytes the link really carries (TCP/IP and TLS overhead, the
server's headers, other traffic on the same line), so a pace computed from its own byte
estimate alone can ask more of the link than it has: a queue then builds in the link and
every lookup waits behind it. :class:`DelayPacer` corrects the pace from what the requests
see, in the spirit of LEDBAT (RFC 6817, "low extra delay background transport") with the
gentle probing of additive increase:

* each answered request gives a delay sample: its duration less the time its estimated
  bytes take at the configured bandwidth;
* the lowest sample of the last minute is the link's base delay; the lowest sample of the
  last round trip, less the base, the queue the sender causes. Only a standing queue delays
  every request of a round trip; requests and answers meeting on the link now and then, or
  a busy processor, delay some of them and are no reason to slow down;
* a queue above ``target`` means the pace has passed what the link carries: the pace is cut
  to ``CUT`` of itself (the first time: of the rate the answers came back at over the last
  round trips when lower; while a queue stands, that is what the link carries), remembered
  as the last known limit, and held until that queue had time to drain (one cut per congestion, not
  one per late answer);
* while the queue stays under ``target`` the pace grows, fast (``FAST_PER_SECOND``) up to
  just under the last known limit, then slowly (``SLOW_PER_SECOND``, both as fractions of
  the ceiling) past it, probing for more, as TCP CUBIC does around its last window; a
  limit the pace stayed past for ``FORGET_SECONDS`` with no queue is forgotten (the link
  carries more now: other traffic ended), and the pace grows fast again.

So the pace stays just under what the link really carries most of the time, and a queue
exists only for the short moments it is crossed. While lookups are likely (an officer at
work) most of those moments are spared: the pace stays at ``CAUTIOUS`` of the last known
limit, which only creeps up (``CREEP_PER_SECOND``), so an unannounced lookup seldom finds a
queue of the sender's, and a cut for a moment's stall is undone within seconds.
"""

from __future__ import annotations

from collections import deque

#: A standing queue above this (seconds) means the sender asks more than the link carries.
QUEUE_TARGET = 0.010
#: The current delay is the lowest sample of the last ``CURRENT_ROUND_TRIPS`` round trips,
#: and of ``CURRENT_SAMPLES`` at least (two filter a busy processor's stalls better, but let a
#: queue stand longer before the cut: measured, one gave lookups the shorter wait).
CURRENT_SAMPLES = 4
CURRENT_ROUND_TRIPS = 1
#: Seconds one bucket of the base delay history covers, and how many buckets are kept.
BASE_BUCKET_SECONDS = 5.0
BASE_BUCKETS = 12
#: Growth per second with no standing queue, as fractions of the ceiling: up to
#: ``NEAR_LIMIT`` of the last known limit, and beyond it.
FAST_PER_SECOND = 0.15
SLOW_PER_SECOND = 0.03
NEAR_LIMIT = 0.97
#: While lookups are likely, the pace stays at this fraction of the last known limit, and
#: the limit creeps up by this fraction of the ceiling per second with no queue.
CAUTIOUS = 0.95
CREEP_PER_SECOND = 0.01
#: Seconds of sending past the last known limit with no queue before it is forgotten.
FORGET_SECONDS = 2.0
#: After a standing queue: this fraction of the pace (or of the rate the link delivered).
CUT = 0.95
#: The delivered rate lowers the pace by at most this fraction at once (before ``CUT``).
MAX_DROP = 0.25
#: Round trips of answers the delivered rate is measured over.
DELIVERY_ROUND_TRIPS = 2
#: The pace never falls below this fraction of the ceiling.
FLOOR_FRACTION = 0.05


class DelayPacer:
    """The sender's rate in bits per second; not thread-safe (the governor holds its lock)."""

    def __init__(
        self,
        ceiling_bps: float,
        bandwidth_bps: float,
        *,
        target: float = QUEUE_TARGET,
    ) -> None:
        self.ceiling_bps = ceiling_bps
        self.bandwidth_bps = bandwidth_bps
        self.target = target
        self.rate_bps = ceiling_bps
        self._recent: deque[tuple[float, float]] = deque()  # (when, delay sample)
        self._answers: deque[tuple[float, int]] = deque()  # (when, bits) answered
        self._flow_start = float("-inf")  # first answer since the sender was last idle
        self.limit_bps: float | None = None  # the pace a queue last appeared at
        self._probing = 0.0  # seconds sent past the limit with no queue
        self._buckets: deque[tuple[float, float]] = deque()  # (bucket start, lowest sample)
        self._last: float | None = None
        self._hold_until = float("-inf")
        self.samples = 0
        self.cuts = 0
        self.last_queue = 0.0

    @property
    def base_delay(self) -> float | None:
        """The lowest delay sample of the last minute (None: none yet)."""
        return min(low for _start, low in self._buckets) if self._buckets else None

    def _note_base(self, now: float, sample: float) -> float:
        if self._buckets and now - self._buckets[-1][0] < BASE_BUCKET_SECONDS:
            start, low = self._buckets[-1]
            self._buckets[-1] = (start, min(low, sample))
        else:
            self._buckets.append((now, sample))
        while len(self._buckets) > BASE_BUCKETS:
            self._buckets.popleft()
        return min(low for _start, low in self._buckets)

    def pace(self, cautious: bool = False) -> float:
        """The rate to send at (bits per second); ``cautious``: lookups are likely."""
        if cautious and self.limit_bps is not None:
            return min(self.rate_bps, CAUTIOUS * self.limit_bps)
        return self.rate_bps

    def observe(self, now: float, size_bytes: int, seconds: float, cautious: bool = False) -> None:
        """One answered request of ``size_bytes`` that took ``seconds`` (no lookup beside it);
        ``cautious``: lookups are likely, the pace does not probe past the last known limit."""
        if size_bytes <= 0 or seconds <= 0:
            return
        bits = size_bytes * 8
        own = bits / self.bandwidth_bps  # the request's own time on an empty link
        sample = seconds - own
        base = self._note_base(now, sample)
        round_trip = max(base + own, 0.001)
        self.samples += 1
        recent = self._recent
        recent.append((now, sample))
        while (
            len(recent) > CURRENT_SAMPLES and recent[0][0] < now - CURRENT_ROUND_TRIPS * round_trip
        ):
            recent.popleft()
        window = DELIVERY_ROUND_TRIPS * round_trip
        if self._last is None or now - self._last > round_trip:
            self._flow_start = now  # answers resumed after a pause: no full window yet
        answers = self._answers
        answers.append((now, bits))
        while answers[0][0] < now - window:
            answers.popleft()
        queue = max(0.0, min(value for _when, value in recent) - base)
        self.last_queue = queue
        elapsed = 0.0 if self._last is None else min(now - self._last, round_trip)
        self._last = now
        if now < self._hold_until:
            return
        if queue > self.target:
            rate = self.rate_bps
            # the delivered rate tells the link's rate only while the sender kept its pace:
            # trusted for the first cut (the pace then starts at the ceiling), not later,
            # when a busy processor may have been what held the sender back
            if self.limit_bps is None and now - self._flow_start >= window + round_trip:
                delivered = sum(b for _when, b in answers) / window
                # at most a quarter off at once: a stall of the sender's own (its database,
                # a busy processor) also lowers what came back, and is no measure of the link
                rate = min(rate, max(delivered, (1 - MAX_DROP) * rate))
            self.limit_bps = rate  # what the link took: the pace, or less if it delivered less
            self._probing = 0.0
            self.rate_bps = CUT * rate
            self.cuts += 1
            # hold the cut until the queue drained at the lower pace (and one round trip)
            self._hold_until = now + round_trip + queue / (1 - CUT)
            recent.clear()
        else:
            near = self.limit_bps is not None and self.rate_bps >= NEAR_LIMIT * self.limit_bps
            if cautious and self.limit_bps is not None:
                # the limit itself creeps up: a cut for a moment's stall is undone in seconds
                self.limit_bps = min(
                    self.ceiling_bps, self.limit_bps + CREEP_PER_SECOND * self.ceiling_bps * elapsed
                )
                self.rate_bps = min(
                    self.rate_bps + FAST_PER_SECOND * self.ceiling_bps * elapsed,
                    CAUTIOUS * self.limit_bps,
                )
                return
            if near:
                self._probing += elapsed
                if self._probing >= FORGET_SECONDS:
                    self.limit_bps, near = None, False
            step = SLOW_PER_SECOND if near else FAST_PER_SECOND
            self.rate_bps += step * self.ceiling_bps * elapsed
            if not near and self.limit_bps is not None:  # no jump past the limit
                self.rate_bps = min(self.rate_bps, NEAR_LIMIT * self.limit_bps)
        self.rate_bps = max(self.ceiling_bps * FLOOR_FRACTION, min(self.ceiling_bps, self.rate_bps))
