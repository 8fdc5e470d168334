"""The running demo's state file: the supervisor tools work on the demo's database with
``--demo``; ending the demo (SIGTERM, SIGINT; SIGKILL at the next start) leaves no database."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.demo import DEMO_DIR_PREFIX, DEMO_PID_FILE
from app.services.demo_state import (
    DEMO_STATE_FILE,
    DemoStateError,
    find_demo_state,
    read_demo_state,
    write_demo_state,
)
from app.services.secrets import MemorySecretStore

ROOT = Path(__file__).resolve().parents[2]


def test_the_state_file_is_private_and_round_trips(tmp_path: Path) -> None:
    folder = tmp_path / (DEMO_DIR_PREFIX + "a")
    folder.mkdir()
    store = MemorySecretStore({"hmac": "h-key", "enc": "e-key"})
    path = write_demo_state(folder, "sqlite+pysqlite:////x/loket.sqlite3", store, pid=os.getpid())
    assert path == folder / DEMO_STATE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    state = read_demo_state(path)
    assert state.database_url == "sqlite+pysqlite:////x/loket.sqlite3"
    assert state.secret_store().get("hmac") == "h-key"
    assert state.pid == os.getpid()


def test_a_state_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = write_demo_state(tmp_path, "sqlite://", MemorySecretStore({"k": "v"}))
    path.chmod(0o644)
    with pytest.raises(DemoStateError, match="readable by others"):
        read_demo_state(path)


def test_only_a_live_demo_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOKET_DEMO_STATE", raising=False)
    with pytest.raises(DemoStateError, match="no running demo"):
        find_demo_state(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = tmp_path / (DEMO_DIR_PREFIX + "killed")
    killed.mkdir()
    write_demo_state(killed, "sqlite:///killed", MemorySecretStore(), pid=dead.pid)
    with pytest.raises(DemoStateError):
        find_demo_state(tmp_path)
    live = tmp_path / (DEMO_DIR_PREFIX + "live")
    live.mkdir()
    write_demo_state(live, "sqlite:///live", MemorySecretStore(), pid=os.getpid())
    assert find_demo_state(tmp_path).database_url == "sqlite:///live"


def _loket(args: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        **kw,  # type: ignore[arg-type]
    )


class RunningDemo:
    """``loket demo`` (offscreen) in a child process with its own temporary folder."""

    def __init__(self, tmp: Path) -> None:
        self.env = dict(
            os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp), PYTHONPATH=str(ROOT)
        )
        self.env.pop("LOKET_DEMO_STATE", None)
        self.log = (tmp / f"demo-{time.monotonic_ns()}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from app.cli import main; sys.exit(main())",
                "demo",
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        assert self.process.stdout is not None
        self.state_path: Path | None = None
        for line in self.process.stdout:  # the first lines: where its state file is
            if line.startswith("Demo state: "):
                self.state_path = Path(line.removeprefix("Demo state: ").strip())
                break
        assert self.state_path is not None, "the demo did not print its state file"
        self.folder = self.state_path.parent

    def stop(self, number: int) -> int:
        self.process.send_signal(number)
        self.process.communicate(timeout=60)  # reads what is left and closes the pipe
        self.log.close()
        return self.process.returncode


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[RunningDemo]:
    running = RunningDemo(tmp_path)
    yield running
    if running.process.poll() is None:
        running.stop(signal.SIGKILL)


def test_supervisor_tools_work_on_the_running_demo_and_sigterm_removes_its_database(
    demo: RunningDemo,
) -> None:
    assert demo.state_path is not None
    assert demo.folder.name.startswith(DEMO_DIR_PREFIX)
    assert stat.S_IMODE(demo.state_path.stat().st_mode) == 0o600
    assert (demo.folder / "loket.sqlite3").exists()
    audit = _loket(["audit", "--demo", "verify"], demo.env)
    assert audit.returncode == 0, audit.stderr
    due = _loket(["report", "--demo", "due"], demo.env)
    assert due.returncode == 0, due.stderr
    assert due.stdout.strip()
    balikan = _loket(["--demo", "balikan", "status"], demo.env)
    assert balikan.returncode == 0, balikan.stderr
    without = _loket(["audit", "verify"], demo.env)
    assert without.returncode != 0 and "--demo" in without.stderr  # says how
    assert demo.stop(signal.SIGTERM) == 0
    assert not demo.folder.exists()
    after = _loket(["audit", "--demo", "verify"], demo.env)
    assert after.returncode == 2 and "no running demo" in after.stderr
    assert "Traceback" not in after.stderr


def test_ctrl_c_ends_the_demo_without_leaving_its_database(demo: RunningDemo) -> None:
    assert demo.stop(signal.SIGINT) == 0
    assert not demo.folder.exists()


def test_a_killed_demo_folder_goes_at_the_next_start(tmp_path: Path) -> None:
    first = RunningDemo(tmp_path)
    first.stop(signal.SIGKILL)
    assert first.folder.exists()  # nothing could run at SIGKILL
    second = RunningDemo(tmp_path)
    try:
        assert not first.folder.exists()
        assert (second.folder / DEMO_PID_FILE).read_text() == str(second.process.pid)
    finally:
        assert second.stop(signal.SIGTERM) == 0
    assert not second.folder.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(DEMO_DIR_PREFIX)] == []


def test_balikan_help_prints_help_on_the_command_line() -> None:
    out = _loket(["balikan", "--help"], dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.returncode == 0
    assert out.stdout.startswith("usage: loket balikan")
    assert "status" in out.stdout and "export" in out.stdout
