"""Officer records (issue 15): User-ID form fields, NDA bermaterai, SPTJM, changes of a
period, the printed form (PDF), the export (XLSX) and ``loket officers``."""

from __future__ import annotations

import io
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.services.documents.user_id_form import FormMissing, render_user_id_form
from app.services.officer_export import officers_xlsx
from app.services.officer_form import (
    InvalidEmploymentStatus,
    InvalidNip,
    InvalidOfficerNik,
    InvalidRegionCode,
    RecordFieldMissing,
    UserIdForm,
    validate_form,
)
from app.services.officers import NotPermitted, Role
from app.services.officers_cli import run_officers_cli
from app.services.persistence.models import AuditRecord
from tests.pdf_check import pdf_text
from tests.services.cases.conftest import World, make_world

STAFF_NIK = "3303014107850002"  # synthetic
STAFF_NIP = "198507012010012003"  # synthetic, 18 digits


def form(**changes: str) -> UserIdForm:
    values = {
        "nik": STAFF_NIK,
        "nip": STAFF_NIP,
        "employment_status": "PNS",
        "position": "Analis Data",
        "office_region_code": "33.03",
        "office_name": "Dinas Sosial Kabupaten Contoh",
        "office_address": "Jl. Contoh No. 1, Purbalingga",
        "local_user_id": "petugas",
    }
    values.update(changes)
    return UserIdForm(**values)


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    w = make_world(tmp_path / "d")
    yield w
    w.services.core.close()


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"nik": "330301410785000"}, InvalidOfficerNik),  # 15 digits
        ({"nik": "33030141078500021"}, InvalidOfficerNik),  # 17 digits
        ({"nik": "33030141078500A2"}, InvalidOfficerNik),
        ({"nip": "19850701201001200"}, InvalidNip),  # 17 digits
        ({"nip": "1985070120100120031"}, InvalidNip),  # 19 digits
        ({"nip": ""}, InvalidNip),  # a PNS has a NIP
        ({"employment_status": "Kontrak"}, InvalidEmploymentStatus),
        ({"office_region_code": "3"}, InvalidRegionCode),
        ({"office_region_code": "33-03"}, InvalidRegionCode),
        ({"position": "  "}, RecordFieldMissing),
        ({"local_user_id": ""}, RecordFieldMissing),
    ],
)
def test_a_wrong_field_is_refused(changes: dict[str, str], refusal: type[Exception]) -> None:
    with pytest.raises(refusal):
        validate_form(form(**changes))


def test_valid_forms_are_accepted_and_trimmed() -> None:
    checked = validate_form(form(nik=" 3303 0141 0785 0002 ", office_region_code="3303"))
    assert checked.nik == STAFF_NIK and checked.office_region_code == "3303"
    honorer = validate_form(form(employment_status="Non-ASN", nip=""))
    assert honorer.nip == ""
    assert STAFF_NIK not in repr(checked)


def test_forms_nda_and_sptjm_are_recorded_by_administrators_only(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    records = world.services.officer_records
    with pytest.raises(NotPermitted):
        records.save_form(world.supervisor, world.officer.id, form())
    saved = records.save_form(world.admin, world.officer.id, form())
    assert saved.form is not None and saved.form.nik == STAFF_NIK
    nda = records.record_nda(
        world.admin, world.officer.id, date(2026, 11, 2), "NDA/12/2026", bermaterai=True
    )
    assert (nda.nda_date, nda.nda_reference, nda.nda_bermaterai) == (
        date(2026, 11, 2),
        "NDA/12/2026",
        True,
    )
    statement = records.record_sptjm(
        world.admin,
        head_name="KEPALA CONTOH",
        head_position="Kepala Dinas Sosial Kabupaten Contoh",
        head_nip="197001011995031001",
        signed_on=date(2026, 10, 1),
        reference="SPTJM/01/2026",
    )
    assert records.current_sptjm() == statement
    with pytest.raises(InvalidNip):
        records.record_sptjm(
            world.admin,
            head_name="KEPALA CONTOH",
            head_position="Kepala",
            head_nip="1970",
            signed_on=date(2026, 10, 1),
            reference="X",
        )
    # the staff NIK is in no log line and no audit record
    assert STAFF_NIK not in caplog.text
    with world.services.core.sessions() as session:
        details = [row.detail for row in session.scalars(select(AuditRecord))]
    assert details and not any(STAFF_NIK in detail for detail in details)


def test_changes_of_a_period_list_what_happened_in_it(world: World) -> None:
    services, clock = world.services, world.clock
    records = services.officer_records
    clock.advance(timedelta(days=2).total_seconds())  # 25-11: the period starts
    new = services.officers.create(
        world.admin, "petugas3", "WARGA CONTOH", "rahasia123", Role.OFFICER
    )
    clock.advance(timedelta(days=1).total_seconds())
    services.officers.set_active(world.admin, world.officer2.id, False)
    records.set_role(world.admin, new.id, Role.SUPERVISOR)
    records.record_nda(world.admin, world.officer.id, date(2026, 11, 25), "NDA/2", bermaterai=False)
    clock.advance(timedelta(days=10).total_seconds())  # 06-12: after the period
    services.officers.set_active(world.admin, new.id, False)

    changes = records.changes(date(2026, 11, 25), date(2026, 11, 30))
    listed = [(c.username, c.kind) for c in changes]
    assert listed == [
        ("petugas3", "added"),
        ("petugas2", "deactivated"),
        ("petugas3", "role_changed"),
        ("petugas", "nda_renewed"),
    ]
    assert changes[2].detail == "officer → supervisor"
    assert all(c.actor == "admin" for c in changes)
    later = records.changes(date(2026, 12, 1), date(2026, 12, 31))
    assert [(c.username, c.kind) for c in later] == [("petugas3", "deactivated")]


def test_the_user_id_form_prints_every_field_in_indonesian(world: World) -> None:
    records = world.services.officer_records
    record = records.record(world.officer.id)
    with pytest.raises(FormMissing):
        render_user_id_form(
            record, None, agency_name="X", agency_address="", demo=True, today=date(2026, 11, 23)
        )
    records.save_form(world.admin, world.officer.id, form())
    records.record_nda(
        world.admin, world.officer.id, date(2026, 11, 2), "NDA/12/2026", bermaterai=True
    )
    records.record_sptjm(
        world.admin,
        head_name="KEPALA CONTOH",
        head_position="Kepala Dinas Sosial",
        head_nip="197001011995031001",
        signed_on=date(2026, 10, 1),
        reference="SPTJM/01/2026",
    )
    pdf = render_user_id_form(
        records.record(world.officer.id),
        records.current_sptjm(),
        agency_name="Dinas Sosial Kabupaten Contoh",
        agency_address="Jl. Contoh No. 1",
        demo=True,
        today=date(2026, 11, 23),
    )
    text = " ".join(pdf_text(pdf).split())
    for expected in (
        "FORMULIR PERMOHONAN USER ID",
        "Nomor Induk Kependudukan (NIK) : " + STAFF_NIK,
        "Nomor Identitas Kepegawaian (NIP) : " + STAFF_NIP,
        "Status Kepegawaian : PNS",
        "Jabatan : Analis Data",
        "Kode Wilayah Kantor : 33.03",
        "7. Nama dan Alamat Kantor",
        ": Dinas Sosial Kabupaten Contoh, Jl. Contoh No. 1,",  # the address wraps
        "User ID pada Aplikasi Lokal : petugas",
        "NDA",
        "NDA/12/2026",
        "bermaterai: ya",
        "SPTJM/01/2026",
        "( KEPALA CONTOH )",
        "NIP 197001011995031001",
        "Penanggung jawab User ID,",
        "DEMO / CONTOH",
    ):
        assert expected in text, expected
    production = render_user_id_form(
        records.record(world.officer.id),
        None,
        agency_name="Dinas Sosial Kabupaten Contoh",
        agency_address="",
        demo=False,
        today=date(2026, 11, 23),
    )
    assert "DEMO" not in pdf_text(production)


def test_the_export_reads_back(world: World) -> None:
    records = world.services.officer_records
    records.save_form(world.admin, world.officer.id, form(office_name="=SUM(A1)"))
    world.services.officers.set_active(world.admin, world.officer2.id, False)
    data = officers_xlsx(
        records.records(),
        records.sptjm_history(),
        records.changes(date(2026, 11, 23), date(2026, 11, 23)),
    )
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["petugas", "sptjm", "perubahan"]
    rows = list(book["petugas"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:6] == ("Nama pengguna", "Nama lengkap", "Peran", "Aktif", "NIK", "NIP")
    by_user = {row[0]: row for row in rows[1:]}
    petugas = by_user["petugas"]
    assert petugas[4] == STAFF_NIK and petugas[5] == STAFF_NIP  # text, not 3.3E+15
    assert petugas[9] == "=SUM(A1)"  # kept as text
    assert by_user["petugas2"][3] == "tidak" and by_user["petugas2"][4] is None
    changes = list(book["perubahan"].iter_rows(values_only=True))[1:]
    assert [(row[1], row[2]) for row in changes][-1] == ("petugas2", "Petugas dinonaktifkan")


def test_the_cli_lists_changes_and_writes_the_form(world: World, tmp_path: Path) -> None:
    records = world.services.officer_records
    records.save_form(world.admin, world.officer.id, form())
    world.services.officers.set_active(world.admin, world.officer2.id, False)
    out = io.StringIO()
    status = run_officers_cli(
        ["changes", "--user", "admin", "--from", "2026-11-23", "--to", "2026-11-23"],
        lambda: world.services,
        ask_password=lambda _prompt: "demo1234",
        out=out,
    )
    assert status == 0
    assert "petugas2  deactivated  by admin" in out.getvalue()
    assert STAFF_NIK not in out.getvalue()
    target = tmp_path / "form.pdf"
    status = run_officers_cli(
        ["form", "petugas", "--user", "admin", "--out", str(target)],
        lambda: world.services,
        ask_password=lambda _prompt: "demo1234",
        out=out,
    )
    assert status == 0 and STAFF_NIK in pdf_text(target.read_bytes())


def test_the_cli_refuses_a_non_administrator_and_bad_input(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_officers_cli(
        ["changes", "--user", "supervisor"],
        lambda: world.services,
        ask_password=lambda _prompt: "demo1234",
    )
    assert status == 2 and "Traceback" not in capsys.readouterr().err
    assert (
        run_officers_cli(
            ["changes", "--user", "admin", "--from", "kemarin"], lambda: world.services
        )
        == 2
    )
    assert run_officers_cli(["--help"], lambda: world.services) == 0
    for action in ("form", "export", "changes"):
        assert run_officers_cli([action, "--help"], lambda: world.services) == 0
