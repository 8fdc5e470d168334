"""The pattern guard's storage side: keyed fingerprints for its window, purged after it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from app.domain.guard_rules import (
    GuardThresholds,
    GuardVerdict,
    LookupFingerprint,
    evaluate,
    retention,
)
from app.services.keys import KeyRing
from app.services.persistence.models import GuardHit

_LOCK_ID = 0x47554152  # "GUAR": evaluate-and-record is atomic across counters on PostgreSQL
# Built once: Core statements on the hot path (no ORM objects, cached compilation).
_PURGE = delete(GuardHit).where(GuardHit.at < bindparam("horizon"))
_WINDOW = select(
    GuardHit.at, GuardHit.officer_id, GuardHit.prefix_hash, GuardHit.nik_hash, GuardHit.serial
).where(GuardHit.at >= bindparam("horizon"))
_RECORD = insert(GuardHit)


class PatternGuard:
    """Evaluates a lookup against the agency-wide window and records it."""

    def __init__(self, thresholds: GuardThresholds, keys: KeyRing) -> None:
        self.thresholds = thresholds
        self._keys = keys

    def fingerprint(self, nik: str, officer_id: int, at: datetime) -> LookupFingerprint:
        """The guard's view of a lookup (no NIK in the clear)."""
        return LookupFingerprint(
            at=at,
            officer_id=officer_id,
            prefix_hash=self._keys.prefix_hash(nik),
            nik_hash=self._keys.nik_hash(nik),
            serial=int(nik[12:]),
        )

    def check(self, session: Session, candidate: LookupFingerprint) -> GuardVerdict:
        """Purge expired fingerprints, then evaluate ``candidate`` against the rest."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        horizon = candidate.at - retention(self.thresholds)
        connection = session.connection()  # Core: no ORM objects for rows only read here
        connection.execute(_PURGE, {"horizon": horizon})
        history = [
            LookupFingerprint(at, officer_id, prefix_hash, nik_hash, serial)
            for at, officer_id, prefix_hash, nik_hash, serial in connection.execute(
                _WINDOW, {"horizon": horizon}
            )
        ]
        return evaluate(candidate, history, self.thresholds)

    def record(self, session: Session, fingerprint: LookupFingerprint) -> None:
        """Remember a lookup that went ahead."""
        session.connection().execute(
            _RECORD,
            {
                "at": fingerprint.at,
                "officer_id": fingerprint.officer_id,
                "prefix_hash": fingerprint.prefix_hash,
                "nik_hash": fingerprint.nik_hash,
                "serial": fingerprint.serial,
            },
        )
