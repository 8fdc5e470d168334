"""The console script, the no-display message, and resources in an installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from app import __version__
from app.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_demo_without_display_explains_instead_of_crashing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert "xvfb-run" in err and "libxcb-cursor0" in err


def test_unknown_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


@pytest.mark.slow
def test_wheel_installs_and_carries_resources(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "app/_resources/kode_wilayah.csv" in names
    assert any(n.startswith("app/_resources/translations/id/") for n in names)
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    out = subprocess.run(
        [str(target / "bin" / "loket"), "version"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert __version__ in out.stdout
    probe = (
        "import app.domain.resource_files as r, app.domain.regions as g;"
        "print(r.resources_dir()); print(g.default_regions().name('3303'))"
    )
    out = subprocess.run(
        [str(python), "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    resources, name = out.stdout.splitlines()
    assert resources.endswith("app/_resources") and str(target) in resources
    assert name == "Kabupaten Purbalingga"


COMMANDS = ["demo", "run", "version", "simulator", "reader", "db", "balikan", "keys", "audit",
            "report", "doctor", "incident", "evidence", "retention", "decommission", "secrets"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_working_help_without_configuration(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import build_parser, main

    listed = build_parser().format_help()
    assert command in listed
    try:
        code = main([command, "--help"])
    except SystemExit as stop:  # argparse's own help exit
        code = int(stop.code or 0)
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("usage: loket"), out[:200]
    assert "Traceback" not in out
