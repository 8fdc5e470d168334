"""Key administration: create the agency's keys once, show, export and import them.

Shared by ``loket keys`` and the first-run set-up. Every operation checks the keys
against the database (:mod:`app.services.key_binding`) so a counter can never start
writing with keys the database was not written with.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.domain.errors import UserFacingError
from app.domain.i18n import N_
from app.services.clock import Clock, system_clock
from app.services.key_binding import bind_keys, check_keys, database_is_empty, recorded_key_ids
from app.services.key_bundle import export_bundle, import_bundle
from app.services.keys import KeyProblem, KeyRing, KeysMismatch
from app.services.persistence.db import upgrade_database
from app.services.secrets import SecretStore
from app.services.settings import Settings


class KeysAlreadyExist(UserFacingError):
    """``keys init`` on a keyring or database that already has keys."""

    msgid = N_(
        "This agency already has keys (in this keyring or in the database): they are never "
        "created twice. A further counter imports the agency's key bundle instead "
        "(loket keys import FILE)."
    )


class KeyringHoldsOtherKeys(UserFacingError):
    """Import would overwrite different keys in this keyring."""

    msgid = N_(
        "This keyring already holds other keys. Export them first if another database needs "
        "them, then import again with --replace."
    )


class BundleForOtherDatabase(UserFacingError):
    """The bundle's keys are not the keys this database was written with."""

    msgid = N_(
        "This key bundle belongs to another database: its keys are not the keys this "
        "database was written with. Nothing was changed."
    )


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """Key ids in the keyring and in the database, and whether they may be used."""

    keyring_ids: dict[str, str] | None
    database_ids: dict[str, str] | None
    problem: KeyProblem | None


def _stored(store: SecretStore) -> KeyRing | None:
    try:
        return KeyRing.load(store)
    except KeyProblem:
        return None


def key_status(engine: Engine, store: SecretStore) -> KeyStatus:
    """What ``loket keys status`` shows (reads only)."""
    ring = _stored(store)
    with engine.connect() as connection:
        recorded = recorded_key_ids(connection)
        problem: KeyProblem | None = None
        try:
            loaded = KeyRing.load(store)
            check_keys(loaded, connection)
        except KeyProblem as error:
            problem = error
        connection.rollback()
    return KeyStatus(ring.ids if ring else None, recorded, problem)


def init_keys(
    engine: Engine,
    store: SecretStore,
    actor: str,
    counter_id: str,
    clock: Clock = system_clock,
    *,
    owner_engine: Engine | None = None,
) -> KeyRing:
    """Create the agency's keys for a new database (the first counter), exactly once."""
    existing = _stored(store)
    if existing is not None:
        raise KeysAlreadyExist(f"keyring already holds {existing.ids}")
    upgrade_database(owner_engine or engine)
    ring = KeyRing.generate()
    with Session(engine) as session, session.begin():
        recorded = recorded_key_ids(session.connection())
        if recorded is not None or not database_is_empty(session):
            raise KeysAlreadyExist("the database already records keys or holds an audit trail")
        bind_keys(session, ring, actor, counter_id, clock)
        session.flush()
        ring.save(store)  # a keyring failure rolls the database back: all or nothing
    return ring


def export_keys(engine: Engine, store: SecretStore, passphrase: str, agency: str = "") -> bytes:
    """The bundle of this counter's keys, which must be the keys of its database."""
    ring = KeyRing.load(store)
    with engine.connect() as connection:
        check_keys(ring, connection)
        connection.rollback()
    return export_bundle(ring, passphrase, agency=agency)


def import_keys(
    engine: Engine,
    store: SecretStore,
    data: bytes,
    passphrase: str,
    *,
    replace: bool = False,
    actor: str = "keys",
    counter_id: str = "",
    owner_engine: Engine | None = None,
) -> KeyRing:
    """Put the agency's keys from a bundle into this counter's keyring.

    The database must have been written with them (or be new: then they are recorded).
    Nothing is written when the bundle belongs to another database.
    """
    ring = import_bundle(data, passphrase)
    with engine.connect() as connection:
        recorded = recorded_key_ids(connection)
        try:
            check_keys(ring, connection)
            new_database = False
        except KeysMismatch as error:
            raise BundleForOtherDatabase(str(error)) from error
        except KeyProblem:  # not set up: a new database joins with these keys
            new_database = recorded is None
        connection.rollback()
    current = _stored(store)
    if current is not None and current.ids != ring.ids and not replace:
        raise KeyringHoldsOtherKeys(f"keyring {current.ids}, bundle {ring.ids}")
    ring.save(store)
    if new_database:
        upgrade_database(owner_engine or engine)
        with Session(engine) as session, session.begin():
            if database_is_empty(session):
                bind_keys(session, ring, actor, counter_id)
    return ring


def import_bundle_for(
    settings: Settings, store: SecretStore, data: bytes, passphrase: str, actor: str
) -> KeyRing:
    """Import a bundle into this counter's keyring for its configured database (the GUI's
    way out when the keys are missing or different)."""
    from app.services.persistence.db import create_db_engine

    engine = create_db_engine(settings.database_url or None)
    owner = create_db_engine(settings.database_owner_url) if settings.database_owner_url else None
    try:
        return import_keys(
            engine,
            store,
            data,
            passphrase,
            actor=actor,
            counter_id=settings.counter_id,
            owner_engine=owner,
        )
    finally:
        engine.dispose()
        if owner is not None:
            owner.dispose()
