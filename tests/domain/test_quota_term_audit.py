"""Quota levels, agreement term phases and the audit hash chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from app.domain.agreement_term import TermPhase, months_before, term_status
from app.domain.audit_chain import GENESIS, AuditEntry, entry_hash, hashed_fields, verify_chain
from app.domain.quota_rules import QuotaLevel, QuotaStatus


@pytest.mark.parametrize(
    ("used", "limit", "gateway_left", "left", "level"),
    [
        (0, 200, None, 200, QuotaLevel.OK),
        (159, 200, None, 41, QuotaLevel.OK),
        (160, 200, None, 40, QuotaLevel.WARNING),
        (190, 200, None, 10, QuotaLevel.CRITICAL),
        (200, 200, None, 0, QuotaLevel.EXHAUSTED),
        (10, 200, 0, 0, QuotaLevel.EXHAUSTED),
        (10, 200, 5, 5, QuotaLevel.CRITICAL),
        (10, None, None, None, QuotaLevel.UNLIMITED),
        (10, None, 3, 3, QuotaLevel.OK),
        (10, None, 0, 0, QuotaLevel.EXHAUSTED),
    ],
)
def test_quota_levels(
    used: int, limit: int | None, gateway_left: int | None, left: int | None, level: QuotaLevel
) -> None:
    status = QuotaStatus(used, limit, gateway_left)
    assert status.left == left
    assert status.level() is level


@pytest.mark.parametrize(
    ("today", "phase", "allowed"),
    [
        (date(2025, 9, 15), TermPhase.NOT_STARTED, False),
        (date(2025, 9, 16), TermPhase.ACTIVE, True),
        (date(2027, 7, 15), TermPhase.ACTIVE, True),
        (date(2027, 7, 16), TermPhase.RENEWAL_DUE, True),
        (date(2027, 9, 16), TermPhase.RENEWAL_DUE, True),
        (date(2027, 9, 17), TermPhase.ENDED, False),
    ],
)
def test_agreement_term(today: date, phase: TermPhase, allowed: bool) -> None:
    status = term_status(today, date(2025, 9, 16), date(2027, 9, 16))
    assert status.phase is phase
    assert status.lookups_allowed is allowed


def test_months_before_clamps_to_month_end() -> None:
    assert months_before(date(2027, 4, 30), 2) == date(2027, 2, 28)
    assert months_before(date(2027, 1, 31), 2) == date(2026, 11, 30)
    assert term_status(date(2027, 1, 1), None, None).phase is TermPhase.UNKNOWN


KEY = b"k" * 32


def chain(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        entry = AuditEntry(
            seq,
            datetime(2026, 11, 23, 9, seq),
            "petugas1",
            "LOKET-1",
            "case.opened",
            f"C-{seq}",
            None,
            "{}",
            prev,
            "",
        )
        entry = replace(entry, hash=entry_hash(KEY, prev, hashed_fields(entry)))
        entries.append(entry)
        prev = entry.hash
    return entries


def test_intact_chain_verifies() -> None:
    assert verify_chain(KEY, chain(6)) is None
    assert verify_chain(KEY, []) is None


def test_edit_removal_and_reorder_are_named() -> None:
    entries = chain(6)
    edited = [*entries]
    edited[3] = replace(edited[3], actor="someone-else")
    assert verify_chain(KEY, edited).seq == 4  # type: ignore[union-attr]
    assert verify_chain(KEY, edited).reason == "edited"  # type: ignore[union-attr]
    removed = entries[:2] + entries[3:]
    problem = verify_chain(KEY, removed)
    assert problem is not None and (problem.seq, problem.reason) == (3, "removed")
    swapped = [*entries]
    swapped[2], swapped[3] = replace(entries[3], seq=3), replace(entries[2], seq=4)
    problem = verify_chain(KEY, swapped)
    assert problem is not None and problem.seq == 3 and problem.reason == "reordered"
    assert verify_chain(b"x" * 32, entries) is not None  # a different key fails


@pytest.mark.parametrize(
    ("today", "phase", "allowed"),
    [
        (date(2027, 9, 16), TermPhase.RENEWAL_DUE, True),
        (date(2027, 9, 17), TermPhase.RENEWAL_REQUESTED, True),
        (date(2027, 12, 31), TermPhase.RENEWAL_REQUESTED, True),
        (date(2028, 1, 1), TermPhase.ENDED, False),
    ],
)
def test_a_renewal_request_allows_service_up_to_its_limit(
    today: date, phase: TermPhase, allowed: bool
) -> None:
    status = term_status(today, date(2025, 9, 16), date(2027, 9, 16), date(2027, 12, 31))
    assert (status.phase, status.lookups_allowed) == (phase, allowed)


def test_without_a_renewal_request_everything_stops_at_the_end() -> None:
    status = term_status(date(2027, 9, 17), date(2025, 9, 16), date(2027, 9, 16))
    assert (status.phase, status.lookups_allowed) == (TermPhase.ENDED, False)
