"""Daily quota levels (R-06): warn at 80 % and 95 %, refuse at the limit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class QuotaLevel(Enum):
    """How close the agency is to its daily limit."""

    UNLIMITED = "unlimited"
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    EXHAUSTED = "exhausted"


@dataclass(frozen=True, slots=True)
class QuotaStatus:
    """Hits used and left today."""

    used: int
    limit: int | None
    gateway_left: int | None = None

    @property
    def left(self) -> int | None:
        """Hits left (the smaller of our count and the gateway's), None when unlimited."""
        ours = None if self.limit is None else max(self.limit - self.used, 0)
        if self.gateway_left is None:
            return ours
        if ours is None:
            return max(self.gateway_left, 0)
        return max(min(ours, self.gateway_left), 0)

    def level(self, warn_fractions: tuple[float, ...] = (0.8, 0.95)) -> QuotaLevel:
        """The level to show in the status bar."""
        left = self.left
        if left is None:
            return QuotaLevel.UNLIMITED
        if left <= 0:
            return QuotaLevel.EXHAUSTED
        if self.limit is None:
            return QuotaLevel.OK
        fraction = (self.limit - left) / self.limit
        low, high = [*sorted(warn_fractions), 0.8, 0.95][:2]
        if fraction >= high:
            return QuotaLevel.CRITICAL
        if fraction >= low:
            return QuotaLevel.WARNING
        return QuotaLevel.OK
