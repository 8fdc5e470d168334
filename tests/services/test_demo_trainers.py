"""Trainers' demo: killed demos' folders are removed, `loket balikan --help` helps."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.cli import main
from app.services.demo import DEMO_PID_FILE, clean_stale_demo_dirs, make_demo_dir


def _folder(base: Path, name: str, pid: int | None, age_s: float = 0) -> Path:
    folder = base / name
    folder.mkdir()
    (folder / "loket.sqlite3").write_bytes(b"x")
    if pid is not None:
        (folder / DEMO_PID_FILE).write_text(str(pid))
    if age_s:
        old = time.time() - age_s
        os.utime(folder, (old, old))
    return folder


def test_killed_demos_leave_nothing_behind(tmp_path: Path) -> None:
    running = _folder(tmp_path, "loket-demo-running", 4242)
    killed = _folder(tmp_path, "loket-demo-killed", 4343)
    own = _folder(tmp_path, "loket-demo-own", os.getpid())
    unowned_old = _folder(tmp_path, "loket-demo-old", None, age_s=3 * 3600)
    unowned_new = _folder(tmp_path, "loket-demo-new", None)
    other = _folder(tmp_path, "something-else", 4343)
    removed = clean_stale_demo_dirs(tmp_path, alive=lambda pid: pid == 4242)
    assert sorted(removed) == sorted([killed, unowned_old])
    assert not killed.exists() and not unowned_old.exists()
    assert running.exists() and own.exists() and unowned_new.exists() and other.exists()


def test_a_new_demo_folder_records_its_process(tmp_path: Path) -> None:
    folder = make_demo_dir(tmp_path)
    assert folder.name.startswith("loket-demo-")
    assert (folder / DEMO_PID_FILE).read_text() == str(os.getpid())
    assert clean_stale_demo_dirs(tmp_path) == []  # this process is alive


def test_balikan_help_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["balikan", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: loket balikan")
    for action in ("status", "send", "export", "confirm", "params", "requeue"):
        assert action in out


def test_demo_start_hashes_no_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from app.services.demo import DEMO_PASSWORD, DEMO_PASSWORD_HASH, build_demo
    from app.services.officers import password_hasher

    assert PasswordHasher().verify(DEMO_PASSWORD_HASH, DEMO_PASSWORD)
    assert not password_hasher().check_needs_rehash(DEMO_PASSWORD_HASH)
    hashed: list[str] = []
    original = PasswordHasher.hash

    def counting(self: PasswordHasher, password: str | bytes, **kw: object) -> str:
        hashed.append("x")
        return original(self, password)

    monkeypatch.setattr(PasswordHasher, "hash", counting)
    world = build_demo(tmp_path / "data")
    try:
        assert hashed == []
        officer = world.services.officers.authenticate("petugas", DEMO_PASSWORD)
        assert officer.username == "petugas"
    finally:
        world.services.core.close()


def test_demo_start_path_does_not_load_keyring_or_reportlab(tmp_path: Path) -> None:
    import subprocess
    import sys

    probe = (
        "import sys, pathlib\n"
        "import app.ui.main\n"
        "from app.services.demo import build_demo\n"
        f"world = build_demo(pathlib.Path({str(tmp_path / 'd')!r}))\n"
        "world.services.core.close()\n"
        "print('keyring' in sys.modules, 'reportlab' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root))
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=root,
        timeout=240, check=True,
    )  # fmt: skip
    keyring_loaded, reportlab_loaded = done.stdout.strip().splitlines()[-1].split()
    assert keyring_loaded == "False"
    assert reportlab_loaded == "False"  # loaded when the first page is drawn


def test_page_units_are_reportlabs() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    from app.services.documents import page

    assert page.mm == mm and page.A4 == A4


def test_supervisor_tools_on_the_demo_point_to_the_reports_menu(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", "verify"]) == 3
    err = capsys.readouterr().err
    assert "Reports menu" in err and "supervisor" in err
