"""Core helpers the UI drives: element comparison, the issued statement, first-run set-up."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest

from app.domain.case_flow import CaseState
from app.domain.nik import parse_nik
from app.domain.outcomes import OutcomeKind
from app.services.cases.active import ActiveCase, LookupView
from app.services.cases.compare import (
    compare_elements,
    profile_of,
    verify_fields,
    verify_values_from_card,
)
from app.services.documents.statement import statement_for
from app.services.first_run import (
    FirstOfficer,
    FirstRunError,
    FirstRunPlan,
    apply_first_run,
    validate_plan,
)
from app.services.officers import Role
from app.services.secrets import GATEWAY_PASSWORD, GATEWAY_USER, MemorySecretStore
from app.services.settings import demo_settings, load_settings

NIK = "3303015505900001"


def test_compare_shows_only_permitted_elements_and_matches_card() -> None:
    profile = profile_of("purbalingga-8")
    record = {
        "NIK": NIK,
        "NAMA_LGKP": "WARGA  CONTOH",
        "TGL_LHR": date(1990, 5, 15),
        "ALAMAT": "JL. CONTOH NO. 1",
        "NO_RT": "001",
        "AGAMA": "ISLAM",  # never permitted: must not appear
    }
    card = {"nik": NIK, "name": "warga contoh", "date_of_birth": "15-05-1991"}
    rows = {row.element_id: row for row in compare_elements(profile, record, card)}
    assert set(rows) == {"nik", "nama_lengkap", "tanggal_lahir", "alamat_sekarang"}
    assert rows["nama_lengkap"].match is True
    assert rows["tanggal_lahir"].match is False
    # labelled, as the issue asks (Alamat, RT/RW, …), without internal codes
    assert rows["alamat_sekarang"].registry == "Alamat: JL. CONTOH NO. 1; RT/RW: 001/-"
    assert rows["alamat_sekarang"].match is None
    assert all("ISLAM" not in (row.registry or "") for row in rows.values())


def test_verify_fields_and_verdict_rows() -> None:
    profile = profile_of("verify-only")
    keys = [key for key, _label in verify_fields(profile)]
    assert "NIK" not in keys and "NAMA_LGKP" in keys and keys.count("ALAMAT") == 1
    prefill = verify_values_from_card(profile, {"name": "WARGA", "religion": "ISLAM"})
    assert prefill == {"NAMA_LGKP": "WARGA"}
    rows = compare_elements(profile, None, None, {"NAMA_LGKP": (False, 40), "NIK": (True, 100)})
    by_id = {row.element_id: row for row in rows}
    assert by_id["nama_lengkap"].verdict == (False, 40) and by_id["nama_lengkap"].match is False
    assert by_id["nik"].match is True


def _case(kind: OutcomeKind) -> ActiveCase:
    case = ActiveCase(
        1, "L-1", "PKH", "Layanan PKH", "web_service", CaseState.ISSUED, datetime(2026, 1, 5), 1
    )
    case.nik = parse_nik(NIK, today=date(2026, 1, 5))
    case.last = LookupView(kind, None, None, "", None, None, None)
    case.decision = "approve"
    return case


def test_statement_prints_the_nik_only_after_found() -> None:
    settings = demo_settings()
    found = statement_for(_case(OutcomeKind.FOUND), settings, "Petugas", datetime(2026, 1, 5))
    assert found.nik is not None and found.demo
    dup = statement_for(_case(OutcomeKind.DUPLICATE), settings, "Petugas", datetime(2026, 1, 5))
    assert dup.nik is None


def _plan(**changes: object) -> FirstRunPlan:
    plan = FirstRunPlan(
        admin={
            "counter_id": "LOKET-A",
            "agency": {"id_lembaga": "330301", "name": "Dinas Contoh", "programmes": ["PKH"]},
            "agreement": {
                "profile": "purbalingga-8",
                "access_method": "web_service",
                "start": date(2025, 9, 16),
                "end": date(2027, 9, 16),
                "poc_letter_number": "400.8/PoC/12/2026",
                "poc_letter_date": date(2026, 3, 2),
            },
            "gateway": {"base_url": "http://10.0.0.1:8080", "allow_plain_http": True},
        },
        gateway_user="user",
        gateway_password="rahasia",
        officers=[
            FirstOfficer("admin", "Admin", "password1", Role.ADMINISTRATOR, None, ""),
            FirstOfficer("budi", "Budi", "password2", Role.OFFICER, date(2025, 9, 1), "NDA/1"),
        ],
    )
    for key, value in changes.items():
        setattr(plan, key, value)
    return plan


def test_first_run_writes_settings_and_secrets(tmp_path: Path) -> None:
    secrets = MemorySecretStore()
    path = tmp_path / "admin" / "loket.toml"
    settings = apply_first_run(_plan(), secrets, path)
    assert settings.mode == "production" and settings.counter_id == "LOKET-A"
    text = path.read_text()
    assert "rahasia" not in text and "user" not in tomllib.loads(text)["gateway"].values()
    assert secrets.get(GATEWAY_PASSWORD) == "rahasia" and secrets.get(GATEWAY_USER) == "user"
    assert load_settings(path, tmp_path / "none.toml").agreement.end == date(2027, 9, 16)


def test_first_run_without_write_permission_is_a_message_not_a_crash(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    blocker = locked / "admin"
    blocker.write_text("a file where the settings folder should be", encoding="utf-8")
    secrets = MemorySecretStore()
    with pytest.raises(FirstRunError) as info:
        apply_first_run(_plan(), secrets, blocker / "loket.toml")
    assert "administrator" in info.value.message
    assert secrets.get(GATEWAY_PASSWORD) is None  # nothing stored when nothing can be saved


@pytest.mark.parametrize(
    "changes",
    [
        {"officers": []},
        {"gateway_password": ""},
        {
            "officers": [
                FirstOfficer("a", "A", "password1", Role.ADMINISTRATOR, None, ""),
                FirstOfficer("b", "B", "password1", Role.OFFICER, None, ""),
            ]
        },
        {"certificate_pem": "not a certificate"},
    ],
)
def test_first_run_refuses_incomplete_answers(changes: dict[str, object]) -> None:
    with pytest.raises(FirstRunError) as error:
        validate_plan(_plan(**changes))
    assert error.value.message


def test_the_status_bar_shows_the_poc_letter_and_the_banner_the_renewal() -> None:
    from dataclasses import replace as replace_field

    from app.domain.agreement_term import term_status
    from app.domain.quota_rules import QuotaStatus
    from app.services.app_core import StatusSnapshot
    from app.ui.app_window import banner_texts
    from app.ui.status_bar import link_text

    snapshot = StatusSnapshot(
        quota=QuotaStatus(used=1, limit=200),
        balikan_pending=0,
        lockouts=(),
        term=term_status(
            date(2027, 10, 1), date(2025, 9, 16), date(2027, 9, 16), date(2027, 12, 31)
        ),
        access_method="web_service",
        plain_http=False,
        demo=False,
        poc_letter="400.8/PoC/12/2026, 02-03-2026",
        renewal_letter="470/1120, 03-06-2027",
        renewal_limit=date(2027, 12, 31),
    )
    assert "400.8/PoC/12/2026, 02-03-2026" in link_text(snapshot, True)
    texts = [text for text, serious in banner_texts(snapshot, "16-09-2027") if serious]
    assert any("470/1120, 03-06-2027" in t and "31-12-2027" in t for t in texts)
    ended = replace_field(
        snapshot, term=term_status(date(2028, 1, 1), date(2025, 9, 16), date(2027, 9, 16))
    )
    assert not any("470/1120" in t for t, _s in banner_texts(ended, "16-09-2027"))


def test_first_run_writes_the_admin_file_with_a_toml_library_and_private_modes(
    tmp_path: Path,
) -> None:
    plan = _plan()
    plan.admin["agency"]["name"] = 'Dinas "Contoh"\nBaris kedua'  # type: ignore[index]
    plan.admin["agreement"]["reference"] = None  # type: ignore[index]
    path = tmp_path / "admin" / "loket.toml"
    apply_first_run(plan, MemorySecretStore(), path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["agency"]["name"] == 'Dinas "Contoh"\nBaris kedua'
    assert "reference" not in data["agreement"]  # None is left out, never written as "None"
    assert path.stat().st_mode & 0o777 == 0o640
    assert load_settings(path, tmp_path / "none.toml").agency.name.endswith("Baris kedua")


def test_first_run_refuses_web_service_without_the_poc_letter() -> None:
    plan = _plan()
    del plan.admin["agreement"]["poc_letter_number"]  # type: ignore[attr-defined]
    with pytest.raises(FirstRunError, match="poc_letter"):
        validate_plan(plan)
