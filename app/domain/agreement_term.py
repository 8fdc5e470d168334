"""The agreement's term (R-27): reminders before the end, no access after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

REMINDER_MONTHS = 2


class TermPhase(Enum):
    """Where today falls in the agreement's term."""

    NOT_STARTED = "not_started"
    ACTIVE = "active"
    RENEWAL_DUE = "renewal_due"
    #: After the end date, the renewal was requested in writing: service continues under the
    #: SPTJM until the addendum is signed, at the latest until the administrator's limit date.
    RENEWAL_REQUESTED = "renewal_requested"
    ENDED = "ended"
    UNKNOWN = "unknown"


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (clamped to the month's last day)."""
    month = day.month - months
    year = day.year
    while month < 1:
        month += 12
        year -= 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class TermStatus:
    """The term as it stands today."""

    phase: TermPhase
    days_left: int | None

    @property
    def lookups_allowed(self) -> bool:
        """Lookups and card reads are unlawful before the start and after the end (unless
        the renewal was requested and its limit date has not passed)."""
        return self.phase in (
            TermPhase.ACTIVE,
            TermPhase.RENEWAL_DUE,
            TermPhase.RENEWAL_REQUESTED,
            TermPhase.UNKNOWN,
        )


def term_status(
    today: date, start: date | None, end: date | None, renewal_limit: date | None = None
) -> TermStatus:
    """Classify ``today`` against the term (the end date is the last lawful day).

    ``renewal_limit`` is set only while a renewal request is on record: after the end date,
    service continues (under the SPTJM) up to and including that day, never after it.
    """
    if start and today < start:
        return TermStatus(TermPhase.NOT_STARTED, None)
    if end is None:
        return TermStatus(TermPhase.UNKNOWN, None)
    if today > end:
        if renewal_limit is not None and today <= renewal_limit:
            return TermStatus(TermPhase.RENEWAL_REQUESTED, (renewal_limit - today).days)
        return TermStatus(TermPhase.ENDED, 0)
    days_left = (end - today).days
    if today >= months_before(end, REMINDER_MONTHS):
        return TermStatus(TermPhase.RENEWAL_DUE, days_left)
    return TermStatus(TermPhase.ACTIVE, days_left)
