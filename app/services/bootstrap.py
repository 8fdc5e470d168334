"""Composition of the Qt-free core: settings, secrets, database, language.

Both entry points (``app.cli`` and the UI start-up) build one :class:`Core`
here and hand its parts to whatever needs them; nothing reads globals.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.services.key_binding import open_keys
from app.services.keys import KeyRing
from app.services.persistence.db import create_db_engine, session_factory, upgrade_database
from app.services.secrets import KeyringSecretStore, MemorySecretStore, SecretStore
from app.services.settings import Settings
from app.services.translations import install_language

DATA_DIR_DATABASE = "loket.sqlite3"  # the SQLite file build_core opens in a given data folder


def secure_process_defaults() -> None:
    """Files this process creates are private to the user (umask 077)."""
    if hasattr(os, "umask"):
        os.umask(0o077)


@dataclass
class Core:
    """The wired core the UI and the CLI talk to."""

    settings: Settings
    secrets: SecretStore
    engine: Engine
    sessions: sessionmaker[Session]
    backup_path: str | None = None
    keys: KeyRing | None = None
    extras: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def default_secret_store(settings: Settings) -> SecretStore:
    """Demo: an ephemeral memory store. Production: the OS keyring (never a file)."""
    if settings.is_demo:
        return MemorySecretStore()
    return KeyringSecretStore()


def migrate(settings: Settings, engine: Engine) -> str | None:
    """Migrate ``engine``'s database, through the owner role's URL when one is configured."""
    if not settings.database_owner_url:
        return upgrade_database(engine)
    owner = create_db_engine(settings.database_owner_url)
    try:
        return upgrade_database(owner)
    finally:
        owner.dispose()


def build_core(
    settings: Settings,
    *,
    secrets: SecretStore | None = None,
    database_url: str | None = None,
    data_dir: Path | None = None,
    check_keys: bool = True,
) -> Core:
    """Open (and migrate) the database and install the language; return the core.

    With ``check_keys`` (every start and command) the counter's keys are loaded and checked
    against the database first: missing or different keys raise
    :class:`~app.services.keys.KeyProblem` before anything is migrated or written.
    Only the key tools and the first-run set-up open a database without them.
    """
    secure_process_defaults()
    install_language(settings.ui.language)
    url = database_url or settings.database_url or None
    if url is None and data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        url = f"sqlite+pysqlite:///{data_dir / DATA_DIR_DATABASE}"
    store = secrets or default_secret_store(settings)
    engine = create_db_engine(url)
    try:
        keys = open_keys(engine, store) if check_keys else None
        backup = migrate(settings, engine)
    except BaseException:
        engine.dispose()
        raise
    return Core(
        settings=settings,
        secrets=store,
        engine=engine,
        sessions=session_factory(engine),
        backup_path=backup,
        keys=keys,
    )
