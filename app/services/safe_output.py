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
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

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


def database_files(database_url: str | URL) -> list[Path]:
    """The files of a SQLite database URL (or engine URL); none for other databases."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return []
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return []
    return [Path(url.database + suffix) for suffix in _SQLITE_SUFFIXES]


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


def private_temp(path: Path, mode: int = 0o600) -> Path:
    """A new, empty temporary file next to ``path`` (created exclusively, never a link)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise OutputRefused(NO_FOLDER, path) from error
    if hasattr(os, "fchmod"):  # POSIX; on Windows the folder's ACL decides
        os.fchmod(fd, mode)
    os.close(fd)
    return Path(temporary)


def finish_output(
    temporary: Path, path: Path, *, force: bool = False, protected: Iterable[Path] = ()
) -> Path:
    """Check ``path`` again (nothing planted meanwhile), then rename ``temporary`` over it."""
    check_output(path, force=force, protected=protected)
    os.replace(temporary, path)
    return path


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
    temporary = private_temp(path, mode)
    try:
        with temporary.open("r+b") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        return finish_output(temporary, path, force=force, protected=protected)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def tool_output(
    path: Path, data: bytes | None, *, database_url: str | URL, force: bool = False
) -> bool:
    """For ``--out`` of a command: check (``data`` None) or write ``path`` safely, never over
    the database; False, with the refusal printed to stderr, when refused."""
    protected = database_files(database_url)
    try:
        if data is None:
            check_output(Path(path), force=force, protected=protected)
        else:
            write_output(Path(path), data, force=force, protected=protected)
    except OutputRefused as error:
        print(error.message, file=sys.stderr)
        return False
    return True
