"""The durable outbox: one item per resident whose data was accessed (R-18, R-20)."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.services.balikan.client import OutgoingItem
from app.services.balikan.fields import FieldValue, decode_fields, encode_fields
from app.services.clock import Clock, system_clock
from app.services.keys import KeyRing
from app.services.persistence.models import BalikanItem

if TYPE_CHECKING:
    from sqlalchemy.sql.dml import ReturningInsert

HELD = "held"  # the case is still open: owed, not yet sendable (NIK encrypted here only)
PENDING = "pending"
DELIVERED = "delivered"
EXPORTED = "exported"
ATTENTION = "attention"
STATUSES = (HELD, PENDING, EXPORTED, ATTENTION, DELIVERED)
VIA_WEB_SERVICE = "web_service"
VIA_EXPORT = "export"

DEFAULT_LEASE = timedelta(minutes=5)

# Built once per dialect, on first use: a held item, unless the case already has one
# (case_number is unique). Each dialect's module is imported only when that database is used.
_HOLD: dict[str, ReturningInsert[Any]] = {}


def _hold_statement(dialect: str) -> ReturningInsert[Any] | None:
    statement = _HOLD.get(dialect)
    if statement is None:
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            statement = (
                sqlite_insert(BalikanItem)
                .on_conflict_do_nothing(index_elements=[BalikanItem.case_number])
                .returning(BalikanItem.id)
            )
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            statement = (
                pg_insert(BalikanItem)
                .on_conflict_do_nothing(index_elements=[BalikanItem.case_number])
                .returning(BalikanItem.id)
            )
        else:
            return None
        _HOLD[dialect] = statement
    return statement
#: A held item of another NIK takes the corrected one (never an item already queued or sent).
_REHOLD = (
    update(BalikanItem)
    .where(
        BalikanItem.case_number == bindparam("number"),
        BalikanItem.status == HELD,
        BalikanItem.nik_hash != bindparam("hash"),
    )
    .values(nik_ciphertext=bindparam("cipher"), nik_hash=bindparam("hash"))
    .returning(BalikanItem.id)
)
#: The item of a case, as queuing needs it (Core: no ORM object loaded).
_ITEM_FOR_QUEUE = select(
    BalikanItem.id, BalikanItem.status, BalikanItem.fields, BalikanItem.nik_hash
).where(BalikanItem.case_number == bindparam("number"))
_QUEUE_HELD = (
    update(BalikanItem)
    .where(BalikanItem.id == bindparam("item_id"), BalikanItem.status == HELD)
    .values(
        params=bindparam("new_params"),
        fields=bindparam("new_fields"),
        status=PENDING,
        created_at=bindparam("queued_at"),
    )
)
_ITEM_STATUS = select(BalikanItem.id, BalikanItem.status).where(
    BalikanItem.case_number == bindparam("number")
)


@dataclass(frozen=True, slots=True)
class HeldItem:
    """What :meth:`Outbox.hold` did: the case's item, its status, and whether it took the
    NIK given (a corrected NIK replaced the one it held)."""

    id: int
    status: str
    replaced: bool = False


def retry_delay(
    attempts: int, base: float = 30.0, cap: float = 3600.0, rng: random.Random | None = None
) -> float:
    """Exponential back-off with jitter: ``base * 2^(attempts-1)``, capped, times 0.5-1.0."""
    exponent = min(max(attempts - 1, 0), 30)
    delay = min(cap, base * (2.0**exponent))
    jitter: float = (rng or random).random()
    return float(delay * (0.5 + 0.5 * jitter))


@dataclass(frozen=True, slots=True)
class BalikanParams:
    """The agreed ``param`` fields: recipient number or a note, and the programme; then the
    agreement's own data balikan fields (``fields``, the profile's ``[[balikan_fields]]``)."""

    programme: str
    number: str | None = None
    note: str | None = None
    fields: tuple[FieldValue, ...] = ()

    def as_param(self, number_key: str, programme_key: str, note_key: str) -> list[dict[str, str]]:
        """The ``param`` list in the agreement's key names."""
        entry = {programme_key: self.programme}
        if self.number:
            entry[number_key] = self.number
        if self.note:
            # An agreement without a note field carries the note in the number field.
            entry[note_key or number_key] = self.note
        for value in self.fields:
            if value.value:  # a field left empty is not sent (it may not exist)
                entry[value.wire_key] = value.value
        return [entry]


#: Age bands of held items, in days: (label, lowest age, highest age or None).
HELD_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31+", 31, None),
)


@dataclass(frozen=True, slots=True)
class HeldAges:
    """Held items (cases still open) by age: owed, but not yet sendable."""

    count: int
    oldest: datetime | None
    bands: tuple[tuple[str, int], ...]


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

    def _item(self, session: Session, case_number: str) -> BalikanItem | None:
        return session.execute(
            select(BalikanItem).where(BalikanItem.case_number == case_number)
        ).scalar_one_or_none()

    def hold(self, session: Session, case_number: str, nik: str) -> HeldItem:
        """The case accessed the resident's data: the item is owed from now on, but held
        (not sendable) until the case ends. The case itself keeps only a keyed hash.

        One ``INSERT … ON CONFLICT DO NOTHING`` (one item per case). When the case already
        has its item and it is still held with another NIK (the NIK was corrected in the
        same case and the new one accessed data), it takes this NIK: the data balikan
        reports the resident actually served. An item already queued or sent never changes.
        """
        ciphertext = self._keys.encrypt(nik, case_number)
        nik_hash = self._keys.nik_hash(nik)
        values = {
            "case_number": case_number,
            "nik_ciphertext": ciphertext,
            "nik_hash": nik_hash,
            "id_lembaga": self._id_lembaga,
            "nama_lembaga": self._nama_lembaga,
            "params": "[]",
            "fields": "[]",
            "status": HELD,
            "attempts": 0,
            "created_at": self._clock(),
        }
        connection = session.connection()
        statement = _hold_statement(connection.dialect.name)
        if statement is None:  # another database: read, then add
            if self._item(session, case_number) is None:
                item = BalikanItem(**values)
                session.add(item)
                session.flush()
                return HeldItem(item.id, HELD)
        else:
            inserted = connection.execute(statement, values).first()
            if inserted is not None:
                return HeldItem(inserted[0], HELD)
        # the case already has its item: a held one of another NIK takes this one
        session.flush()  # an item changed earlier in this transaction is seen as it is now
        params = {"number": case_number, "hash": nik_hash, "cipher": ciphertext}
        moved = connection.execute(_REHOLD, params).first()
        if moved is not None:
            self._refresh_loaded(session, case_number)
            return HeldItem(moved[0], HELD, replaced=True)
        existing = connection.execute(_ITEM_STATUS, {"number": case_number}).one()
        return HeldItem(existing.id, existing.status)

    @staticmethod
    def _refresh_loaded(session: Session, case_number: str) -> None:
        """An item of this case already loaded in the session is read again when used
        (it was changed by a Core statement)."""
        for obj in list(session.identity_map.values()):
            if isinstance(obj, BalikanItem) and obj.case_number == case_number:
                session.expire(obj)

    def held_nik(self, session: Session, case_number: str) -> str | None:
        """The NIK of a held item (to finish its case), or None."""
        item = self._item(session, case_number)
        if item is None or item.status != HELD or item.nik_ciphertext is None:
            return None
        return self._keys.decrypt(item.nik_ciphertext, case_number)

    def set_fields(self, session: Session, case_number: str, fields: Sequence[FieldValue]) -> bool:
        """Keep the data balikan field values typed at the decision on the held item (they
        go with it when it is queued, also if the case is ended from another counter)."""
        item = self._item(session, case_number)
        if item is None or item.status != HELD:
            return False
        item.fields = encode_fields(fields)
        session.flush()
        return True

    def enqueue(
        self, session: Session, case_number: str, nik: str, params: BalikanParams
    ) -> BalikanItem:
        """Make the item owed for ``case_number`` sendable (exactly one per case: idempotent).

        A held item keeps the field values set at the decision unless ``params`` brings its
        own. A held item is queued with one Core UPDATE (no ORM load or flush)."""
        if session.dirty:
            session.flush()  # an item changed through the ORM in this transaction
        connection = session.connection()
        found = connection.execute(_ITEM_FOR_QUEUE, {"number": case_number}).first()
        if found is not None:
            if found.status != HELD:
                existing = self._item(session, case_number)
                assert existing is not None
                return existing
            if not params.fields:
                params = replace(params, fields=decode_fields(found.fields))
            values = {
                "new_params": json.dumps(params.as_param(*self._names), sort_keys=True),
                "new_fields": encode_fields(params.fields),
                "queued_at": self._clock(),
            }
            connection.execute(_QUEUE_HELD, {"item_id": found.id, **values})
            self._refresh_loaded(session, case_number)
            return BalikanItem(
                id=found.id,
                case_number=case_number,
                nik_hash=found.nik_hash,
                id_lembaga=self._id_lembaga,
                nama_lembaga=self._nama_lembaga,
                params=values["new_params"],
                fields=values["new_fields"],
                status=PENDING,
                created_at=values["queued_at"],
            )
        item = BalikanItem(
            case_number=case_number,
            nik_ciphertext=self._keys.encrypt(nik, case_number),
            nik_hash=self._keys.nik_hash(nik),
            id_lembaga=self._id_lembaga,
            nama_lembaga=self._nama_lembaga,
            params=json.dumps(params.as_param(*self._names), sort_keys=True),
            fields=encode_fields(params.fields),
            status=PENDING,
            attempts=0,
            created_at=self._clock(),
        )
        session.add(item)
        session.flush()
        return item

    def pending_count(self, session: Session) -> int:
        """Items not yet delivered (pending, exported-unconfirmed or needing attention)."""
        statement = select(func.count(BalikanItem.id)).where(
            BalikanItem.status.notin_((DELIVERED, HELD))
        )
        return int(session.execute(statement).scalar_one())

    def counts(self, session: Session) -> dict[str, int]:
        """Items per status (every status present, zero if none)."""
        rows = session.execute(
            select(BalikanItem.status, func.count(BalikanItem.id)).group_by(BalikanItem.status)
        ).all()
        found = {str(status): int(count) for status, count in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    def held_ages(self, session: Session) -> HeldAges:
        """How many items are held, since when, and how many per age band (days)."""
        now = self._clock()
        created = [
            value
            for value in session.execute(
                select(BalikanItem.created_at).where(BalikanItem.status == HELD)
            ).scalars()
            if isinstance(value, datetime)
        ]
        ages = [max(0, (now - value).days) for value in created]
        bands = tuple(
            (label, sum(1 for age in ages if low <= age and (high is None or age <= high)))
            for label, low, high in HELD_BANDS
        )
        return HeldAges(len(created), min(created) if created else None, bands)

    def nik_of(self, item: BalikanItem) -> str:
        """Decrypt the NIK of a pending item (for sending or export only)."""
        if item.nik_ciphertext is None:
            raise ValueError("item already delivered: its NIK is gone")
        return self._keys.decrypt(item.nik_ciphertext, item.case_number)

    def outgoing(self, item: BalikanItem) -> OutgoingItem:
        """The item as it goes on the wire (decrypted NIK, parsed params)."""
        return OutgoingItem(
            nik=self.nik_of(item),
            id_lembaga=item.id_lembaga,
            nama_lembaga=item.nama_lembaga,
            params=json.loads(item.params),
        )

    # -- the sender's state changes, each in the caller's (short) transaction ---------------
    def claim(
        self,
        session: Session,
        claimer: str,
        limit: int,
        *,
        lease: timedelta = DEFAULT_LEASE,
        ids: Sequence[int] | None = None,
        in_flight: bool = True,
    ) -> list[BalikanItem]:
        """Take up to ``limit`` due pending items and mark them sent (attempt counted).

        Runs ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so counters sharing the
        database never take the same item; the caller commits before the request is sent,
        so an item whose answer never arrived is known to have been (possibly) sent.
        ``in_flight=False`` only claims: :meth:`mark_in_flight` records the send later.
        """
        now = self._clock()
        statement = (
            select(BalikanItem)
            .where(BalikanItem.status == PENDING)
            .where(or_(BalikanItem.next_attempt_at.is_(None), BalikanItem.next_attempt_at <= now))
            .where(or_(BalikanItem.claimed_at.is_(None), BalikanItem.claimed_at < now - lease))
            .order_by(BalikanItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        if ids is not None:
            statement = statement.where(BalikanItem.id.in_(list(ids)))
        items = list(session.execute(statement).scalars())
        if not items:
            return items
        values: dict[str, Any] = {"claimed_by": claimer, "claimed_at": now}
        if in_flight:
            values.update(sent_at=now, attempts=BalikanItem.attempts + 1)
        session.execute(  # one statement for the whole claim
            update(BalikanItem)
            .where(BalikanItem.id.in_([item.id for item in items]))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        for item in items:  # the loaded copies agree with the row, without a second write
            set_committed_value(item, "claimed_by", claimer)
            set_committed_value(item, "claimed_at", now)
            if in_flight:
                set_committed_value(item, "sent_at", now)
                set_committed_value(item, "attempts", (item.attempts or 0) + 1)
        return items

    def mark_in_flight(self, session: Session, items: Sequence[BalikanItem]) -> None:
        """The per-item in-flight record, committed before the request: sent now (attempt
        counted). After a crash only items with this record can have reached the service."""
        if not items:
            return
        now = self._clock()
        session.execute(
            update(BalikanItem)
            .where(BalikanItem.id.in_([item.id for item in items]))
            .values(sent_at=now, attempts=BalikanItem.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        for item in items:  # the caller's copies (loaded in an earlier transaction)
            set_committed_value(item, "sent_at", now)
            set_committed_value(item, "attempts", (item.attempts or 0) + 1)

    def mark_delivered(self, session: Session, item: BalikanItem, via: str) -> bool:
        """Delivered: keep only the keyed hash of the NIK. False if it was delivered already."""
        now = self._clock()
        result = session.execute(
            update(BalikanItem)
            .where(BalikanItem.id == item.id, BalikanItem.status != DELIVERED)
            .values(
                status=DELIVERED,
                nik_ciphertext=None,
                delivered_at=now,
                delivered_via=via,
                claimed_by=None,
                claimed_at=None,
                next_attempt_at=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def mark_delivered_many(
        self, session: Session, items: Sequence[BalikanItem], via: str
    ) -> set[int]:
        """:meth:`mark_delivered` for many items in one statement; ids newly delivered."""
        ids = [item.id for item in items]
        if not ids:
            return set()
        rows = session.execute(
            update(BalikanItem)
            .where(BalikanItem.id.in_(ids), BalikanItem.status != DELIVERED)
            .values(
                status=DELIVERED,
                nik_ciphertext=None,
                delivered_at=self._clock(),
                delivered_via=via,
                claimed_by=None,
                claimed_at=None,
                next_attempt_at=None,
                last_error=None,
            )
            .returning(BalikanItem.id)
            .execution_options(synchronize_session=False)
        )
        return {int(row) for row in rows.scalars()}

    def mark_retry(
        self, session: Session, item: BalikanItem, reason: str, delay_seconds: float
    ) -> None:
        """Not delivered this time: try again after ``delay_seconds``."""
        session.execute(
            update(BalikanItem)
            .where(BalikanItem.id == item.id, BalikanItem.status == PENDING)
            .values(
                next_attempt_at=self._clock() + timedelta(seconds=delay_seconds),
                last_error=reason[:255],
                claimed_by=None,
                claimed_at=None,
            )
            .execution_options(synchronize_session=False)
        )

    def mark_attention(self, session: Session, item: BalikanItem, reason: str) -> None:
        """Refused by the web service: a person must look at it (it stays owed)."""
        session.execute(
            update(BalikanItem)
            .where(BalikanItem.id == item.id, BalikanItem.status == PENDING)
            .values(
                status=ATTENTION,
                last_error=reason[:255],
                claimed_by=None,
                claimed_at=None,
            )
            .execution_options(synchronize_session=False)
        )

    def release(self, session: Session, item: BalikanItem) -> None:
        """Give a claimed item back untouched (e.g. the sender was told to stop)."""
        session.execute(
            update(BalikanItem)
            .where(BalikanItem.id == item.id, BalikanItem.claimed_by == item.claimed_by)
            .values(claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )

    def release_claims(self, session: Session, claimers: Sequence[str]) -> int:
        """Free the claims of senders known to be gone (their items become due again)."""
        if not claimers:
            return 0
        result = session.execute(
            update(BalikanItem)
            .where(BalikanItem.claimed_by.in_(list(claimers)), BalikanItem.status == PENDING)
            .values(claimed_by=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))

    def claimers(self, session: Session) -> list[str]:
        """Who holds claims now."""
        rows = session.execute(
            select(BalikanItem.claimed_by).where(BalikanItem.claimed_by.is_not(None)).distinct()
        ).scalars()
        return [str(row) for row in rows]

    def requeue_attention(self, session: Session) -> int:
        """Put items needing attention back in the queue (after the cause was fixed)."""
        result = session.execute(
            update(BalikanItem)
            .where(BalikanItem.status == ATTENTION)
            .values(status=PENDING, next_attempt_at=None, attempts=0)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0))

    def next_due(self, session: Session) -> datetime | None:
        """When the earliest pending item becomes due (None: nothing pending)."""
        value = session.execute(
            select(
                func.min(func.coalesce(BalikanItem.next_attempt_at, BalikanItem.created_at))
            ).where(BalikanItem.status == PENDING)
        ).scalar_one_or_none()
        return value if isinstance(value, datetime) else None
