"""CLI tools an administrator uses: audit verify, secrets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import main
from app.services.app_core import build_services
from app.services.bootstrap import build_core
from app.services.officers import Role
from app.services.settings import load_settings

ADMIN = """
mode = "production"
counter_id = "LOKET-9"
[agency]
id_lembaga = "330301"
name = "Dinas Contoh"
[agreement]
access_method = "web_portal"
portal_url = "https://portal.example.invalid/"
start = 2025-01-01
end = 2027-09-16
"""


@pytest.fixture
def configured(isolated_environment: Path) -> Path:
    admin = isolated_environment / "admin" / "loket.toml"
    admin.parent.mkdir(parents=True)
    admin.write_text(ADMIN, encoding="utf-8")
    user = isolated_environment / "user" / "settings.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")  # messages in English
    assert main(["keys", "init"]) == 0  # the agency's keys, created on purpose
    return admin


def test_audit_verify_names_the_first_edited_record(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    admin = services.officers.create(None, "admin", "Admin", "rahasia-123", Role.ADMINISTRATOR)
    for name in ("satu", "dua", "tiga"):
        services.officers.create(
            admin,
            name,
            name,
            "rahasia-123",
            Role.OFFICER,
            nda_date=date(2026, 1, 1),
            nda_reference="NDA/1",
        )
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    with core.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'orang-lain' WHERE seq = 3"))
    assert main(["audit", "verify"]) == 1
    assert "record 3 was edited" in capsys.readouterr().out
    with core.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'admin' WHERE seq = 3"))
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert main(["audit", "verify"]) == 1
    assert "record 2 was removed" in capsys.readouterr().out
    core.close()


def test_audit_verify_detects_a_removed_tail(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "admin", "Admin", "rahasia-123", Role.ADMINISTRATOR)
    services.officers.create(None, "satu", "Satu", "rahasia-123", Role.OFFICER)
    with core.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert main(["audit", "verify"]) == 1
    assert "record 2 was removed" in capsys.readouterr().out
    core.close()


def test_secrets_go_to_the_keyring(
    configured: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    memory_keyring: object,
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "kata-sandi-contoh")
    assert main(["secrets", "set", "gateway.password"]) == 0
    assert main(["secrets", "status"]) == 0
    out = capsys.readouterr().out
    assert "gateway.password: set" in out and "kata-sandi-contoh" not in out
    assert main(["secrets", "set", "bogus"]) == 2


def test_tools_refuse_without_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 3
    assert "no configuration on this PC" in capsys.readouterr().err


def test_report_command_writes_a_pdf_for_supervisors(
    configured: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    services.officers.create(None, "staf", "Staf", "rahasia-123", Role.OFFICER)
    core.close()
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    out = tmp_path / "harian.pdf"
    assert main(["report", "daily", "--user", "kepala", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    other = str(tmp_path / "semester.pdf")
    assert main(["report", "semester", "--user", "staf", "--out", other]) == 1
    assert main(["report", "daily", "--day", "kemarin", "--user", "kepala", "--out", other]) == 2


def test_audit_subject_asks_the_nik_and_writes_the_record(
    configured: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    core.close()
    answers = iter(["rahasia-123", "3303015505900001"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    out = tmp_path / "catatan.pdf"
    assert main(["audit", "subject", "--user", "kepala", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    answers = iter(["rahasia-123", "12345"])
    assert main(["audit", "subject", "--user", "kepala", "--out", str(out), "--force"]) == 1
    link = tmp_path / "link.pdf"
    link.symlink_to(out)
    before = out.read_bytes()
    answers = iter(["rahasia-123", "3303015505900001"])
    assert main(["audit", "subject", "--user", "kepala", "--out", str(link), "--force"]) == 2
    assert main(["audit", "subject", "--user", "kepala", "--out", str(out)]) == 2  # exists
    assert out.read_bytes() == before


def test_report_out_never_overwrites_the_database_a_foreign_file_or_through_a_link(
    configured: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    database = Path(str(core.engine.url.database))
    core.close()
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    header = database.read_bytes()[:16]
    for extra in ([], ["--force"]):
        assert main(["report", "daily", "--user", "kepala", "--out", str(database), *extra]) == 2
    assert database.read_bytes()[:16] == header == b"SQLite format 3\x00"
    target = tmp_path / "someone-elses.txt"
    target.write_text("kept", encoding="utf-8")
    link = tmp_path / "report.pdf"
    link.symlink_to(target)
    assert main(["report", "daily", "--user", "kepala", "--out", str(link), "--force"]) == 2
    assert target.read_text(encoding="utf-8") == "kept" and link.is_symlink()
    assert main(["report", "daily", "--user", "kepala", "--out", str(target)]) == 2
    assert target.read_text(encoding="utf-8") == "kept"
    assert main(["report", "daily", "--user", "kepala", "--out", str(target), "--force"]) == 0
    assert target.read_bytes().startswith(b"%PDF")


# ---------------------------------------------------------------- issue 11: messages
def assert_message_not_traceback(capsys: pytest.CaptureFixture[str], *needles: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("loket: ")
    for needle in needles:
        assert needle in err
    return err


@pytest.mark.parametrize("command", [["audit", "verify"], ["secrets", "status"], ["db", "current"]])
def test_a_malformed_admin_file_is_a_message_and_exit_2(
    configured: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    configured.write_text('mode = "production"\n[agency\n', encoding="utf-8")
    assert main(command) == 2
    assert_message_not_traceback(capsys, "not valid TOML", "administrator")


def test_a_malformed_user_file_is_a_message_and_exit_2(
    configured: Path, isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = isolated_environment / "user" / "settings.toml"
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("[ui\n", encoding="utf-8")
    assert main(["audit", "verify"]) == 2
    assert_message_not_traceback(capsys, "not valid TOML")


def test_a_bad_database_url_is_a_message_and_exit_2(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = configured.read_text(encoding="utf-8")
    configured.write_text('database_url = "loket.sqlite3"\n' + text, encoding="utf-8")
    assert main(["audit", "verify"]) == 2
    assert_message_not_traceback(capsys, "database_url")
    configured.write_text(
        'database_url = "postgresql://loket:rahasia-db@127.0.0.1:1/loket"\n' + text,
        encoding="utf-8",
    )
    assert main(["audit", "verify"]) == 2
    err = assert_message_not_traceback(capsys, "database_url", "OperationalError")
    assert "rahasia-db" not in err


def test_a_missing_keyring_is_a_message_and_exit_2(
    configured: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    assert main(["secrets", "status"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "keyring" in err.lower()


def test_secrets_set_does_not_say_stored_when_nothing_was_kept(
    configured: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: object,
) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt: "kata-sandi-contoh")
    monkeypatch.setattr(type(memory_keyring), "set_password", lambda *args: None)
    assert main(["secrets", "set", "gateway.password"]) == 2
    captured = capsys.readouterr()
    assert "stored in" not in captured.out and "NOT stored" in captured.err


def test_a_garbage_audit_head_is_found_and_named_not_a_traceback(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "admin", "Admin", "rahasia-123", Role.ADMINISTRATOR)
    with core.engine.begin() as connection:
        connection.execute(text("UPDATE app_meta SET value = 'sampah' WHERE key = 'audit_head'"))
    core.close()
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1  # a finding (tampering), not a crash
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "NOT intact" in out and "head row" in out


def test_an_unexpected_error_leaves_a_crash_record_without_population_data(
    configured: Path,
    isolated_environment: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def boom(_args: object) -> int:
        raise KeyError("WARGA CONTOH JAKE 3303014505900001")

    monkeypatch.setattr("app.cli._cmd_version", boom)
    assert main(["version"]) == 2
    err = assert_message_not_traceback(capsys, "crash record")
    [record] = list((isolated_environment / "logs").glob("crash-*.txt"))
    reference = record.stem.removeprefix("crash-")
    assert reference in err
    written = record.read_text(encoding="utf-8")
    assert "KeyError" in written and "boom" in written
    assert "WARGA" not in written and "3303014505900001" not in written
    assert record.stat().st_mode & 0o077 == 0


def test_report_command_any_period_formats_and_submissions(
    configured: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    core.close()
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    period = ["--from", "2026-01-01", "--to", "2026-03-31", "--user", "kepala"]
    out = tmp_path / "laporan.csv"
    assert main(["report", "period", *period, "--format", "csv", "--out", str(out)]) == 0
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    hits = [row for row in rows if row.startswith("summary,hits,")]
    assert len(hits) == 1 and hits[0].endswith(",0")  # no lookup in the period
    xlsx = tmp_path / "laporan.xlsx"
    assert main(["report", "period", *period, "--format", "xlsx", "--out", str(xlsx)]) == 0
    assert xlsx.read_bytes().startswith(b"PK")
    pdf = tmp_path / "laporan.pdf"
    assert main(["report", "period", *period, "--counter", "LOKET-9", "--out", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    backwards = ["--from", "2026-03-31", "--to", "2026-01-01", "--user", "kepala"]
    assert main(["report", "period", *backwards, "--out", str(pdf)]) == 2
    assert main(["report", "period", "--from", "kemarin", "--to", "2026-01-01"]) == 2
    capsys.readouterr()
    submit = ["report", "submitted", "add", "--from", "2025-07-01", "--to", "2025-12-31"]
    submit += ["--on", "2025-12-30", "--channel", "email", "--reference", "surel 12/2025"]
    assert main([*submit, "--user", "kepala"]) == 0
    assert main(["report", "submitted", "list"]) == 0
    listed = capsys.readouterr().out
    assert "2025-07-01..2025-12-31  handed in 2025-12-30  email" in listed
    assert "surel 12/2025" in listed
    assert main(["report", "due"]) == 0
    assert main(["report", "--help"]) == 0


def test_doctor_command_prints_json_and_exits_by_the_worst_line(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    code = main(["doctor", "--json"])
    result = json.loads(capsys.readouterr().out)
    names = [check["name"] for check in result["checks"]]
    assert names[:2] == ["versions", "admin_file"]
    assert "gateway" in names and "agreement" in names
    assert code == (1 if result["status"] == "error" else 0)
    assert main(["doctor", "--help"]) == 0


def test_incident_command_records_lists_exports_and_drafts(
    configured: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    core.close()
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    new = ["incident", "new", "--summary", "Laptop loket hilang", "--discovered"]
    assert main([*new, "2026-01-05 09:30", "--counter", "LOKET-9", "--user", "kepala"]) == 0
    assert "notice due by 2026-01-08 09:30" in capsys.readouterr().out
    assert main(["incident", "list"]) == 0
    assert "INS-2026-0001" in capsys.readouterr().out
    out = tmp_path / "insiden.csv"
    assert main(["incident", "export", "--format", "csv", "--out", str(out)]) == 0
    assert out.read_text().splitlines()[0] == (
        "number,discovered_at,deadline,occurred_from,occurred_to,counters,residents,notified_at"
    )
    notice = tmp_path / "pemberitahuan.pdf"
    assert main(["incident", "notice", "INS-2026-0001", "--out", str(notice)]) == 0
    assert notice.read_bytes().startswith(b"%PDF")
    assert main(["incident", "notice", "INS-1999-0001", "--out", str(notice)]) == 1
    assert main(["incident", "notified", "INS-2026-0001", "--user", "kepala"]) == 0
    assert main(["incident", "new", "--summary", "x", "--discovered", "kemarin"]) == 2


def test_retention_command_shows_and_purges(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["retention", "show"]) == 0
    assert "answer_kind_days = 0" in capsys.readouterr().out
    assert main(["retention", "purge"]) == 0
    assert "purged: 0 answer kind(s), 0 case(s)" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0


def test_cases_commands_on_a_configured_counter(
    configured: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    core.close()
    assert main(["cases", "--help"]) == 0
    assert "close-interrupted" in capsys.readouterr().out
    assert main(["cases", "returned"]) == 0
    out = capsys.readouterr().out
    assert "no returned case" in out and "close after 30 day(s)" in out
    assert main(["cases", "interrupted"]) == 0
    assert "no interrupted case" in capsys.readouterr().out
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    assert main(["cases", "close", "LKT-TIDAK-ADA", "--user", "kepala"]) == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err
    assert main(["cases", "close-interrupted", "LKT-TIDAK-ADA", "--user", "kepala"]) == 2
    assert main(["cases", "expire"]) == 0
    assert "0 returned case(s) closed" in capsys.readouterr().out
