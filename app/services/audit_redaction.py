"""Redaction of audit details past their retention, keeping the chain verifiable.

Each chosen record's detail is replaced by a sealed marker (:func:`app.domain.audit_chain.
redacted_detail`); its hash, links and every other field stay, so ``loket audit verify`` and
printed checkpoints still hold, and an edit of a redacted record is still found. A record whose
hash does not match its full detail is never sealed: the purge must not launder an edit.
On PostgreSQL the application role has no UPDATE on the trail; it seals through the owner's
function ``loket_redact_audit_detail`` (migration 0008), which can do nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Executable, Table, bindparam, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from app.domain.audit_chain import (
    REDACTED,
    AuditRow,
    canonical_row,
    hmac_sha256,
    redacted_detail,
    redaction_key,
)
from app.services.persistence.models import AuditRecord

_BATCH = 1_000
#: Never redacted: the purge's own record (counts only) and the key lifecycle's (key ids only).
#: Record 1 is never redacted either: which keys wrote the database is read from its full hash.
KEPT_ACTIONS = ("retention.purged",)
KEPT_PREFIX = "keys."


def _as_row(record: Sequence[Any]) -> AuditRow:
    seq, at, actor, counter, action, case, nik, detail, prev, digest = record
    return (seq, at.isoformat(), actor, counter, action, case, nik, detail, prev, digest)


_COLUMNS = (
    AuditRecord.seq,
    AuditRecord.at,
    AuditRecord.actor,
    AuditRecord.counter_id,
    AuditRecord.action,
    AuditRecord.case_number,
    AuditRecord.nik_hash,
    AuditRecord.detail,
    AuditRecord.prev_hash,
    AuditRecord.hash,
)


def redact_details(
    sessions: sessionmaker[Session], key: bytes, *conditions: ColumnElement[bool]
) -> int:
    """Seal-redact the details of the records matching ``conditions``; how many were redacted.

    Works in batches of seq order, one short transaction each (memory stays flat and the
    counters are not held up however many records qualify; a repeated run redacts the rest).
    """
    table = cast("Table", AuditRecord.__table__)
    with sessions() as probe:
        postgres = probe.get_bind().dialect.name == "postgresql"
    statement: Executable
    if postgres:
        # the application role may not UPDATE audit_log: the owner's function seals only
        statement = text("SELECT loket_redact_audit_detail(:s, :d)")
    else:
        statement = update(table).where(table.c.seq == bindparam("s")).values(detail=bindparam("d"))
    mac_of, seal_key = hmac_sha256(key), redaction_key(key)
    done, after = 0, 1  # record 1 is never redacted
    while True:
        with sessions.begin() as session:
            batch = session.execute(
                select(*_COLUMNS)
                .where(
                    AuditRecord.seq > after,
                    ~AuditRecord.detail.startswith(REDACTED),
                    AuditRecord.detail != "{}",
                    AuditRecord.action.not_in(KEPT_ACTIONS),
                    ~AuditRecord.action.startswith(KEPT_PREFIX),
                    *conditions,
                )
                .order_by(AuditRecord.seq)
                .limit(_BATCH)
            ).all()
            if not batch:
                return done
            changes = []
            for record in batch:
                row = _as_row(tuple(record))
                if mac_of(row[8].encode() + b"|" + canonical_row(row)) != row[9]:
                    continue  # edited already: left as it is, for verify to name
                changes.append({"s": row[0], "d": redacted_detail(seal_key, row)})
            if changes:
                session.connection().execute(statement, changes)
        done += len(changes)
        after = batch[-1][0]
