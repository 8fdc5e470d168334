"""Retention (UU 27/2022, R-28): what the agency recorded is kept only as long as configured.

The purge redacts in place instead of deleting rows, so every report's counts stay right and
the audit chain is not touched (its records stay verifiable):

- the answer kind (deceased, non-active, duplicate, …) next to a closed case's NIK hash, after
  ``answer_kind_days`` (0: at the first purge after closure) — no lasting civil-status record;
- a closed case's NIK hash, purpose, note and numbers after ``case_days``, once nothing is owed;
- a delivered data balikan item's NIK hash and fields after ``delivered_item_days``;
- confirmed data balikan export records (and their item links) after ``export_record_days``;
- audit details (:mod:`app.services.audit_redaction`): the answer kind in the audit records of a
  closed case together with the case's own, every other detail after ``audit_detail_days``.
  The records stay in the chain, sealed: ``loket audit verify`` still passes, and still fails on
  an edited record, redacted or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.audit_redaction import redact_details
from app.services.persistence.models import (
    AuditRecord,
    BalikanExport,
    BalikanExportItem,
    BalikanItem,
    CaseRow,
)
from app.services.settings import RetentionSettings

_FINISHED = ("closed", "cancelled")


def _rows(result: object) -> int:
    """Rows an UPDATE/DELETE touched."""
    return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """How many rows each step redacted or deleted."""

    answer_kinds: int
    cases: int
    delivered_items: int
    export_records: int
    audit_details: int = 0

    @property
    def total(self) -> int:
        """Rows touched in all."""
        return (
            self.answer_kinds
            + self.cases
            + self.delivered_items
            + self.export_records
            + self.audit_details
        )


def purge(
    sessions: sessionmaker[Session],
    audit: AuditTrail,
    retention: RetentionSettings,
    now: datetime,
    actor: str = "system",
) -> PurgeResult:
    """Apply the retention periods as of ``now`` (audited with counts): audit details first,
    in short transactions of their own, then everything else in one transaction."""
    closed_cases = select(CaseRow.number).where(
        CaseRow.state.in_(_FINISHED),
        CaseRow.closed_at < now - timedelta(days=retention.answer_kind_days),
    )
    # the answer kind next to a NIK hash in the trail goes with the case's own; in short
    # transactions of their own (a first purge of a long trail must not hold the counters up)
    audit_details = redact_details(
        sessions,
        audit.key,
        AuditRecord.case_number.in_(closed_cases),
        AuditRecord.nik_hash.is_not(None),
        AuditRecord.detail.contains('"outcome"'),
    )
    audit_details += redact_details(
        sessions, audit.key, AuditRecord.at < now - timedelta(days=retention.audit_detail_days)
    )
    with sessions.begin() as session:
        answer_kinds_result = session.execute(
            update(CaseRow)
            .where(
                CaseRow.state.in_(_FINISHED),
                CaseRow.closed_at < now - timedelta(days=retention.answer_kind_days),
                CaseRow.last_outcome.is_not(None),
            )
            .values(last_outcome=None)
        )
        owed = exists().where(
            BalikanItem.case_number == CaseRow.number, BalikanItem.status != "delivered"
        )
        cases_result = session.execute(
            update(CaseRow)
            .where(
                CaseRow.state.in_(_FINISHED),
                CaseRow.closed_at < now - timedelta(days=retention.case_days),
                CaseRow.nik_hash.is_not(None),
                ~owed,
            )
            .values(
                nik_hash=None,
                purpose="",
                note=None,
                document_number=None,
                recipient_number=None,
            )
            .execution_options(synchronize_session=False)
        )
        items_result = session.execute(
            update(BalikanItem)
            .where(
                BalikanItem.status == "delivered",
                BalikanItem.delivered_at < now - timedelta(days=retention.delivered_item_days),
                BalikanItem.nik_hash != "",
            )
            .values(nik_hash="", nik_ciphertext=None, params="{}", fields="[]")
        )
        old_exports = select(BalikanExport.id).where(
            BalikanExport.confirmed_at.is_not(None),
            BalikanExport.confirmed_at < now - timedelta(days=retention.export_record_days),
        )
        session.execute(
            delete(BalikanExportItem).where(BalikanExportItem.export_id.in_(old_exports))
        )
        exports_result = session.execute(
            delete(BalikanExport).where(BalikanExport.id.in_(old_exports))
        )
        answer_kinds, cases = _rows(answer_kinds_result), _rows(cases_result)
        items, exports = _rows(items_result), _rows(exports_result)
        result = PurgeResult(answer_kinds, cases, items, exports, audit_details)
        audit.append(
            session,
            actor,
            "retention.purged",
            detail={
                "answer_kinds": answer_kinds,
                "cases": cases,
                "delivered_items": items,
                "export_records": exports,
                "audit_details": audit_details,
            },
        )
    return result


_LAST_PURGE = "retention_last_purge"


def purge_if_due(
    sessions: sessionmaker[Session],
    audit: AuditTrail,
    retention: RetentionSettings,
    now: datetime,
) -> PurgeResult | None:
    """The daily purge: run once per day (the first call of the day on any counter)."""
    from app.services.persistence.models import MetaValue

    today = now.date().isoformat()
    with sessions.begin() as session:
        mark = session.get(MetaValue, _LAST_PURGE, with_for_update=True)
        if mark is not None and mark.value == today:
            return None
        if mark is None:
            session.add(MetaValue(key=_LAST_PURGE, value=today))
        else:
            mark.value = today
    return purge(sessions, audit, retention, now)


def run_retention_cli(argv: list[str], open_services: object) -> int:
    """``loket retention show|purge``: the periods in force, or purge now (audited)."""
    import argparse
    from collections.abc import Callable
    from typing import cast

    parser = argparse.ArgumentParser(
        prog="loket retention",
        description="Retention periods ([retention] in the administrator file) and the purge.",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("show", help="the retention periods in force (days)")
    sub.add_parser("purge", help="apply them now (the app also does it once a day)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    services = cast("Callable[[], Any]", open_services)()
    try:
        retention = services.core.settings.retention
        if args.action == "show":
            for name in RetentionSettings.__dataclass_fields__:
                print(f"{name} = {getattr(retention, name)}")
            return 0
        result = purge(services.core.sessions, services.audit, retention, services.clock())
        print(
            f"purged: {result.answer_kinds} answer kind(s), {result.cases} case(s), "
            f"{result.delivered_items} delivered item(s), {result.export_records} export "
            f"record(s), {result.audit_details} audit detail(s)"
        )
        return 0
    finally:
        services.core.close()
