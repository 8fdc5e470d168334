"""The uninstaller refuses a database that still owes data balikan, and says the way out."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from sqlalchemy import update

from app.cli import build_parser, main
from app.services.cases import Decision
from app.services.persistence.models import BalikanItem
from app.services.settings import Settings
from app.services.uninstall_check import run_uninstall_check_cli
from tests.services.cases.conftest import World
from tests.services.cases.test_reports import serve

ISS = Path(__file__).resolve().parents[3] / "installer" / "windows" / "loket.iss"


def _settings(world: World, url: str | None = None) -> Settings:
    engine_url = world.services.core.engine.url.render_as_string(hide_password=False)
    return dataclasses.replace(world.services.core.settings, database_url=url or engine_url)


def _check(settings: Settings, tmp_path: Path) -> tuple[int, str]:
    message = tmp_path / "message.txt"
    status = run_uninstall_check_cli(["--message-file", str(message)], settings)
    return status, message.read_text(encoding="utf-8")


def test_owed_items_refuse_removal_until_delivered(world: World, tmp_path: Path) -> None:
    examples = world.examples()
    serve(world, examples["found"], Decision.APPROVE)
    serve(world, examples["not_found"], Decision.REFUSE)  # owes nothing
    settings = _settings(world)
    status, message = _check(settings, tmp_path)
    assert status == 1
    assert "1 data balikan" in message  # how many, in the installed language
    for way_out in ("loket-cli balikan send", "loket-cli balikan export", "decommission"):
        assert way_out in message
    with world.services.core.sessions.begin() as session:
        session.execute(update(BalikanItem).values(status="delivered", delivered_at=world.clock()))
    assert _check(settings, tmp_path) == (0, "")


def test_no_database_may_be_removed_an_unreachable_one_may_not(
    world: World, tmp_path: Path
) -> None:
    missing = f"sqlite+pysqlite:///{tmp_path / 'none' / 'loket.sqlite3'}"
    assert _check(_settings(world, missing), tmp_path) == (0, "")
    assert not (tmp_path / "none").exists()  # the check never creates a database
    closed = "postgresql://loket:x@127.0.0.1:1/loket?connect_timeout=2"
    status, message = _check(_settings(world, closed), tmp_path)
    assert status == 2 and "loket-cli doctor" in message


def test_the_uninstaller_asks_and_stops_on_a_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    script = ISS.read_text(encoding="utf-8")
    code = script.split("[Code]", 1)[1]
    assert re.search(r"function InitializeUninstall\(\): Boolean;", code)
    assert "loket-cli.exe" in code and "uninstall-check --message-file" in code
    assert "if ResultCode <> 0 then" in code and "Result := False;" in code
    assert "MsgBox(" in code
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["--help"])
    assert stop.value.code == 0
    assert "uninstall-check" in capsys.readouterr().out
    assert main(["uninstall-check", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: loket uninstall-check") and "--message-file" in out
