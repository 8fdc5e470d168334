"""What an officer with bad intent does to the audit trail, with SQL and (where said) the key."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from app.domain.audit_chain import GENESIS, AuditEntry, entry_hash, hashed_fields
from app.services.persistence.models import AuditRecord, MetaValue

Tamper = Callable[[Engine, bytes], None]


def _set_head(session: Session) -> None:
    last = session.execute(
        select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
    ).first()
    head = session.get(MetaValue, "audit_head")
    assert head is not None and last is not None
    head.value = f"{last.seq}:{last.hash}"


def erase_all(engine: Engine, _key: bytes) -> None:
    """Delete every record and the head row."""
    with Session(engine) as session, session.begin():
        session.execute(delete(AuditRecord))
        session.execute(delete(MetaValue).where(MetaValue.key == "audit_head"))


def delete_head(engine: Engine, _key: bytes) -> None:
    """Delete only the head row."""
    with Session(engine) as session, session.begin():
        session.execute(delete(MetaValue).where(MetaValue.key == "audit_head"))


def truncate_newest(count: int) -> Tamper:
    """Delete the newest ``count`` records and make the head name the new last one."""

    def tamper(engine: Engine, _key: bytes) -> None:
        with Session(engine) as session, session.begin():
            last = session.execute(select(func.max(AuditRecord.seq))).scalar_one()
            session.execute(delete(AuditRecord).where(AuditRecord.seq > last - count))
            session.flush()
            _set_head(session)

    return tamper


def rechain(session: Session, key: bytes) -> None:
    """Renumber and re-hash every remaining record with the key (as the officer would)."""
    rows = session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars().all()
    for row in rows:  # out of the way of the unique seq first
        row.seq = -row.seq
    session.flush()
    prev = GENESIS
    for number, row in enumerate(rows, start=1):
        entry = AuditEntry(
            number,
            row.at,
            row.actor,
            row.counter_id,
            row.action,
            row.case_number,
            row.nik_hash,
            row.detail,
            prev,
            "",
        )
        row.seq, row.prev_hash = number, prev
        row.hash = entry_hash(key, prev, hashed_fields(entry))
        prev = row.hash
    session.flush()
    _set_head(session)


def remove_case_and_rechain(case_number: str) -> Tamper:
    """Delete every record of one case, then re-chain the rest with the key."""

    def tamper(engine: Engine, key: bytes) -> None:
        with Session(engine) as session, session.begin():
            session.execute(delete(AuditRecord).where(AuditRecord.case_number == case_number))
            rechain(session, key)

    return tamper


def edit(seq: int) -> Tamper:
    """Change who did record ``seq`` (no key)."""

    def tamper(engine: Engine, _key: bytes) -> None:
        with Session(engine) as session, session.begin():
            session.execute(
                update(AuditRecord).where(AuditRecord.seq == seq).values(actor="orang-lain")
            )

    return tamper


def reorder(first: int, second: int) -> Tamper:
    """Swap the places of two records (no key)."""

    def tamper(engine: Engine, _key: bytes) -> None:
        with Session(engine) as session, session.begin():
            session.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = :a"), {"a": first})
            session.execute(
                text("UPDATE audit_log SET seq = :a WHERE seq = :b"), {"a": first, "b": second}
            )
            session.execute(text("UPDATE audit_log SET seq = :b WHERE seq = -1"), {"b": second})

    return tamper


def remove_case_rechain_and_pad(case_number: str) -> Tamper:
    """As :func:`remove_case_and_rechain`, then append harmless records with the key until
    the trail is as long as before (so a printed record count still matches)."""

    def tamper(engine: Engine, key: bytes) -> None:
        from app.services.audit import AuditTrail

        with Session(engine) as session, session.begin():
            before = session.execute(select(func.max(AuditRecord.seq))).scalar_one()
            session.execute(delete(AuditRecord).where(AuditRecord.case_number == case_number))
            rechain(session, key)
            trail = AuditTrail(key, "LOKET-DEMO")
            while session.execute(select(func.max(AuditRecord.seq))).scalar_one() < before:
                trail.append(session, "petugas", "login.ok")

    return tamper
