"""Pattern guard rules (R-07) with the default thresholds, exhaustively at the edges."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.guard_rules import (
    GuardRule,
    GuardThresholds,
    LookupFingerprint,
    evaluate,
    retention,
)

T = GuardThresholds()
NOW = datetime(2026, 11, 23, 10, 0, 0)


def fp(
    prefix: str, serial: int, *, minutes_ago: float = 0, officer: int = 1, nik: str | None = None
) -> LookupFingerprint:
    return LookupFingerprint(
        at=NOW - timedelta(minutes=minutes_ago),
        officer_id=officer,
        prefix_hash=prefix,
        nik_hash=nik or f"{prefix}-{serial}",
        serial=serial,
    )


def test_first_lookup_allowed() -> None:
    verdict = evaluate(fp("A", 1), [], T)
    assert verdict.allowed
    assert verdict.message == ""


@pytest.mark.parametrize("distance", range(0, 12))
def test_neighbour_serials_within_the_hour(distance: int) -> None:
    earlier = fp("A", 100, minutes_ago=59, officer=2)
    candidate = fp("A", 100 + distance, nik="other" if distance == 0 else None)
    verdict = evaluate(candidate, [earlier], T)
    if distance <= 5:
        assert verdict.rule is GuardRule.NEIGHBOUR
        assert verdict.overridable
    else:
        assert verdict.allowed


def test_neighbour_outside_the_window_is_allowed() -> None:
    earlier = fp("A", 100, minutes_ago=61, officer=2)
    assert evaluate(fp("A", 101), [earlier], T).allowed


def test_neighbour_needs_the_same_first_twelve_digits() -> None:
    earlier = fp("B", 100, minutes_ago=5, officer=2)
    assert evaluate(fp("A", 101), [earlier], T).allowed


def test_the_same_resident_again_is_not_a_pattern() -> None:
    earlier = fp("A", 100, minutes_ago=5, officer=2, nik="same")
    assert evaluate(fp("A", 100, nik="same"), [earlier], T).allowed


def test_burst_of_three_with_the_same_prefix_in_thirty_minutes() -> None:
    history = [fp("A", 100, minutes_ago=29, officer=2), fp("A", 300, minutes_ago=20, officer=3)]
    verdict = evaluate(fp("A", 600), history, T)
    assert verdict.rule is GuardRule.BURST
    assert verdict.overridable
    assert evaluate(fp("A", 600), history[:1], T).allowed
    old = [fp("A", 100, minutes_ago=31, officer=2), fp("A", 300, minutes_ago=20, officer=3)]
    assert evaluate(fp("A", 600), old, T).allowed


@pytest.mark.parametrize(("seconds", "allowed"), [(5, False), (19, False), (20, True), (60, True)])
def test_same_officer_too_fast(seconds: int, allowed: bool) -> None:
    earlier = fp("B", 7, minutes_ago=seconds / 60)
    verdict = evaluate(fp("A", 1), [earlier], T)
    assert verdict.allowed is allowed
    if not allowed:
        assert verdict.rule is GuardRule.TOO_FAST
        assert not verdict.overridable
        assert 1 <= verdict.retry_after_seconds <= 20


def test_other_officers_are_not_rate_limited_together() -> None:
    earlier = fp("B", 7, minutes_ago=0.05, officer=2)
    assert evaluate(fp("A", 1), [earlier], T).allowed


def test_retention_covers_every_window() -> None:
    assert retention(T) == timedelta(minutes=60)
    assert retention(
        GuardThresholds(neighbour_window_minutes=10, burst_window_minutes=45)
    ) == timedelta(minutes=45)


@given(
    st.lists(
        st.tuples(st.sampled_from("AB"), st.integers(1, 40), st.floats(0, 120), st.integers(1, 3)),
        max_size=12,
    ),
    st.integers(1, 40),
)
def test_rules_hold_on_random_histories(
    history_spec: list[tuple[str, int, float, int]], serial: int
) -> None:
    history = [fp(p, s, minutes_ago=m, officer=o) for p, s, m, o in history_spec]
    candidate = fp("A", serial, officer=1)
    verdict = evaluate(candidate, history, T)
    too_fast = any(h.officer_id == 1 and (NOW - h.at).total_seconds() < 20 for h in history)
    neighbour = any(
        h.prefix_hash == "A"
        and h.nik_hash != candidate.nik_hash
        and abs(h.serial - serial) <= 5
        and (NOW - h.at) <= timedelta(minutes=60)
        for h in history
    )
    burst = (
        len(
            {
                h.nik_hash
                for h in history
                if h.prefix_hash == "A"
                and h.nik_hash != candidate.nik_hash
                and (NOW - h.at) <= timedelta(minutes=30)
            }
        )
        >= 2
    )
    assert verdict.allowed is not (too_fast or neighbour or burst)
    if too_fast:
        assert verdict.rule is GuardRule.TOO_FAST
