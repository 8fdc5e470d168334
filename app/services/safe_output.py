"""One way to write a file the user named (``--out``) or the app owns (settings, certificate).

The data goes to a temporary file in the target's folder, created with the final
permissions, flushed to disk, then renamed over the target. The target is never

* the database (or its ``-wal``/``-journal`` companions), whatever ``force`` says;
* reached through a symbolic link (the link is refused, not followed);
* a file that already exists, unless ``force`` is given and it is a plain file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from app.domain.errors import UserFacingError
from app.domain.i18n import N_, _

#: Companion files SQLite keeps next to a database.
_SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")


class OutputRefused(UserFacingError):
    """The output file cannot be written there; ``message`` says what to do."""

    msgid = N_("The output file cannot be written there.")

    def __init__(self, msgid: str, path: Path) -> None:
        super().__init__(str(path))
        self._msgid = msgid
        self.path = path

    @property
    def message(self) -> str:
        """The reason and what to do, translated, with the path."""
        return _(self._msgid).format(path=self.path)


EXISTS = N_("{path} already exists. Choose a new file name, or add --force to replace it.")
IS_LINK = N_("{path} is a symbolic link; it is not followed. Choose a plain file name.")
NOT_PLAIN = N_("{path} is not a plain file; choose a plain file name.")
IS_DATABASE = N_("{path} is the app's database; it is never overwritten. Choose another name.")
NO_FOLDER = N_("The folder of {path} does not exist or cannot be written.")


def database_files(database_url: str) -> list[Path]:
    """The files of a SQLite database URL (none for other databases)."""
    if not database_url.startswith("sqlite:///"):
        return []
    base = database_url[len("sqlite:///") :].split("?", 1)[0]
    return [Path(base + suffix) for suffix in _SQLITE_SUFFIXES] if base else []


def _same_file(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except OSError:
        return os.path.abspath(path) == os.path.abspath(other)


def check_output(path: Path, *, force: bool = False, protected: Iterable[Path] = ()) -> None:
    """Raise :class:`OutputRefused` unless ``path`` may be (over)written."""
    for other in protected:
        if _same_file(path, other):
            raise OutputRefused(IS_DATABASE, path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise OutputRefused(IS_LINK, path)
    if not stat.S_ISREG(info.st_mode):
        raise OutputRefused(NOT_PLAIN, path)
    if not force:
        raise OutputRefused(EXISTS, path)


def write_output(
    path: Path,
    data: bytes,
    *,
    force: bool = False,
    protected: Iterable[Path] = (),
    mode: int = 0o600,
) -> Path:
    """Write ``data`` to ``path`` safely (see the module); return the path written."""
    path = Path(path)
    protected = list(protected)
    check_output(path, force=force, protected=protected)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputRefused(NO_FOLDER, path) from error
    try:
        if hasattr(os, "fchmod"):  # POSIX; on Windows the folder's ACL decides
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        check_output(path, force=force, protected=protected)  # nothing planted meanwhile
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
