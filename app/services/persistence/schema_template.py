"""A migrated, empty SQLite schema kept once per migration set, copied into new demo databases.

Running every migration (and importing Alembic for it) is most of a brand-new demo database's
cost. The first demo on a machine migrates as always and keeps a copy of the result, taken
before anything but the schema is written, in the user's cache folder under a name derived
from the migration files' contents (so any change of a migration, of SQLite or of the
libraries that write the DDL makes a new one). Later demos copy it and are then at the newest
revision: :func:`~app.services.persistence.db.upgrade_database` sees that with one query.
A copy that cannot be read is removed and the database is migrated instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from app.services.persistence.db import MIGRATIONS_DIR
from app.services.user_cache import cache_dir

log = logging.getLogger(__name__)


def _library_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # a frozen bundle without metadata
        return "?"


def migrations_fingerprint() -> str:
    """A digest of every migration file, the SQLite version and the DDL-writing libraries."""
    digest = hashlib.sha256()
    for name in ("alembic", "SQLAlchemy"):
        digest.update(f"{name}={_library_version(name)}\n".encode())
    digest.update(f"sqlite={sqlite3.sqlite_version}\n".encode())
    files = sorted(MIGRATIONS_DIR.glob("*.py")) + sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    for path in files:
        digest.update(path.relative_to(MIGRATIONS_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def template_path(folder: Path | None = None) -> Path:
    """The schema copy for this version's migrations."""
    return (folder or cache_dir()) / f"demo-schema-{migrations_fingerprint()}.sqlite3"


def _copy(source: Path, destination: Path, *, plain_file: bool = False) -> None:
    """SQLite's online backup of ``source`` into ``destination`` (consistent while in use).

    ``plain_file``: the copy uses a rollback journal, so it has no WAL side files.
    """
    reader = sqlite3.connect(source)
    writer = sqlite3.connect(destination)
    try:
        reader.backup(writer)
        if plain_file:
            writer.execute("PRAGMA journal_mode=DELETE")
    finally:
        writer.close()
        reader.close()


def copy_template(database: Path, folder: Path | None = None) -> bool:
    """Fill the new, empty ``database`` file from the schema copy; False if there is none.

    A database that already has content is never touched.
    """
    template = template_path(folder)
    if not template.is_file() or (database.exists() and database.stat().st_size > 0):
        return False
    database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(database, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        _copy(template, database)
    except sqlite3.Error as error:
        log.warning("demo schema copy unusable, migrating instead: %s", type(error).__name__)
        template.unlink(missing_ok=True)
        database.unlink(missing_ok=True)
        return False
    return True


def save_template(database: Path, folder: Path | None = None) -> Path | None:
    """Keep a copy of ``database`` (freshly migrated, nothing else written) for later demos."""
    template = template_path(folder)
    try:
        template.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix=".schema-", suffix=".tmp", dir=template.parent)
        os.close(fd)
        temporary = Path(name)
        try:
            _copy(database, temporary, plain_file=True)
            os.replace(temporary, template)  # another demo may do the same: last one wins
        finally:
            temporary.unlink(missing_ok=True)
    except (OSError, sqlite3.Error) as error:  # only a slower next start
        log.warning("demo schema copy not kept: %s", type(error).__name__)
        return None
    return template
