"""The frozen bundle (installer/loket.spec): built with PyInstaller, then run from outside the tree.

It must carry the resources (region table, translations, agreement profiles), the Alembic
migrations (read as files at run time) and the Qt modules the app uses, and nothing of Qt it
does not use. ``loket selfcheck`` is the probe; ``loket demo`` under the offscreen platform
proves Qt, QtPdf and the start-up path.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from app.cli import build_parser, main
from app.services.persistence.db import head_revision
from app.services.translations import translator
from tests.real_components import component_missing

ROOT = Path(__file__).resolve().parents[1]
EXE = "loket.exe" if sys.platform == "win32" else "loket"
BUILD_TIMEOUT_S = 900
# the module-scoped build runs inside whichever test uses the bundle first (order is random)
pytestmark = pytest.mark.timeout(BUILD_TIMEOUT_S + 300)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _selfcheck_lines(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


def test_selfcheck_in_the_source_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfcheck", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = _selfcheck_lines(out)
    assert lines["region 3303"] == "Kabupaten Purbalingga"
    assert lines["profiles"] == str(len(list((ROOT / "resources" / "profiles").glob("*.toml"))))
    assert lines["schema"] == f"{head_revision()} (head {head_revision()})"
    assert (tmp_path / "selfcheck.sqlite3").is_file()
    assert out.rstrip().endswith("selfcheck ok")


def test_selfcheck_is_hidden_from_help() -> None:
    assert "selfcheck" not in build_parser().format_help()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle once for this module; the folder holding the ``loket`` executable."""
    # ./scripts/test installs the installer extra; without it the test fails (see
    # tests/real_components.py).
    if not _installed("PyInstaller"):
        component_missing("PyInstaller", "pip install -e '.[installer]'")
    out = tmp_path_factory.mktemp("bundle")
    env = {**os.environ, "PYTHON": sys.executable}
    try:
        build = subprocess.run(
            ["bash", str(ROOT / "installer" / "build-bundle"), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"building the bundle took more than {BUILD_TIMEOUT_S} s")
    if build.returncode != 0:
        pytest.fail(
            f"installer/build-bundle failed ({build.returncode}):\n"
            f"{build.stdout[-3000:]}\n{build.stderr[-6000:]}"
        )
    folder = out / "loket"
    assert (folder / EXE).is_file(), build.stdout
    return folder


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    """An environment that keeps the frozen app's files in ``tmp_path`` and off the tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
        LOKET_LOG_DIR=str(tmp_path / "logs"),
        LOKET_DATA_DIR=str(tmp_path / "data" / "loket"),
    )
    (tmp_path / "runtime").mkdir(mode=0o700)
    return env


def _run(
    bundle: Path, args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle / EXE), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_frozen_version(bundle: Path, run_env: dict[str, str], tmp_path: Path) -> None:
    result = _run(bundle, ["version"], run_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Loket KTP-el {__version__}"


@pytest.mark.slow
def test_frozen_selfcheck_finds_resources_and_migrates(
    bundle: Path, run_env: dict[str, str], tmp_path: Path
) -> None:
    data_dir = tmp_path / "probe"
    data_dir.mkdir()
    result = _run(bundle, ["selfcheck", "--data-dir", str(data_dir)], run_env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _selfcheck_lines(result.stdout)
    internal = (bundle / "_internal").resolve()
    assert Path(lines["resources"]) == internal / "resources"
    assert lines["region 3303"] == "Kabupaten Purbalingga"
    assert lines["profiles"] == str(len(list((ROOT / "resources" / "profiles").glob("*.toml"))))
    assert lines["translations id"] == f"{len(translator('id'))} messages"
    assert Path(lines["migrations"]) == internal / "app" / "services" / "persistence" / "migrations"
    head = head_revision()
    assert lines["schema"] == f"{head} (head {head})"
    assert (data_dir / "selfcheck.sqlite3").is_file()
    # the optional parts are bundled whenever the build environment has them
    if _installed("smartcard"):
        assert lines["card reader (pyscard)"] == "available"
    if _installed("psycopg"):
        assert not lines["postgresql (psycopg)"].startswith("missing")
    assert result.stdout.rstrip().endswith("selfcheck ok")


@pytest.mark.slow
def test_frozen_demo_starts_qt_offscreen(
    bundle: Path, run_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**run_env, "QT_QPA_PLATFORM": "offscreen"}
    result = _run(bundle, ["demo", "--quit-after-ms", "1500"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    log = (tmp_path / "logs" / "loket.log").read_text(encoding="utf-8")
    assert " ERROR " not in log and " CRITICAL " not in log, log


@pytest.mark.slow
def test_frozen_bundle_carries_only_the_qt_it_uses(bundle: Path) -> None:
    names = {path.name for path in (bundle / "_internal").rglob("*")}
    for module in ("QtCore", "QtGui", "QtWidgets", "QtPdf", "QtPdfWidgets", "QtPrintSupport"):
        assert any(name.startswith(f"{module}.") for name in names), module
    unwanted = ("WebEngine", "Qml", "Quick", "3D", "Multimedia", "VirtualKeyboard", "Charts")
    present = sorted(name for name in names if "Qt" in name and any(u in name for u in unwanted))
    assert present == []
