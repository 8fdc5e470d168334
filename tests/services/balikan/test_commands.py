"""``loket db`` and ``loket balikan`` through the console script (production settings)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.cli import main
from app.domain.i18n import install_translator
from app.services.persistence.db import head_revision


@pytest.fixture
def production(tmp_path: Path) -> Path:
    database = tmp_path / "counter.sqlite3"
    admin = Path(os.environ["LOKET_ADMIN_CONFIG"])
    admin.parent.mkdir(parents=True, exist_ok=True)
    admin.write_text(
        'mode = "production"\n'
        f'database_url = "sqlite+pysqlite:///{database}"\n'
        "[agreement]\n"
        'access_method = "web_portal"\n'
        'portal_url = "https://172.16.160.177/"\n'
        "start = 2025-09-16\n"
        "end = 2030-09-16\n"
        "[balikan]\n"
        'base_url = "https://172.16.160.189/data_balikan/public"\n',
        encoding="utf-8",
    )
    assert main(["keys", "init"]) == 0  # the counter's keys, created on purpose
    install_translator("en", lambda message: message)  # the command installed Indonesian
    return database


def test_db_upgrade_and_current(production: Path, capsys: pytest.CaptureFixture[str]) -> None:

    assert main(["db", "upgrade"]) == 0
    assert head_revision() in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert f"Database schema: {head_revision()}" in capsys.readouterr().out


def test_balikan_status_on_a_configured_counter(
    production: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["balikan", "status"]) == 0
    out = capsys.readouterr().out
    assert "0" in out and "172.16" not in out


def test_balikan_send_without_token_explains(
    production: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["balikan", "send", "--once"]) == 1
    assert "balikan.token" in capsys.readouterr().err


def test_balikan_refuses_demo_mode(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["balikan", "status"]) == 2
    assert "Demo mode" in capsys.readouterr().err


def test_version_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["version"]) == 0
