"""The pattern guard's storage side: keyed fingerprints for its window, purged after it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, text
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
        session.execute(delete(GuardHit).where(GuardHit.at < horizon))
        rows = session.execute(select(GuardHit).where(GuardHit.at >= horizon)).scalars()
        history = [
            LookupFingerprint(r.at, r.officer_id, r.prefix_hash, r.nik_hash, r.serial) for r in rows
        ]
        return evaluate(candidate, history, self.thresholds)

    def record(self, session: Session, fingerprint: LookupFingerprint) -> None:
        """Remember a lookup that went ahead."""
        session.add(
            GuardHit(
                at=fingerprint.at,
                officer_id=fingerprint.officer_id,
                prefix_hash=fingerprint.prefix_hash,
                nik_hash=fingerprint.nik_hash,
                serial=fingerprint.serial,
            )
        )
        session.flush()
