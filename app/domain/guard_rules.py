"""The pattern guard (R-07): refuse sequential, patterned or rapid NIK entry.

Pure rules over a window of earlier lookups. NIKs are never seen here in the
clear: a lookup is described by keyed hashes of the NIK and of its first 12
digits, plus the 4-digit serial (which alone identifies nobody).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from app.domain.i18n import N_, _


@dataclass(frozen=True, slots=True)
class GuardThresholds:
    """Thresholds (settings ``[guard]``)."""

    neighbour_window_minutes: int = 60
    neighbour_serial_distance: int = 5
    burst_window_minutes: int = 30
    burst_count: int = 3
    min_seconds_between_lookups: int = 20


@dataclass(frozen=True, slots=True)
class LookupFingerprint:
    """What the guard knows of one lookup."""

    at: datetime
    officer_id: int
    prefix_hash: str
    nik_hash: str
    serial: int


class GuardRule(Enum):
    """Why a lookup was refused."""

    NEIGHBOUR = "neighbour"
    BURST = "burst"
    TOO_FAST = "too_fast"


GUARD_MESSAGES: dict[GuardRule, str] = {
    GuardRule.NEIGHBOUR: N_(
        "Refused: a NIK differing only in the last digits was looked up within the hour. "
        "Sequential NIK entry is not allowed. If the applicant is really here (twins, family "
        "at the counter), a supervisor can allow this one lookup with a reason."
    ),
    GuardRule.BURST: N_(
        "Refused: too many NIKs from the same region and birth date were looked up in a short "
        "time. If the applicants are really here, a supervisor can allow this one lookup "
        "with a reason."
    ),
    GuardRule.TOO_FAST: N_(
        "Refused: lookups are too close together. Serve the applicant in front of you, then "
        "try again in a few seconds."
    ),
}


@dataclass(frozen=True, slots=True)
class GuardVerdict:
    """The guard's answer for one candidate lookup."""

    rule: GuardRule | None
    retry_after_seconds: int = 0

    @property
    def allowed(self) -> bool:
        """True when no rule refused the lookup."""
        return self.rule is None

    @property
    def message(self) -> str:
        """Translated explanation for the officer ("" when allowed)."""
        return _(GUARD_MESSAGES[self.rule]) if self.rule else ""

    @property
    def overridable(self) -> bool:
        """A supervisor may override pattern refusals, not the rate limit."""
        return self.rule in (GuardRule.NEIGHBOUR, GuardRule.BURST)


def retention(thresholds: GuardThresholds) -> timedelta:
    """How long fingerprints must be kept for the rules to work (then purged)."""
    minutes = max(thresholds.neighbour_window_minutes, thresholds.burst_window_minutes)
    return max(
        timedelta(minutes=minutes), timedelta(seconds=thresholds.min_seconds_between_lookups)
    )


def evaluate(
    candidate: LookupFingerprint,
    history: Iterable[LookupFingerprint],
    thresholds: GuardThresholds,
) -> GuardVerdict:
    """Apply the three rules; the same resident looked up again never counts as a pattern."""
    earlier = [h for h in history if h.at <= candidate.at]
    own = [h for h in earlier if h.officer_id == candidate.officer_id]
    if own and thresholds.min_seconds_between_lookups > 0:
        last = max(h.at for h in own)
        gap = (candidate.at - last).total_seconds()
        if gap < thresholds.min_seconds_between_lookups:
            wait = max(1, math.ceil(thresholds.min_seconds_between_lookups - gap))
            return GuardVerdict(GuardRule.TOO_FAST, retry_after_seconds=wait)
    others = [
        h
        for h in earlier
        if h.prefix_hash == candidate.prefix_hash and h.nik_hash != candidate.nik_hash
    ]
    neighbour_since = candidate.at - timedelta(minutes=thresholds.neighbour_window_minutes)
    for h in others:
        close = abs(h.serial - candidate.serial) <= thresholds.neighbour_serial_distance
        if h.at >= neighbour_since and close:
            return GuardVerdict(GuardRule.NEIGHBOUR)
    burst_since = candidate.at - timedelta(minutes=thresholds.burst_window_minutes)
    distinct = {h.nik_hash for h in others if h.at >= burst_since}
    if thresholds.burst_count > 0 and len(distinct) + 1 >= thresholds.burst_count:
        return GuardVerdict(GuardRule.BURST)
    return GuardVerdict(None)
