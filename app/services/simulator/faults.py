"""Injectable faults and link shaping for the simulator (latency, bandwidth, broken answers)."""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from dataclasses import dataclass


class Fault(enum.Enum):
    """A way the next answer goes wrong."""

    HTTP_500 = "http500"  # an HTML error page with status 500
    NON_JSON = "non_json"  # status 200 with an HTML body
    TRUNCATED = "truncated"  # Content-Length promises more than is sent, then the link drops
    TIMEOUT = "timeout"  # no answer within the client's read timeout
    RESET = "reset"  # the connection is closed without an answer


@dataclass(frozen=True)
class LinkShape:
    """Added round-trip latency and a bandwidth cap (None: unlimited)."""

    latency_ms: float = 0.0
    bandwidth_kbps: float | None = None

    def transfer_seconds(self, size: int) -> float:
        """Time to move ``size`` bytes over the capped link."""
        if not self.bandwidth_kbps:
            return 0.0
        return size * 8 / (self.bandwidth_kbps * 1000)


class FaultPlan:
    """Thread-safe: faults queued for the next answers, or one applied to every answer."""

    def __init__(
        self,
        link: LinkShape | None = None,
        always: Fault | None = None,
        stall_seconds: float = 5.0,
    ) -> None:
        self.link = link or LinkShape()
        self.stall_seconds = stall_seconds
        self._always = always
        self._queue: deque[Fault] = deque()
        self._lock = threading.Lock()

    def inject(self, fault: Fault, times: int = 1) -> None:
        """Make the next ``times`` answers fail with ``fault``."""
        with self._lock:
            self._queue.extend([fault] * times)

    def set_always(self, fault: Fault | None) -> None:
        """Fail every answer with ``fault`` (None: stop)."""
        with self._lock:
            self._always = fault

    def take(self) -> Fault | None:
        """The fault for the answer being made now, if any."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            return self._always

    def clear(self) -> None:
        """No more faults."""
        with self._lock:
            self._queue.clear()
            self._always = None

    def wait_latency(self) -> None:
        """Sleep for the link's round-trip latency."""
        if self.link.latency_ms > 0:
            time.sleep(self.link.latency_ms / 1000)

    def wait_transfer(self, size: int) -> None:
        """Sleep as long as ``size`` bytes take on the capped link."""
        seconds = self.link.transfer_seconds(size)
        if seconds > 0:
            time.sleep(seconds)
