"""Time, injectable so tests can move it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Local wall-clock time without tzinfo (the counter's own day decides the quota)."""
    return datetime.now().replace(microsecond=0)


def today_of(clock: Clock) -> date:
    """The calendar day of ``clock``."""
    return clock().date()
