"""Append-only, hash-chained audit trail (R-13, R-28): who did what, when; no record fields.

Verification streams the trail in constant memory and names the first problem: an
edited, removed or reordered record; a missing, stale or rewritten head; an erased
trail; a case whose records were removed; or a disagreement with a signed checkpoint
(:mod:`app.services.audit_checkpoint`) that left the database's control.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import weakref
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Engine,
    bindparam,
    create_engine,
    event,
    exists,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.domain.audit_chain import (
    GENESIS,
    AuditEntry,
    AuditRow,
    ChainProblem,
    canonical_row,
    hmac_sha256,
    walk_rows,
)
from app.services.audit_checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from app.services.audit_stream import sqlite_walk
from app.services.clock import Clock, system_clock
from app.services.persistence.models import AuditRecord, CaseRow, MetaValue

_LOCK_ID = 0x41554449  # "AUDI": one appender at a time on PostgreSQL
_HEAD_KEY = "audit_head"
_VERIFIED_KEY = "audit_verified"
_KEY_IDS = "key_ids"  # written by app.services.key_binding together with record 1
_FORBIDDEN_DETAIL_KEYS = frozenset({"nik", "record", "name", "nama", "address", "alamat"})
_BATCH = 10_000

# Problem reasons (``ChainProblem.reason``), each named by ``loket audit verify``.
EDITED, REMOVED, REORDERED = "edited", "removed", "reordered"
HEAD_MISSING, HEAD_MISMATCH, TRUNCATED, ERASED = (
    "head_missing",
    "head_mismatch",
    "truncated",
    "erased",
)
CASE_RECORDS_REMOVED = "case_records_removed"
CHECKPOINT_TRUNCATED, CHECKPOINT_REWRITTEN = "checkpoint_truncated", "checkpoint_rewritten"
VERIFIED_REWRITTEN, VERIFIED_TRUNCATED = "verified_rewritten", "verified_truncated"
VERIFIED_FORGED = "verified_forged"


class AuditDetailError(ValueError):
    """Audit details must never carry population data."""


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What a verification saw."""

    records: int
    head_hash: str
    checked_from: int
    problem: ChainProblem | None


_INSERT = insert(AuditRecord)
_COLUMNS = (
    "seq",
    "at",
    "actor",
    "counter_id",
    "action",
    "case_number",
    "nik_hash",
    "detail",
    "prev_hash",
    "hash",
)
_TABLE = AuditRecord.__table__
#: One statement per record where a trigger moves the head (migration 0010): the record is
#: inserted only while the head still names the record it follows.
_INSERT_AFTER_HEAD = (
    insert(AuditRecord)
    .from_select(
        list(_COLUMNS),
        select(*(bindparam(f"v_{name}", type_=_TABLE.c[name].type) for name in _COLUMNS)).where(
            exists().where(MetaValue.key == _HEAD_KEY, MetaValue.value == bindparam("old_head"))
        ),
    )
    .returning(AuditRecord.seq)
)  # a row back: inserted (rowcount is not reliable for it)
_TRIGGER_SQL = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_log_head'",
    "postgresql": "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_log_head'",
}
_LAST_SQL = select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
_HEAD_SET = update(MetaValue).where(MetaValue.key == _HEAD_KEY).values(value=bindparam("new_head"))
_HEAD_MOVE = _HEAD_SET.where(MetaValue.value == bindparam("old_head"))
_HEAD_ADD = insert(MetaValue).values(key=_HEAD_KEY, value=bindparam("new_head"))

_STREAM_SQL = (
    "SELECT seq, at, actor, counter_id, action, case_number, nik_hash, detail, prev_hash, hash "
    "FROM audit_log WHERE seq >= ? ORDER BY seq"
)


# SQLAlchemy stores SQLite times as "YYYY-MM-DD HH:MM:SS.ffffff"; the hash covers
# ``datetime.isoformat()``: "T" between date and time, no fraction when it is zero.
@dataclass
class AuditTrail:
    """Appends to and verifies the chain."""

    key: bytes
    counter_id: str
    clock: Clock = system_clock
    #: ``(seq, hash)`` of the last record this trail wrote (None: read it from the database).
    _head: tuple[int, str] | None = field(default=None, init=False, repr=False, compare=False)
    _head_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )
    _mac: Callable[[bytes], str] = field(init=False, repr=False, compare=False)
    #: Per database (engine): does a trigger move the head with each insert?
    _triggers: weakref.WeakKeyDictionary[Engine, bool] = field(
        default_factory=weakref.WeakKeyDictionary, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._mac = hmac_sha256(self.key)

    @property
    def checkpoint_key(self) -> bytes:
        """Key that signs checkpoints (derived from the chain key)."""
        return hmac.new(self.key, b"audit-checkpoint", hashlib.sha256).digest()

    def append(
        self,
        session: Session,
        actor: str,
        action: str,
        *,
        case_number: str | None = None,
        nik_hash: str | None = None,
        detail: Mapping[str, object] | None = None,
    ) -> AuditEntry:
        """Add one record in the caller's transaction (two statements: head, record).

        The last ``(seq, hash)`` this trail wrote is kept in memory. The head row is moved
        with ``UPDATE … WHERE value = <the head we believe>``: when another trail, counter or
        a rolled-back transaction moved it meanwhile, nothing matches and the last record is
        read again (in the same transaction, under the write lock: SQLite ``BEGIN
        IMMEDIATE``, PostgreSQL the advisory lock below). The record is returned as the
        plain :class:`AuditEntry` it is (no ORM object).
        """
        payload = dict(detail or {})
        bad = _FORBIDDEN_DETAIL_KEYS & {k.lower() for k in payload}
        if bad:
            raise AuditDetailError(f"audit detail may not hold {sorted(bad)}")
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        at = self.clock()
        text_ = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
        with self._head_lock:
            believed = self._head
            values = self._values(believed, at, actor, action, case_number, nik_hash, text_)
            appended = moved = False
            if believed is not None:
                old_head = f"{believed[0]}:{believed[1]}"
                if self._head_follows(connection):  # one statement: the trigger moves it
                    params = {f"v_{name}": values[name] for name in _COLUMNS}
                    params["old_head"] = old_head
                    inserted = connection.execute(_INSERT_AFTER_HEAD, params).first()
                    appended = moved = inserted is not None
                else:
                    params = {"new_head": values["head"], "old_head": old_head}
                    moved = connection.execute(_HEAD_MOVE, params).rowcount == 1
            if not moved:  # first write of this trail, or someone else wrote: read again
                last = connection.execute(_LAST_SQL).first()
                believed = (0, GENESIS) if last is None else (int(last[0]), str(last[1]))
                values = self._values(believed, at, actor, action, case_number, nik_hash, text_)
                if connection.execute(_HEAD_SET, {"new_head": values["head"]}).rowcount == 0:
                    connection.execute(_HEAD_ADD, {"new_head": values["head"]})
            del values["head"]
            if not appended:
                connection.execute(_INSERT, values)
            self._head = (values["seq"], values["hash"])
        return AuditEntry(**values)

    def _head_follows(self, connection: Connection) -> bool:
        """True when the database moves the head with each insert (migration 0010's trigger);
        asked once per database."""
        engine = connection.engine
        known = self._triggers.get(engine)
        if known is None:
            query = _TRIGGER_SQL.get(connection.dialect.name)
            known = query is not None and connection.exec_driver_sql(query).first() is not None
            self._triggers[engine] = known
        return known

    def _values(
        self,
        last: tuple[int, str] | None,
        at: datetime,
        actor: str,
        action: str,
        case_number: str | None,
        nik_hash: str | None,
        detail: str,
    ) -> dict[str, Any]:
        """The columns of the record that follows ``last`` (and ``head``, the head's value)."""
        seq, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
        # the canonical bytes built directly (the verifier's fast path: the same bytes as
        # ``canonical(hashed_fields(entry))``), under the key's precomputed HMAC states
        row = (seq, at.isoformat(), actor, self.counter_id, action, case_number, nik_hash, detail)
        digest = self._mac(prev.encode() + b"|" + canonical_row(row))  # type: ignore[arg-type]
        return {
            "seq": seq,
            "at": at,
            "actor": actor,
            "counter_id": self.counter_id,
            "action": action,
            "case_number": case_number,
            "nik_hash": nik_hash,
            "detail": detail,
            "prev_hash": prev,
            "hash": digest,
            "head": f"{seq}:{digest}",
        }

    # --- checkpoints -------------------------------------------------------------------

    def current_checkpoint(self, session: Session) -> str:
        """A signed checkpoint code of the trail as it is now (for reports and the CLI)."""
        last = session.execute(
            select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1)
        ).first()
        seq, digest = (0, GENESIS) if last is None else (last.seq, last.hash)
        return sign_checkpoint(self.checkpoint_key, seq, digest, self.clock()).code

    def parse_checkpoint(self, code: str) -> Checkpoint:
        """The checkpoint ``code`` states (raises if mistyped or signed with other keys)."""
        return parse_checkpoint(self.checkpoint_key, code)

    def _verified_tag(self, seq: int, digest: str) -> str:
        message = f"verified|{seq}|{digest}".encode()
        return hmac.new(self.checkpoint_key, message, hashlib.sha256).hexdigest()

    def _last_verified(self, session: Session) -> tuple[int, str] | None:
        row = session.get(MetaValue, _VERIFIED_KEY)
        if row is None:
            return None
        seq_text, digest, tag = [*row.value.split(":"), "", "", ""][:3]
        if not seq_text.isdigit() or not hmac.compare_digest(
            self._verified_tag(int(seq_text), digest), tag
        ):
            return (0, "")  # unreadable or forged without the key: verify from the start
        return int(seq_text), digest

    def remember_verified(self, session: Session, seq: int, digest: str) -> None:
        """Keep (signed) the point up to which the trail was found intact."""
        if self._hash_at(session, seq) == digest:
            self._remember_verified(session, seq, digest)

    def _remember_verified(self, session: Session, seq: int, digest: str) -> None:
        value = f"{seq}:{digest}:{self._verified_tag(seq, digest)}"
        row = session.get(MetaValue, _VERIFIED_KEY)
        if row is None:
            session.add(MetaValue(key=_VERIFIED_KEY, value=value))
        else:
            row.value = value

    # --- verification --------------------------------------------------------------------

    def _stream(self, session: Session, from_seq: int) -> Generator[AuditRow, None, None]:
        # The driver's own cursor, fetched in batches: no ORM objects and no per-row
        # result processing; a named (server-side) cursor on PostgreSQL. Memory stays flat.
        connection = session.connection()
        driver = connection.connection.driver_connection
        assert driver is not None
        if connection.dialect.name == "postgresql":
            cursor = driver.cursor(name="loket_audit_verify")
            cursor.execute(_STREAM_SQL.replace("?", "%s"), (from_seq,))
        else:
            cursor = driver.cursor()
            cursor.execute(_STREAM_SQL, (from_seq,))
        iso = _iso_text
        try:
            while batch := cursor.fetchmany(_BATCH):
                for seq, at, actor, counter, action, case, nik, detail, prev, digest in batch:
                    yield (seq, iso(at), actor, counter, action, case, nik, detail, prev, digest)
        finally:
            cursor.close()

    def _walk(
        self, session: Session, start_seq: int, start_hash: str
    ) -> tuple[ChainProblem | None, int, str]:
        """Walk the chain from ``start_seq``: SQLite's fast path where it applies."""
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            walked = sqlite_walk(
                connection.connection.driver_connection, self.key, start_seq, start_hash, _iso_text
            )
            if walked is not None:
                return walked
        rows = self._stream(session, start_seq)
        try:
            return walk_rows(self.key, rows, start_seq=start_seq, start_hash=start_hash)
        finally:
            rows.close()  # a problem stops the walk early: release the cursor now

    def _hash_at(self, session: Session, seq: int) -> str | None:
        return session.execute(
            select(AuditRecord.hash).where(AuditRecord.seq == seq)
        ).scalar_one_or_none()

    def verify(self, session: Session) -> ChainProblem | None:
        """The first problem of the whole trail, or None when it is intact."""
        return self.examine(session).problem

    def examine(
        self,
        session: Session,
        *,
        checkpoints: Sequence[Checkpoint] = (),
        incremental: bool = False,
        remember: bool = False,
    ) -> AuditReport:
        """Verify the trail, streaming; optionally from the last verified point only.

        ``checkpoints`` (parsed codes that left the database) must still hold. With
        ``remember`` an intact result is stored as the next incremental starting point.
        """
        start_seq, start_hash = 1, GENESIS
        verified = self._last_verified(session)
        if incremental and verified is not None and verified[0] > 0:
            problem = self._check_verified(session, verified, verified[0])
            if problem is not None:
                return AuditReport(0, "", 1, problem)
            start_seq, start_hash = verified[0] + 1, verified[1]
        problem, last_seq, last_hash = self._walk(session, start_seq, start_hash)
        if problem is None:
            problem = self._check_head(session, last_seq, last_hash)
        if problem is None and verified is not None:
            problem = self._check_verified(session, verified, last_seq)
        if problem is None:
            problem = self._check_checkpoints(session, checkpoints, last_seq)
        if problem is None:
            problem = self._check_cases(session)
        if problem is None and remember and last_seq:
            self._remember_verified(session, last_seq, last_hash)
        return AuditReport(last_seq, last_hash, start_seq, problem)

    def _check_head(self, session: Session, last_seq: int, last_hash: str) -> ChainProblem | None:
        head = session.get(MetaValue, _HEAD_KEY)
        if head is None:
            if last_seq:
                return ChainProblem(last_seq, HEAD_MISSING)
            if session.get(MetaValue, _KEY_IDS) is not None:
                return ChainProblem(1, ERASED)
            return None
        head_seq_text, _sep, head_hash = head.value.partition(":")
        head_seq = int(head_seq_text) if head_seq_text.isdigit() else -1
        if last_seq == 0:
            return ChainProblem(1, ERASED)
        if head_seq > last_seq:
            return ChainProblem(last_seq + 1, TRUNCATED, f"head names record {head_seq}")
        if head_seq != last_seq or head_hash != last_hash:
            return ChainProblem(last_seq, HEAD_MISMATCH)
        return None

    def _check_verified(
        self, session: Session, verified: tuple[int, str], last_seq: int
    ) -> ChainProblem | None:
        """The point of the last intact verification must still be there, unchanged."""
        seq, digest = verified
        if seq == 0:
            return ChainProblem(0, VERIFIED_FORGED)
        if seq > last_seq:
            return ChainProblem(last_seq + 1, VERIFIED_TRUNCATED, f"verified up to {seq}")
        if self._hash_at(session, seq) != digest:
            return ChainProblem(seq, VERIFIED_REWRITTEN)
        return None

    def _check_checkpoints(
        self, session: Session, checkpoints: Iterable[Checkpoint], last_seq: int
    ) -> ChainProblem | None:
        for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
            if checkpoint.seq > last_seq:
                detail = f"checkpoint {checkpoint.seq}, trail {last_seq}"
                return ChainProblem(last_seq + 1, CHECKPOINT_TRUNCATED, detail)
            digest = GENESIS if checkpoint.seq == 0 else self._hash_at(session, checkpoint.seq)
            if digest is None or not checkpoint.matches(digest):
                return ChainProblem(checkpoint.seq, CHECKPOINT_REWRITTEN)
        return None

    def _check_cases(self, session: Session) -> ChainProblem | None:
        audited = exists().where(AuditRecord.case_number == CaseRow.number)
        number = session.execute(
            select(CaseRow.number).where(~audited).order_by(CaseRow.id).limit(1)
        ).scalar_one_or_none()
        if number is None:
            return None
        return ChainProblem(0, CASE_RECORDS_REMOVED, number)


def _iso_text(value: object) -> str:
    """The ``at`` column as the hash covers it (``datetime.isoformat``), from either driver."""
    if isinstance(value, str):
        # SQLite as SQLAlchemy stores it: "YYYY-MM-DD HH:MM:SS.ffffff" (fast path, no parsing)
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            if value.endswith("000000"):
                return value[:10] + "T" + value[11:19]
            return value[:10] + "T" + value[11:]
        return datetime.fromisoformat(value).isoformat()
    if isinstance(value, datetime):
        return value.isoformat()
    return datetime.fromisoformat(str(value)).isoformat()


def snapshot_engine(engine: Engine) -> Engine:
    """An engine whose transactions read one consistent snapshot without blocking writers.

    SQLite: deferred transactions on WAL (the application's own engine takes the write lock
    at BEGIN, which would stall the counters for the whole verification). PostgreSQL:
    REPEATABLE READ on the same pool.
    """
    if engine.dialect.name != "sqlite":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    database = engine.url.database
    if not database or database == ":memory:":
        return engine
    reader = create_engine(engine.url, connect_args={"timeout": 15})

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(reader, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")  # deferred: a read snapshot, no write lock

    return reader


def examine_snapshot(
    trail: AuditTrail,
    engine: Engine,
    *,
    checkpoints: Sequence[Checkpoint] = (),
    incremental: bool = False,
    remember: bool = True,
) -> AuditReport:
    """:meth:`AuditTrail.examine` on a read snapshot (counters keep working meanwhile); an
    intact result is then remembered in a short write transaction."""
    reader = snapshot_engine(engine)
    try:
        with Session(reader) as session, session.begin():
            report = trail.examine(session, checkpoints=checkpoints, incremental=incremental)
    finally:
        if reader is not engine and reader.dialect.name == "sqlite":
            reader.dispose()
    if remember and report.problem is None and report.records:
        with Session(engine) as session, session.begin():
            trail.remember_verified(session, report.records, report.head_hash)
    return report
