"""The figures of a usage report, counted by SQL aggregation over date-bounded queries.

Every query is bounded by the period (``at``/``opened_at``/``set_at`` between the bounds,
each column indexed), groups in the database and returns a handful of rows, so a semester of
200 000 cases costs the same memory as a day. Counts only: no row, NIK hash or record field
leaves this module.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, extract, func, literal_column, select
from sqlalchemy.orm import Session, sessionmaker

from app.services.persistence.models import (
    AuditRecord,
    BalikanItem,
    CaseRow,
    Lockout,
    LookupRow,
    Officer,
    QuotaDay,
)
from app.services.persistence.planner import refresh_statistics
from app.services.persistence.supervisor_models import action_in_reported

#: Audit actions counted in a report (the refusals, overrides and card reads).
CARD_READ = "card.read"
GUARD_REFUSED = "guard.refused"
QUOTA_REFUSED = "quota.refused"
LOOKUP_REFUSED = "lookup.refused"
GUARD_OVERRIDE = "guard.override"
ACCOUNT_LOCKED = "login.locked"
_COUNTED_ACTIONS = (
    CARD_READ,
    GUARD_REFUSED,
    QUOTA_REFUSED,
    LOOKUP_REFUSED,
    GUARD_OVERRIDE,
    ACCOUNT_LOCKED,
)


@dataclass
class ReportFigures:
    """Everything a daily or period report states, for one period and set of counters."""

    start: date
    end: date
    #: The counters asked for (empty: every counter on this database).
    counters_requested: tuple[str, ...] = ()
    #: The counters that actually recorded something in the period.
    counters_seen: tuple[str, ...] = ()
    cases_opened: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    hits: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    by_officer: Counter[str] = field(default_factory=Counter)
    by_method: Counter[str] = field(default_factory=Counter)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)
    card_reads: int = 0
    card_reads_demographic: int = 0
    guard_refusals: Counter[str] = field(default_factory=Counter)
    quota_refusals: int = 0
    other_refusals: int = 0
    overrides: int = 0
    access_lockouts: Counter[str] = field(default_factory=Counter)
    account_lockouts: int = 0
    quota_used: int = 0
    balikan_created: int = 0
    balikan_delivered: int = 0
    balikan_pending: int = 0

    @property
    def all_counters(self) -> bool:
        """True when the report covers every counter of the agency."""
        return not self.counters_requested

    @property
    def guard_refusals_total(self) -> int:
        """Lookups the pattern guard refused."""
        return sum(self.guard_refusals.values())

    @property
    def access_lockouts_total(self) -> int:
        """Access blocks set by the gateway's answers in the period."""
        return sum(self.access_lockouts.values())


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """``[start 00:00, end+1 00:00)``: the half-open range the queries use."""
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def _in_counters(column: Any, counters: Sequence[str]) -> list[ColumnElement[bool]]:
    return [column.in_(list(counters))] if counters else []


def compute_figures(
    sessions: sessionmaker[Session],
    start: date,
    end: date,
    counters: Sequence[str] = (),
) -> ReportFigures:
    """Count what happened from ``start`` to ``end`` (inclusive) at ``counters`` (all if empty).

    Quota, access lock-outs and the data balikan outbox are the agency's and shared by all
    counters on the database: they are counted for the agency whatever ``counters`` says.
    """
    if end < start:
        raise ValueError("the period ends before it starts")
    low, high = period_bounds(start, end)
    figures = ReportFigures(start, end, counters_requested=tuple(sorted(set(counters))))
    seen: set[str] = set()
    refresh_statistics(sessions)  # the group-first indexes are skip-scanned only with them
    with sessions() as session:
        _count_lookups(session, figures, low, high, counters, seen)
        _count_cases(session, figures, low, high, counters, seen)
        _count_audit(session, figures, low, high, counters, seen)
        _count_agency(session, figures, low, high)
    figures.counters_seen = tuple(sorted(seen))
    return figures


def _hour(session: Session) -> ColumnElement[Any]:
    """The hour of ``lookups.at``: SQLite stores ``YYYY-MM-DD HH:MM:SS`` text, so the two
    characters are cheaper than date parsing; elsewhere ``EXTRACT(HOUR …)``. On SQLite the
    expression is written with literals, exactly as the ``ix_lookups_hour`` index is, so
    the grouping reads that index in hour order instead of sorting the period."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(LookupRow.at, literal_column("12"), literal_column("2"))
    return extract("hour", LookupRow.at)


def _count_lookups(
    session: Session,
    figures: ReportFigures,
    low: datetime,
    high: datetime,
    counters: Sequence[str],
    seen: set[str],
) -> None:
    """Two grouped scans of the period's lookups: by outcome/method/officer/counter (a few
    dozen groups) and by hour (24); one combined grouping would sort 24 times as many groups."""
    bounded = (
        LookupRow.at >= low,
        LookupRow.at < high,
        *_in_counters(LookupRow.counter_id, counters),
    )
    rows = session.execute(
        select(
            LookupRow.outcome,
            LookupRow.officer_id,
            LookupRow.method,
            LookupRow.counter_id,
            func.count(),
        )
        .where(*bounded)
        .group_by(LookupRow.outcome, LookupRow.officer_id, LookupRow.method, LookupRow.counter_id)
    ).all()
    officer_ids = {row[1] for row in rows}
    names: dict[int, str] = {}
    if officer_ids:
        names = {
            officer_id: name
            for officer_id, name in session.execute(
                select(Officer.id, Officer.display_name).where(Officer.id.in_(officer_ids))
            )
        }
    for outcome, officer_id, method, counter_id, count in rows:
        figures.hits += count
        figures.by_outcome[outcome] += count
        figures.by_officer[names.get(officer_id, "?")] += count
        figures.by_method[method] += count
        seen.add(counter_id)
    hour = _hour(session)
    for at_hour, count in session.execute(
        select(hour, func.count()).where(*bounded).group_by(hour)
    ):
        figures.by_hour[int(at_hour) % 24] += count


def _count_cases(
    session: Session,
    figures: ReportFigures,
    low: datetime,
    high: datetime,
    counters: Sequence[str],
    seen: set[str],
) -> None:
    outcome = func.coalesce(CaseRow.decision, CaseRow.state)
    rows = session.execute(
        select(outcome, CaseRow.counter_id, func.count())
        .where(
            CaseRow.opened_at >= low,
            CaseRow.opened_at < high,
            *_in_counters(CaseRow.counter_id, counters),
        )
        .group_by(outcome, CaseRow.counter_id)
    ).all()
    for decision, counter_id, count in rows:
        figures.cases_opened += count
        figures.decisions[decision] += count
        seen.add(counter_id)


def _count_audit(
    session: Session,
    figures: ReportFigures,
    low: datetime,
    high: datetime,
    counters: Sequence[str],
    seen: set[str],
) -> None:
    """Card reads, refusals, overrides and account lock-outs from the audit trail.

    The partial ``(action, at)`` index bounds each action to the period. The detail is grouped only
    for the actions whose detail is a small closed set (the guard's rule, a card read's kind).
    """
    rows = session.execute(
        select(AuditRecord.action, AuditRecord.detail, AuditRecord.counter_id, func.count())
        .where(
            action_in_reported(_COUNTED_ACTIONS),  # the partial (action, at) index
            AuditRecord.at >= low,
            AuditRecord.at < high,
            *_in_counters(AuditRecord.counter_id, counters),
        )
        .group_by(AuditRecord.action, AuditRecord.detail, AuditRecord.counter_id)
    ).all()
    for action, detail, counter_id, count in rows:
        seen.add(counter_id)
        if action == CARD_READ:
            figures.card_reads += count
            if _detail(detail).get("demographic") is True:
                figures.card_reads_demographic += count
        elif action == GUARD_REFUSED:
            figures.guard_refusals[str(_detail(detail).get("rule") or "?")] += count
        elif action == QUOTA_REFUSED:
            figures.quota_refusals += count
        elif action == LOOKUP_REFUSED:
            figures.other_refusals += count
        elif action == GUARD_OVERRIDE:
            figures.overrides += count
        elif action == ACCOUNT_LOCKED:
            figures.account_lockouts += count


def _detail(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _count_agency(session: Session, figures: ReportFigures, low: datetime, high: datetime) -> None:
    figures.quota_used = int(
        session.execute(
            select(func.coalesce(func.sum(QuotaDay.used), 0)).where(
                QuotaDay.day >= figures.start, QuotaDay.day <= figures.end
            )
        ).scalar_one()
    )
    for kind, count in session.execute(
        select(Lockout.kind, func.count())
        .where(Lockout.set_at >= low, Lockout.set_at < high)
        .group_by(Lockout.kind)
    ):
        figures.access_lockouts[kind] += count
    figures.balikan_created = session.execute(
        select(func.count()).where(BalikanItem.created_at >= low, BalikanItem.created_at < high)
    ).scalar_one()
    figures.balikan_delivered = session.execute(
        select(func.count()).where(BalikanItem.delivered_at >= low, BalikanItem.delivered_at < high)
    ).scalar_one()
    figures.balikan_pending = session.execute(
        select(func.count()).where(BalikanItem.status != "delivered")
    ).scalar_one()
