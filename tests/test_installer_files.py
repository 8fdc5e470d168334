"""The installer's own files agree with the app: commands they start, settings they ship."""

from __future__ import annotations

import configparser
import re
import tomllib
from pathlib import Path

from app.cli import build_parser
from app.services.settings import settings_from_dicts

INSTALLER = Path(__file__).resolve().parents[1] / "installer"


def _is_loket_command(arguments: str) -> bool:
    parsed = build_parser().parse_args(arguments.split())
    return callable(parsed.func)


def test_windows_example_settings_are_valid_production_settings() -> None:
    path = INSTALLER / "windows" / "loket.example.toml"
    settings = settings_from_dicts(tomllib.loads(path.read_text(encoding="utf-8")))
    assert settings.mode == "production"
    assert settings.gateway.certificate_file.startswith("C:\\ProgramData\\Loket\\")


def test_desktop_entry_starts_real_commands() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(INSTALLER / "linux" / "loket.desktop", encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application" and main["Name"] == "Loket KTP-el"
    execs = [main["Exec"]] + [
        entry[section]["Exec"]
        for section in entry.sections()
        if section.startswith("Desktop Action")
    ]
    assert len(execs) == 2
    for command in execs:
        program, _, arguments = command.partition(" ")
        assert program == "loket" and _is_loket_command(arguments), command


def test_inno_setup_script_shortcuts_and_files() -> None:
    script = (INSTALLER / "windows" / "loket.iss").read_text(encoding="utf-8")
    shortcuts = re.findall(r'^Name: "\{auto\w+\}[^\n]*Parameters: "([^"]+)"', script, re.M)
    assert sorted(shortcuts) == ["demo", "run", "run"]
    for arguments in shortcuts:
        assert _is_loket_command(arguments)
    for source in re.findall(r'^Source: "([^"{]+)"', script, re.M):
        assert (INSTALLER / "windows" / source).is_file(), source
    # the administrator's folder and file outlive the program
    assert re.search(
        r'^Name: "\{commonappdata\}\\Loket"; Flags: uninsneveruninstall$', script, re.M
    )
    assert 'loket.toml"' not in script  # the installer never writes loket.toml itself
    assert 'ValueName: "EnableScPnP"; ValueData: "0"' in script
