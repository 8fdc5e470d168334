"""The durable outbox: one item per resident whose data was accessed (R-18, R-20)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.clock import Clock, system_clock
from app.services.keys import KeyRing
from app.services.persistence.models import BalikanItem

PENDING = "pending"
DELIVERED = "delivered"
EXPORTED = "exported"
ATTENTION = "attention"


@dataclass(frozen=True, slots=True)
class BalikanParams:
    """The agreed ``param`` fields: recipient number or a note, and the programme."""

    programme: str
    number: str | None = None
    note: str | None = None

    def as_param(self, number_key: str, programme_key: str, note_key: str) -> list[dict[str, str]]:
        """The ``param`` list in the agreement's key names."""
        entry = {programme_key: self.programme}
        if self.number:
            entry[number_key] = self.number
        if self.note:
            entry[note_key] = self.note
        return [entry]


class Outbox:
    """Creates and reads outbox items; the NIK is encrypted at rest."""

    def __init__(
        self,
        keys: KeyRing,
        id_lembaga: str,
        nama_lembaga: str,
        keys_names: tuple[str, str, str] = ("NO_PENERIMA", "JENIS_PROGRAM", "KETERANGAN"),
        clock: Clock = system_clock,
    ) -> None:
        self._keys = keys
        self._id_lembaga = id_lembaga
        self._nama_lembaga = nama_lembaga
        self._names = keys_names
        self._clock = clock

    def enqueue(
        self, session: Session, case_number: str, nik: str, params: BalikanParams
    ) -> BalikanItem:
        """Add the item owed for ``case_number`` (exactly one per case: idempotent)."""
        existing = session.execute(
            select(BalikanItem).where(BalikanItem.case_number == case_number)
        ).scalar_one_or_none()
        if existing is not None:
            return existing
        item = BalikanItem(
            case_number=case_number,
            nik_ciphertext=self._keys.encrypt(nik, case_number),
            nik_hash=self._keys.nik_hash(nik),
            id_lembaga=self._id_lembaga,
            nama_lembaga=self._nama_lembaga,
            params=json.dumps(params.as_param(*self._names), sort_keys=True),
            status=PENDING,
            attempts=0,
            created_at=self._clock(),
        )
        session.add(item)
        session.flush()
        return item

    def pending_count(self, session: Session) -> int:
        """Items not yet delivered (pending, exported-unconfirmed or needing attention)."""
        rows = session.execute(select(BalikanItem.id).where(BalikanItem.status != DELIVERED)).all()
        return len(rows)

    def nik_of(self, item: BalikanItem) -> str:
        """Decrypt the NIK of a pending item (for sending or export only)."""
        if item.nik_ciphertext is None:
            raise ValueError("item already delivered: its NIK is gone")
        return self._keys.decrypt(item.nik_ciphertext, item.case_number)
