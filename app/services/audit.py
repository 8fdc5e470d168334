"""Append-only, hash-chained audit trail (R-13, R-28): who did what, when; no record fields."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.domain.audit_chain import (
    GENESIS,
    AuditEntry,
    ChainProblem,
    entry_hash,
    hashed_fields,
    verify_chain,
)
from app.services.clock import Clock, system_clock
from app.services.persistence.models import AuditRecord, MetaValue

_LOCK_ID = 0x41554449  # "AUDI": one appender at a time on PostgreSQL
_HEAD_KEY = "audit_head"
_FORBIDDEN_DETAIL_KEYS = frozenset({"nik", "record", "name", "nama", "address", "alamat"})


class AuditDetailError(ValueError):
    """Audit details must never carry population data."""


@dataclass
class AuditTrail:
    """Appends to and verifies the chain."""

    key: bytes
    counter_id: str
    clock: Clock = system_clock

    def append(
        self,
        session: Session,
        actor: str,
        action: str,
        *,
        case_number: str | None = None,
        nik_hash: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> AuditRecord:
        """Add one record in the caller's transaction."""
        payload = dict(detail or {})
        bad = _FORBIDDEN_DETAIL_KEYS & {k.lower() for k in payload}
        if bad:
            raise AuditDetailError(f"audit detail may not hold {sorted(bad)}")
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        last = session.execute(
            select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)
        ).scalar_one_or_none()
        seq = 1 if last is None else last.seq + 1
        prev = GENESIS if last is None else last.hash
        entry = AuditEntry(
            seq=seq,
            at=self.clock(),
            actor=actor,
            counter_id=self.counter_id,
            action=action,
            case_number=case_number,
            nik_hash=nik_hash,
            detail=json.dumps(payload, sort_keys=True, default=str),
            prev_hash=prev,
            hash="",
        )
        digest = entry_hash(self.key, prev, hashed_fields(entry))
        row = AuditRecord(
            seq=seq,
            at=entry.at,
            actor=actor,
            counter_id=self.counter_id,
            action=action,
            case_number=case_number,
            nik_hash=nik_hash,
            detail=entry.detail,
            prev_hash=prev,
            hash=digest,
        )
        session.add(row)
        head = session.get(MetaValue, _HEAD_KEY)
        if head is None:
            session.add(MetaValue(key=_HEAD_KEY, value=f"{seq}:{digest}"))
        else:
            head.value = f"{seq}:{digest}"
        session.flush()
        return row

    def verify(self, session: Session) -> ChainProblem | None:
        """The first broken record, or None when the whole chain is intact."""
        rows = session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars().all()
        entries = [
            AuditEntry(
                seq=r.seq,
                at=r.at,
                actor=r.actor,
                counter_id=r.counter_id,
                action=r.action,
                case_number=r.case_number,
                nik_hash=r.nik_hash,
                detail=r.detail,
                prev_hash=r.prev_hash,
                hash=r.hash,
            )
            for r in rows
        ]
        problem = verify_chain(self.key, entries)
        if problem is not None:
            return problem
        head = session.get(MetaValue, _HEAD_KEY)
        if head is not None:
            head_seq = int(head.value.split(":", 1)[0])
            last_seq = entries[-1].seq if entries else 0
            if head_seq != last_seq or (
                entries and head.value.split(":", 1)[1] != entries[-1].hash
            ):
                return ChainProblem(min(head_seq, last_seq + 1), "removed")
        return None
