"""Which keys a database was written with, and the check every start and command makes.

The database records the ids of the keys it was written with (``app_meta`` row
``key_ids``). :func:`open_keys` loads the keys from the secret store and compares:
missing or different keys are refused (:class:`~app.services.keys.KeyProblem`)
before anything is written. Nothing here creates a key; :func:`bind_keys` records
keys that were created or imported on purpose.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.domain.audit_chain import GENESIS, entry_hash
from app.services.clock import Clock, system_clock
from app.services.keys import KeyRing, KeysMismatch, KeysNotSetUp
from app.services.persistence.models import MetaValue
from app.services.secrets import ENCRYPTION_KEY, HMAC_KEY, SecretStore

log = logging.getLogger(__name__)

KEY_IDS = "key_ids"


def _has_table(connection: Connection, name: str) -> bool:
    return inspect(connection).has_table(name)


def recorded_key_ids(connection: Connection) -> dict[str, str] | None:
    """The key ids the database records, or None (a new or never-bound database)."""
    if not _has_table(connection, "app_meta"):
        return None
    value = connection.execute(
        text("SELECT value FROM app_meta WHERE key = :k"), {"k": KEY_IDS}
    ).scalar_one_or_none()
    if value is None:
        return None
    data = json.loads(value)
    return {str(k): str(v) for k, v in data.items()}


def _first_audit_row(connection: Connection) -> tuple[object, ...] | None:
    if not _has_table(connection, "audit_log"):
        return None
    row = connection.execute(
        text(
            "SELECT seq, at, actor, counter_id, action, case_number, nik_hash, detail, "
            "prev_hash, hash FROM audit_log ORDER BY seq LIMIT 1"
        )
    ).first()
    return None if row is None else tuple(row)


def _written_with(ring: KeyRing, connection: Connection) -> bool | None:
    """Whether the first audit record was written with ``ring`` (None: no record)."""
    from datetime import datetime

    row = _first_audit_row(connection)
    if row is None:
        return None
    seq, at, actor, counter_id, action, case_number, nik_hash, detail, prev, digest = row
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    assert isinstance(at, datetime)
    fields = {
        "seq": seq,
        "at": at.isoformat(),
        "actor": actor,
        "counter_id": counter_id,
        "action": action,
        "case_number": case_number,
        "nik_hash": nik_hash,
        "detail": detail,
    }
    return prev == GENESIS and entry_hash(ring.audit_key, GENESIS, fields) == digest


def check_keys(ring: KeyRing, connection: Connection) -> bool:
    """Refuse ``ring`` unless the database records its ids; True when it must be adopted.

    A database written before key ids were recorded is adopted only when its first audit
    record proves it was written with these keys.
    """
    recorded = recorded_key_ids(connection)
    if recorded is not None:
        if recorded != ring.ids:
            raise KeysMismatch(f"database {recorded}, keyring {ring.ids}")
        return False
    proof = _written_with(ring, connection)
    if proof is None:
        raise KeysNotSetUp("no key ids recorded and no audit trail")
    if not proof:
        raise KeysMismatch("the first audit record was written with other keys")
    return True


def _record_ids(connection: Connection, ring: KeyRing) -> None:
    value = json.dumps(ring.ids, sort_keys=True)
    connection.execute(
        text("INSERT INTO app_meta (key, value) VALUES (:k, :v)"), {"k": KEY_IDS, "v": value}
    )


def open_keys(engine: Engine, store: SecretStore) -> KeyRing:
    """The counter's keys, checked against the database (never created here)."""
    ring = KeyRing.load(store)
    with engine.connect() as connection:
        adopt = check_keys(ring, connection)
        if adopt:
            _record_ids(connection, ring)
            connection.commit()
            log.info("database adopted the keys it was written with (%s)", ring.hmac_id)
    return ring


def database_is_empty(session: Session) -> bool:
    """True when the database holds no audit record (nothing written with any key yet)."""
    from app.services.persistence.models import AuditRecord

    return session.execute(select(AuditRecord.seq).limit(1)).first() is None


def bind_keys(
    session: Session, ring: KeyRing, actor: str, counter_id: str, clock: Clock = system_clock
) -> None:
    """Record ``ring``'s ids in a database that has none yet, with the first audit record."""
    from app.services.audit import AuditTrail

    if session.get(MetaValue, KEY_IDS) is not None:
        raise KeysMismatch("the database already records key ids")
    session.add(MetaValue(key=KEY_IDS, value=json.dumps(ring.ids, sort_keys=True)))
    AuditTrail(ring.audit_key, counter_id, clock).append(
        session, actor, "keys.initialised", detail=ring.ids
    )


def init_or_open_demo_keys(engine: Engine, store: SecretStore, counter_id: str) -> KeyRing:
    """Demo set-up: create the in-memory keys on purpose for a new demo database, else open."""
    with engine.connect() as connection:
        fresh = recorded_key_ids(connection) is None and _first_audit_row(connection) is None
    if fresh and store.get(HMAC_KEY) is None and store.get(ENCRYPTION_KEY) is None:
        ring = KeyRing.generate()
        ring.save(store)
        with Session(engine) as session, session.begin():
            bind_keys(session, ring, "demo", counter_id)
        return ring
    return open_keys(engine, store)


def refuse_unusable_keys(database_url: str, store: SecretStore) -> None:
    """Before a schema upgrade: refuse keys that do not fit a database already written.

    A new database (no key ids, no audit trail) may be created without keys.
    """
    from app.services.persistence.db import create_db_engine

    engine = create_db_engine(database_url or None)
    try:
        with engine.connect() as connection:
            new = recorded_key_ids(connection) is None and _first_audit_row(connection) is None
            connection.rollback()
        if not new:
            open_keys(engine, store)
    finally:
        engine.dispose()
