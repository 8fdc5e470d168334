"""Tables of the supervisor's duties: report submissions and incident records.

Counts and the agency's own facts only; never population data or a resident's identity.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    TextClause,
    and_,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.services.persistence.models import (
    AuditRecord,
    BalikanItem,
    Base,
    CaseRow,
    Lockout,
    LookupRow,
)


class ReportSubmission(Base):
    """A usage report handed to the Dinas (Pasal 8, R-21): when, how and its reference."""

    __tablename__ = "report_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, index=True)
    period_end: Mapped[date] = mapped_column(Date)
    submitted_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    counter_id: Mapped[str] = mapped_column(String(64))


class Incident(Base):
    """A personal-data incident (UU 27/2022 Pasal 46): counts, never identities."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    summary: Mapped[str] = mapped_column(Text)
    occurred_from: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    occurred_to: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    discovered_at: Mapped[datetime] = mapped_column(DateTime)
    counters: Mapped[str] = mapped_column(String(255))
    residents: Mapped[int] = mapped_column(Integer, default=0)
    measures: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    notified_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


#: The audit actions looked up by period (the reports' card reads, refusals, overrides and
#: lock-outs; the officers' record of changes). Only these are in the ``(action, at)`` index
#: (migration 0011): a case step's record would add an entry no report reads.
REPORTED_ACTIONS = (
    "card.read",
    "guard.refused",
    "quota.refused",
    "lookup.refused",
    "guard.override",
    "login.locked",
    "officer.created",
    "officer.disabled",
    "officer.enabled",
    "officer.role_changed",
    "officer.nda_recorded",
    "officer.details_recorded",
)


def reported_actions() -> TextClause:
    """The partial index's own condition, as literal text (queries use it through
    :func:`action_in_reported`)."""
    quoted = ", ".join(f"'{action}'" for action in REPORTED_ACTIONS)
    return text(f"action IN ({quoted})")


def action_in_reported(actions: Collection[str]) -> ColumnElement[bool]:
    """``action IN actions`` for a look-up by period, with the index's condition repeated:
    SQLite uses a partial index only when the query states its condition (bound parameters
    do not match it). An action the index does not hold is refused (its look-up would read
    the whole trail)."""
    missing = sorted(set(actions) - set(REPORTED_ACTIONS))
    if missing:
        raise ValueError(f"not in the reported-actions index: {missing}")
    return and_(AuditRecord.action.in_(tuple(actions)), reported_actions())


# Date-bounded report queries (issue 17): the reported actions by time, created/delivered by time.
Index(
    "ix_audit_log_reported",
    AuditRecord.action,
    AuditRecord.at,
    sqlite_where=reported_actions(),
    postgresql_where=reported_actions(),
)
# The record of processing: the records that name a NIK (partial, migration 0010).
Index(
    "ix_audit_log_nik_hash",
    AuditRecord.nik_hash,
    sqlite_where=AuditRecord.nik_hash.is_not(None),
    postgresql_where=AuditRecord.nik_hash.is_not(None),
)
# Group-first indexes (migration 0009): with planner statistics SQLite skip-scans each
# group's period and counts it in index order, so a semester's rows are never sorted.
Index(
    "ix_lookups_groups",
    LookupRow.outcome,
    LookupRow.officer_id,
    LookupRow.method,
    LookupRow.counter_id,
    LookupRow.at,
)
Index(
    "ix_cases_groups",
    func.coalesce(CaseRow.decision, CaseRow.state),
    CaseRow.counter_id,
    CaseRow.opened_at,
)
Index("ix_lookups_hour", func.substr(LookupRow.at, 12, 2), LookupRow.at).ddl_if(dialect="sqlite")
Index("ix_balikan_items_created_at", BalikanItem.created_at)
Index("ix_balikan_items_delivered_at", BalikanItem.delivered_at)
Index("ix_lockouts_set_at", Lockout.set_at)
