"""Engine creation, SQLite hardening, online backup and start-up migrations."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from app.domain.i18n import N_, _
from app.services.settings import APP_NAME, SettingsError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

# Alembic (and its templating and DDL layers) is imported only when a database is not at the
# newest revision: a start on an up-to-date database reads the revision with one query.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_ADVISORY_LOCK_ID = 0x4C4F4B45  # "LOKE": serialises migrations of several counters
_KEEP_BACKUPS = 3
#: Execution option of a relaxed transaction, and the pooled SQLite connection's state.
RELAXED_COMMIT = "loket_relaxed_commit"


class DatabaseError(RuntimeError):
    """The database cannot be used; ``message`` explains it to a person."""

    msgid = N_("The database cannot be opened.")

    @property
    def message(self) -> str:
        """Translated explanation."""
        return _(self.msgid)


class DatabaseTooNew(DatabaseError):
    """The database was migrated by a newer version of the application."""

    msgid = N_(
        "This database was created by a newer version of Loket KTP-el. Install that version "
        "(or newer) on this counter; the database was not changed."
    )


def default_database_path() -> Path:
    """SQLite file in the platform data dir."""
    override = os.environ.get("LOKET_DATA_DIR")
    base = Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))
    return base / "loket.sqlite3"


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL for a SQLite file."""
    return f"sqlite+pysqlite:///{path}"


def _prepare_sqlite_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=FULL: an acknowledged write survives power loss, not only a
        # process crash. Counter PCs lose power; a lost commit could be a counted hit or a
        # data balikan item the agreement says is owed, and nothing owed may vanish. The
        # fsync per commit (2-3 ms on a counter PC's disk) is paid for that; case steps with
        # no effect outside the database skip it (relax_commit).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # the safety level can change only outside a transaction: set it for this one first
        relaxed = bool(connection.get_execution_options().get(RELAXED_COMMIT, False))
        if relaxed != connection.info.get(RELAXED_COMMIT, False):
            level = "NORMAL" if relaxed else "FULL"
            connection.exec_driver_sql(f"PRAGMA synchronous={level}")
            connection.info[RELAXED_COMMIT] = relaxed  # the pooled connection's level now
        # Take the write lock at the start so concurrent writers queue instead of failing.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def relax_commit(session: Session) -> None:
    """Let this transaction's commit skip the wait for the disk; call it first in the
    transaction (before anything else uses the session's connection).

    For case steps with no effect outside the database (opening a case, ticking documents,
    an approval, "printed", closing after the hand-over), whose loss only makes the officer
    repeat the step. The commit still survives a crash of the application; only a power cut
    in the next moments can undo it, and then the database is as it was before the step:
    commits keep their order, and the next durable commit (a lookup, an issue, a hand-over,
    every data balikan change) writes it to disk with itself. SQLite: ``synchronous=NORMAL``
    for this transaction (WAL); PostgreSQL: ``synchronous_commit`` off for it.
    """
    connection = session.connection(execution_options={RELAXED_COMMIT: True})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def create_db_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (PostgreSQL or SQLite), or the default SQLite file."""
    if not url:
        url = sqlite_url(default_database_path())
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            if not Path(database).is_absolute():  # it would land in whatever folder is current
                raise SettingsError(
                    f"database_url: the SQLite path {database!r} is relative; give an absolute "
                    "path (or an absolute LOKET_DATA_DIR)"
                )
            _prepare_sqlite_file(Path(database))
        engine = create_engine(url, connect_args={"timeout": 15})
        _install_sqlite_pragmas(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


VERSION_TABLE = "alembic_version"


def stored_revision(connection: Connection) -> str | None:
    """The revision stamped in the database (None when it has no schema yet), one query."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:  # branches are not used here: leave the verdict to Alembic
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()
    return rows[0] if rows else None


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database (None when empty)."""
    with engine.connect() as connection:
        return stored_revision(connection)


_ASSIGNMENT = r"^{name}\s*(?::[^=\n]+)?=\s*(?:['\"]([^'\"]+)['\"]|None)\s*$"


def _revision_links() -> dict[str, str | None] | None:
    """revision -> down_revision read from the version files' text (None: not plain)."""
    links: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        revision = re.search(_ASSIGNMENT.format(name="revision"), source, re.MULTILINE)
        down = re.search(_ASSIGNMENT.format(name="down_revision"), source, re.MULTILINE)
        if revision is None or down is None or revision.group(1) is None:
            return None  # a merge point or another form: Alembic decides
        links[revision.group(1)] = down.group(1)
    return links


def known_revisions() -> frozenset[str]:
    """Every revision this version of the app has a migration for."""
    links = _revision_links()
    if links is not None:
        return frozenset(links)
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config())
    return frozenset(script.revision for script in scripts.walk_revisions())


def head_revision() -> str:
    """The newest schema revision this version of the app knows.

    Read from the version files without importing Alembic when they form one plain chain
    (tests check the answer equals Alembic's own).
    """
    links = _revision_links()
    if links is not None:
        heads = set(links) - {down for down in links.values() if down is not None}
        if len(heads) == 1:
            return heads.pop()
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def backup_sqlite(engine: Engine, destination: Path) -> Path:
    """Copy a SQLite database with the online backup API (consistent while in use)."""
    source_path = engine.url.database
    if not source_path:
        raise DatabaseError("in-memory databases cannot be backed up")
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(destination, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return destination


def _prune_backups(database: Path) -> None:
    backups = sorted(database.parent.glob(database.name + ".backup-*"))
    for old in backups[:-_KEEP_BACKUPS]:
        old.unlink(missing_ok=True)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _ADVISORY_LOCK_ID})
            connection.commit()
        try:
            yield connection
        finally:
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": _ADVISORY_LOCK_ID}
                )
                connection.commit()


def upgrade_database(engine: Engine) -> str | None:
    """Bring the schema to the newest revision, after a backup; return the backup path if any.

    A database stamped with a revision this app does not know is refused
    (:class:`DatabaseTooNew`) and left untouched. A database already at the newest revision
    costs one query (Alembic is not even imported).
    """
    head = head_revision()
    backup: Path | None = None
    with _migration_lock(engine) as connection:
        current = stored_revision(connection)
        if current == head:
            return None
        if current is not None:
            if current not in known_revisions():
                raise DatabaseTooNew(f"database at revision {current}, app knows {head}")
            if engine.dialect.name == "sqlite" and engine.url.database:
                database = Path(engine.url.database)
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                backup = backup_sqlite(
                    engine, database.with_name(f"{database.name}.backup-{stamp}-{current}")
                )
                _prune_backups(database)
        if connection.in_transaction():
            connection.commit()
        from alembic import command

        with connection.begin():
            command.upgrade(_alembic_config(connection), "head")
        log.info("database migrated from %s to %s", current, head)
    return str(backup) if backup else None
