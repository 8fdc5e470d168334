"""The user's cache folder: files that only make a start faster and can be rebuilt any time.

Everything here is derived from files the application ships (its migrations, its message
catalogue), named after a digest of their contents; nothing here holds a record or a secret.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from platformdirs import user_cache_dir

from app.services.settings import APP_NAME

CACHE_ENV = "LOKET_CACHE_DIR"


def cache_dir() -> Path:
    """Where the cached files live (``LOKET_CACHE_DIR`` overrides the platform's folder)."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else Path(user_cache_dir(APP_NAME, appauthor=False))


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` (mode 0600) so that a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)
