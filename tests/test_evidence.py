"""The evidence pack: every clause R-01…R-28 with its control and tests, results read from the
JUnit file ("not run" without one), the audit result, settings without confidential values."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.cli import main
from app.services.app_core import build_services
from app.services.bootstrap import build_core
from app.services.evidence.controls import CLAUSES
from app.services.evidence.pack import clause_rows, read_junit, settings_in_force
from app.services.officers import Role
from app.services.settings import load_settings, settings_from_dicts
from tests.services.cases.test_reports import pdf_text

ROOT = Path(__file__).resolve().parents[1]

ADMIN = """
mode = "production"
counter_id = "LOKET-5"
database_url = ""
[agency]
id_lembaga = "330301"
name = "Dinas Contoh"
[agreement]
access_method = "web_portal"
portal_url = "https://172.16.160.177/"
start = 2025-01-01
end = 2027-09-16
[gateway]
consumer_id = "CONSUMER-CANARY-55"
"""


def test_every_clause_is_mapped_and_every_named_test_exists() -> None:
    assert [c.id for c in CLAUSES] == [f"R-{n:02d}" for n in range(1, 29)]
    for clause in CLAUSES:
        assert clause.control
        assert not clause.enforced or clause.tests, clause.id
        for node in clause.tests:
            file, name = node.split("::")
            tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
            names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            assert name in names, node


def test_junit_results_are_read_and_folded(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.services.cases.test_case_service"
  name="test_invalid_nik_is_refused_before_any_hit" time="0.1"/>
<testcase classname="tests.services.cases.test_case_service"
  name="test_access_lockouts_block_every_counter_until_cleared" time="0.1">
  <failure message="boom">trace</failure></testcase>
<testcase classname="tests.test_p" name="test_x[a]"/>
<testcase classname="tests.test_p" name="test_x[b]"><skipped/></testcase>
<testcase classname="tests.test_p" name="test_y[a]"><skipped/></testcase>
</testsuite></testsuites>""",
        encoding="utf-8",
    )
    results = read_junit(junit)
    assert results is not None
    assert results["tests/test_p.py::test_x"] == "passed"
    assert results["tests/test_p.py::test_y"] == "skipped"
    rows = {row[0]: row[4] for row in clause_rows(results)}
    assert "test_invalid_nik_is_refused_before_any_hit — passed" in rows["R-02"]
    assert "test_access_lockouts_block_every_counter_until_cleared — failed" in rows["R-05"]
    assert "— not run" in rows["R-06"]
    assert read_junit(tmp_path / "absent.xml") is None
    unrun = {row[0]: row[4] for row in clause_rows(None)}
    assert "— not run" in unrun["R-16"]  # decommissioning is enforced and tested
    assert all(text.count("— not run") == text.count("\n") + 1 for text in unrun.values())


def test_settings_in_force_hide_addresses_and_identifiers() -> None:
    settings = settings_from_dicts(
        {
            "agreement": {"portal_url": "https://172.16.160.177/"},
            "gateway": {"consumer_id": "CONSUMER-CANARY-55", "base_url": "https://10.0.0.1:8000"},
        }
    )
    values = dict(settings_in_force(settings))
    assert values["gateway.consumer_id"] == "(set)"
    assert values["gateway.base_url"] == "(set)"
    assert values["balikan.base_url"] == "(not set)"
    assert values["quota.daily_limit"] == "200"
    assert values["agreement.report_months"] == "6, 12"
    text = repr(values)
    assert "CONSUMER-CANARY-55" not in text and "172.16" not in text and "10.0.0.1" not in text


def test_evidence_command_writes_one_pdf(
    isolated_environment: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    admin = isolated_environment / "admin" / "loket.toml"
    admin.parent.mkdir(parents=True, exist_ok=True)
    admin.write_text(ADMIN, encoding="utf-8")
    assert main(["keys", "init"]) == 0  # the agency's keys, created on purpose
    core = build_core(load_settings())
    services = build_services(core, None)
    services.officers.create(None, "kepala", "Kepala", "rahasia-123", Role.SUPERVISOR)
    services.officers.create(None, "staf", "Staf", "rahasia-123", Role.OFFICER)
    core.close()
    monkeypatch.setattr("getpass.getpass", lambda prompt: "rahasia-123")
    out = tmp_path / "bukti"
    missing = tmp_path / "none.xml"
    assert main(["evidence", "--out", str(out), "--junit", str(missing), "--user", "staf"]) == 1
    assert main(["evidence", "--out", str(out), "--junit", str(missing), "--user", "kepala"]) == 0
    (pdf,) = out.glob("evidence-LOKET-5-*.pdf")
    text = " ".join(pdf_text(pdf.read_bytes(), tmp_path).split())
    for clause in CLAUSES:
        assert re.search(rf"\b{clause.id}\b", text), clause.id
    assert "not run" in text
    assert "utuh (rantai hash terverifikasi)" in text  # the counter speaks Indonesian
    assert "CONSUMER-CANARY-55" not in text and "172.16.160.177" not in text
    assert main(["evidence", "--help"]) == 0
