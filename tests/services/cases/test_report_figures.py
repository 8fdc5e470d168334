"""Report figures counted in SQL: the totals equal what happened, card reads and controls
included; counters are named; CSV/XLSX hold the same numbers; the PDF is an official layout."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.domain.nik import parse_nik
from app.domain.outcomes import OutcomeKind
from app.services.cases import Decision, GuardOverride, GuardRefused, NikSource
from app.services.officers import AccountLocked, LoginFailed, NotPermitted
from app.services.persistence.models import AuditRecord, CaseRow, LookupRow
from app.services.reports import report_title
from app.services.reports.pdf import render_report
from tests.services.cases.conftest import World
from tests.services.cases.test_reports import pdf_text, serve


def _day_of_activity(world: World) -> None:
    """Three served cases, two card reads, a guard refusal and an override, an access lock-out
    and an officer account locked: every kind of figure is non-zero."""
    examples = world.examples()
    cases = world.services.cases
    serve(world, examples["found"], Decision.APPROVE)  # 08:00
    world.clock.advance(3600)  # the next ones at 09:xx
    serve(world, examples["deceased"], Decision.REFUSE)
    world.clock.advance(60)
    card_case = cases.open_case(world.officer, "PKH", "Pendaftaran")
    cases.check_documents(card_case, world.officer, {"KTP-el": True})
    cases.record_card_read(card_case, world.officer, parse_nik(examples["found"]), demographic=True)
    cases.cancel(card_case, world.officer, "pemohon pergi")
    # a sequential NIK is refused, then allowed once by the supervisor
    people = world.simulator.population.people()
    base = people[0].nik
    neighbour = base[:12] + f"{int(base[12:]) + 1:04d}"
    photo_case = cases.open_case(world.officer, "PKH", "Pendaftaran")
    cases.check_documents(photo_case, world.officer, {"KTP-el": True})
    cases.record_card_read(photo_case, world.officer, parse_nik(base), demographic=False)
    world.clock.advance(60)
    cases.look_up(photo_case, world.officer, base, NikSource.TYPED)
    world.clock.advance(60)
    second = cases.open_case(world.officer, "PKH", "Pendaftaran")
    cases.check_documents(second, world.officer, {"KTP-el": True})
    with pytest.raises(GuardRefused):
        cases.look_up(second, world.officer, neighbour, NikSource.TYPED)
    cases.look_up(
        second,
        world.officer,
        neighbour,
        NikSource.TYPED,
        override=GuardOverride(world.supervisor, "Kembar, keduanya hadir"),
    )
    with world.services.core.sessions.begin() as session:
        world.services.lockouts.set_from_outcome(session, OutcomeKind.LOGIN_FAILED, "01")
    for _attempt in range(5):
        with pytest.raises((LoginFailed, AccountLocked)):
            world.services.officers.authenticate("petugas2", "salah-sandi")


def test_totals_equal_the_database_card_reads_and_controls_included(world: World) -> None:
    _day_of_activity(world)
    today = world.clock().date()
    figures = world.services.reports.figures(world.supervisor, today, today)
    # what the day above did, counted by hand
    assert figures.cases_opened == 5
    assert figures.hits == 4  # found, deceased, the base NIK, the overridden neighbour
    assert figures.card_reads == 2
    assert figures.card_reads_demographic == 1
    assert figures.guard_refusals_total == 1
    assert figures.overrides == 1
    assert figures.access_lockouts == {"login_failed": 1}
    assert figures.account_lockouts == 1
    assert figures.decisions["approve"] == 1
    assert figures.decisions["refuse"] == 1
    assert figures.decisions["cancelled"] == 1
    assert figures.by_hour[8] == 1
    assert sum(figures.by_hour[9:10]) == figures.hits - 1
    assert figures.counters_seen == ("LOKET-DEMO",)
    assert figures.all_counters
    # and the same as the database says
    with world.services.core.sessions() as session:
        assert figures.hits == session.execute(select(func.count(LookupRow.id))).scalar_one()
        assert figures.cases_opened == session.execute(select(func.count(CaseRow.id))).scalar_one()
        reads = session.execute(
            select(func.count(AuditRecord.id)).where(AuditRecord.action == "card.read")
        ).scalar_one()
    assert figures.card_reads == reads
    assert sum(figures.by_outcome.values()) == figures.hits
    assert sum(figures.by_officer.values()) == figures.hits
    assert figures.quota_used == world.simulator.hits_today()


def test_the_period_bounds_and_the_counters_are_exact(world: World) -> None:
    serve(world, world.examples()["found"], Decision.APPROVE)
    today = world.clock().date()
    with world.services.core.sessions.begin() as session:
        officer_id = world.officer.id
        other = CaseRow(
            number="LOKET-2/TEST/1",
            counter_id="LOKET-2",
            officer_id=officer_id,
            programme="PKH",
            purpose="Pendaftaran",
            access_method="web_service",
            state="closed",
            decision="approve",
            opened_at=world.clock() + timedelta(minutes=5),
            updated_at=world.clock(),
        )
        session.add(other)
        session.flush()
        session.add(
            LookupRow(
                case_id=other.id,
                officer_id=officer_id,
                counter_id="LOKET-2",
                at=world.clock() + timedelta(minutes=5),
                method="lookup",
                outcome="found",
            )
        )
        session.add(  # the day after: outside a one-day report
            LookupRow(
                case_id=other.id,
                officer_id=officer_id,
                counter_id="LOKET-2",
                at=datetime.combine(today + timedelta(days=1), datetime.min.time()),
                method="lookup",
                outcome="found",
            )
        )
    reports = world.services.reports
    both = reports.figures(world.supervisor, today, today)
    assert (both.hits, both.cases_opened, both.counters_seen) == (2, 2, ("LOKET-2", "LOKET-DEMO"))
    one = reports.figures(world.supervisor, today, today, ["LOKET-2"])
    assert (one.hits, one.cases_opened, one.counters_seen) == (1, 1, ("LOKET-2",))
    assert one.counters_requested == ("LOKET-2",) and not one.all_counters
    two_days = reports.figures(world.supervisor, today, today + timedelta(days=1))
    assert two_days.hits == 3
    with pytest.raises(NotPermitted):
        reports.figures(world.officer, today, today)


def test_csv_and_xlsx_hold_the_same_figures(world: World) -> None:
    _day_of_activity(world)
    today = world.clock().date()
    reports = world.services.reports
    figures = reports.figures(world.supervisor, today, today)
    rows = list(
        csv.DictReader(io.StringIO(reports.export(world.supervisor, "csv", today, today).decode()))
    )
    by_key = {(r["\ufeffsection"], r["key"]): r["value"] for r in rows}
    assert by_key[("summary", "hits")] == str(figures.hits) == "4"
    assert by_key[("summary", "card_reads")] == "2"
    assert by_key[("control", "overrides")] == "1"
    assert by_key[("guard_refused", "neighbour")] == "1"
    assert by_key[("hour", "08")] == "1"
    assert by_key[("period", "counters_requested")] == "*"
    book = load_workbook(io.BytesIO(reports.export(world.supervisor, "xlsx", today, today)))
    sheet = book.active
    assert sheet is not None
    xlsx = {(r[0], r[1]): r[3] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert xlsx[("summary", "hits")] == 4
    assert xlsx[("summary", "card_reads_demographic")] == 1
    assert len(xlsx) == len(by_key)
    with pytest.raises(ValueError, match="unknown format"):
        reports.export(world.supervisor, "ods", today, today)
    with world.services.core.sessions() as session:
        exported = session.execute(
            select(func.count(AuditRecord.id)).where(AuditRecord.action == "report.exported")
        ).scalar_one()
    assert exported == 2


def test_pdf_is_an_official_report_with_every_section(world: World, tmp_path: Path) -> None:
    _day_of_activity(world)
    today = world.clock().date()
    reports = world.services.reports
    figures = reports.figures(world.supervisor, today, today, ["LOKET-DEMO"])
    header = replace(reports.header(world.supervisor, "400.12/77/2026"), demo=False)
    pdf = render_report(figures, header, report_title("period", today, today))
    text = pdf_text(pdf, tmp_path)
    flat = " ".join(text.split())
    for expected in (
        "LAPORAN PEMANFAATAN NIK, DATA KEPENDUDUKAN DAN KTP-EL",
        "Laporan penggunaan atas permintaan",
        "Nomor: 400.12/77/2026",
        "23 November 2026 – 23 November 2026",
        "Hanya LOKET-DEMO (tercatat dalam periode: LOKET-DEMO)",
        "Pembacaan KTP-el 2",
        "Diizinkan dengan persetujuan supervisor 1",
        "Ditolak oleh pengaman pola: NIK berurutan 1",
        "Akun petugas terkunci setelah gagal masuk 1",
        "Beban per jam (pencarian)",
        "Demikian laporan ini dibuat",
        "Yang membuat laporan,",
        "( Supervisor Contoh )",
        "NIP.",
    ):
        assert expected in flat, expected
    for nik in world.examples().values():
        assert nik not in text
    printed = reports.pdf(world.supervisor, "daily", today, today)
    assert "DEMO / CONTOH" in pdf_text(printed, tmp_path)


def test_semester_title_and_daily_all_counters(world: World, tmp_path: Path) -> None:
    serve(world, world.examples()["found"], Decision.APPROVE)
    services = world.services
    semester = pdf_text(services.report("semester", date(2026, 11, 23), world.supervisor), tmp_path)
    assert "1 Juli 2026 – 31 Desember 2026" in semester
    daily = " ".join(
        pdf_text(services.report("daily", date(2026, 11, 23), world.supervisor), tmp_path).split()
    )
    assert "Semua loket instansi pada basis data ini (tercatat dalam periode: LOKET-DEMO)" in daily
