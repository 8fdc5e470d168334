"""loket decommission: refused while data balikan is owed; then a final report, audit export
and BAST are written, and no key, secret or local data is left."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import keyring
import pytest
from sqlalchemy import select

from app.cli import main
from app.services.app_core import build_services
from app.services.bootstrap import build_core
from app.services.officers import Role
from app.services.persistence.models import BalikanItem
from app.services.secrets import KNOWN_SECRETS, SAM_CONF, SAM_PCID, SERVICE
from app.services.settings import load_settings

ADMIN = """
mode = "production"
counter_id = "LOKET-3"
[agency]
id_lembaga = "330301"
name = "Dinas Contoh"
[agreement]
access_method = "web_portal"
portal_url = "https://portal.example.invalid/"
start = 2025-01-01
end = 2027-09-16
"""


def test_decommission_refused_while_owed_then_leaves_no_key_and_no_data(
    isolated_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    admin = isolated_environment / "admin" / "loket.toml"
    admin.parent.mkdir(parents=True, exist_ok=True)
    admin.write_text(ADMIN, encoding="utf-8")
    assert main(["keys", "init"]) == 0  # the agency's keys, created on purpose
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "admin", "Admin Contoh", "rahasia-123", Role.ADMINISTRATOR)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    core.secrets.set(SAM_PCID, "00" * 16)
    core.secrets.set(SAM_CONF, "11" * 16)
    with core.sessions.begin() as session:
        services.outbox.hold(session, "LOKET-3/2026/000001", "3303010101900001")
        item = session.execute(select(BalikanItem)).scalar_one()
        item.status = "pending"
    database = Path(core.engine.url.database or "")
    core.close()
    assert database.is_file()
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    out = tmp_path / "akhir"
    args = ["decommission", "--out", str(out), "--user", "admin", "--yes"]
    assert main(args) == 1
    assert "1 data balikan item(s) still owed" in capsys.readouterr().err
    assert database.is_file() and not out.exists()
    assert keyring.get_password(SERVICE, SAM_PCID) == "00" * 16
    # the item is delivered; a supervisor may not decommission, an administrator may
    core = build_core(load_settings())
    with core.sessions.begin() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
        item.status, item.delivered_at = "delivered", datetime.now()
    core.close()
    assert main(["decommission", "--out", str(out), "--user", "kepala", "--yes"]) == 1
    monkeypatch.setattr("builtins.input", lambda prompt: "LOKET-9")
    assert main(["decommission", "--out", str(out), "--user", "admin"]) == 1
    assert database.is_file()
    capsys.readouterr()
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "SAM return checklist" in printed
    written = sorted(p.name for p in out.iterdir())
    assert [n.split("-")[0] for n in written] == ["audit", "bast", "final", "final"]
    bast = next(out.glob("bast-*.txt")).read_text(encoding="utf-8")
    assert "BERITA ACARA SERAH TERIMA" in bast and "Admin Contoh" in bast
    audit = next(out.glob("audit-*.csv")).read_text(encoding="utf-8")
    assert "counter.decommissioned" in audit and "3303010101900001" not in audit
    for name in KNOWN_SECRETS:
        assert keyring.get_password(SERVICE, name) is None, name
    assert list(database.parent.glob(database.name + "*")) == []
