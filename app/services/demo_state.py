"""The running demo's state file: where its database is and its (demo-only) keys.

The demo keeps its keys in memory, so a separate command could not read its database. While it
runs, the demo writes ``demo-state.json`` (mode 0600, in its private temporary folder) with the
database URL and the demo key store; ``loket <tool> --demo`` opens that database with those keys.
The file goes with the folder when the demo ends (or, for a killed demo, at the next start).
Demo keys protect only invented residents; production keys never leave the OS keyring.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.services.secrets import MemorySecretStore

DEMO_STATE_FILE = "demo-state.json"
#: Names a state file explicitly (else the running demos' folders are searched).
DEMO_STATE_ENV = "LOKET_DEMO_STATE"


class DemoStateError(Exception):
    """No usable running demo (message in English, for the CLI)."""


@dataclass(frozen=True)
class DemoState:
    """A running demo as a separate command sees it."""

    path: Path
    pid: int
    database_url: str
    secrets: dict[str, str]

    def secret_store(self) -> MemorySecretStore:
        """The demo's keys, for this command only (nothing is written)."""
        return MemorySecretStore(self.secrets)


def write_demo_state(
    data_dir: Path, database_url: str, secrets: MemorySecretStore, pid: int | None = None
) -> Path:
    """Write the state file into the demo's folder, readable by its owner only."""
    path = data_dir / DEMO_STATE_FILE
    payload = {
        "pid": os.getpid() if pid is None else pid,
        "database_url": database_url,
        "secrets": secrets.snapshot(),
    }
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def read_demo_state(path: Path) -> DemoState:
    """The state in ``path``; :class:`DemoStateError` when unreadable or not private."""
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise DemoStateError(f"{path} is readable by others; refusing to use it")
        data = json.loads(path.read_text(encoding="utf-8"))
        return DemoState(
            path=path,
            pid=int(data["pid"]),
            database_url=str(data["database_url"]),
            secrets={str(k): str(v) for k, v in dict(data["secrets"]).items()},
        )
    except DemoStateError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DemoStateError(f"no usable demo state at {path} ({type(error).__name__})") from None


def find_demo_state(base: Path | None = None) -> DemoState:
    """The running demo's state: ``$LOKET_DEMO_STATE``, else the newest live demo's file."""
    from app.services.demo import DEMO_DIR_PREFIX, _process_alive

    named = os.environ.get(DEMO_STATE_ENV)
    if named:
        return read_demo_state(Path(named))
    root = base or Path(tempfile.gettempdir())
    candidates: list[tuple[float, Path]] = []
    for folder in root.glob(DEMO_DIR_PREFIX + "*"):
        state = folder / DEMO_STATE_FILE
        try:
            if folder.is_symlink() or not state.is_file():
                continue
            if os.name == "posix" and folder.stat().st_uid != os.getuid():
                continue
            candidates.append((state.stat().st_mtime, state))
        except OSError:
            continue
    for _mtime, state in sorted(candidates, reverse=True):
        try:
            found = read_demo_state(state)
        except DemoStateError:
            continue
        if _process_alive(found.pid):
            return found
    raise DemoStateError(
        "no running demo found: start it with 'loket demo' (it prints its state file), "
        f"or name the file in {DEMO_STATE_ENV}"
    )
