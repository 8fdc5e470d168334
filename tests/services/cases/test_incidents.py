"""Incidents: residents counted from the audit (no identities), the 3×24-hour deadline, a notice
draft in Indonesian, and an export that holds counts only (canary scan)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.services.cases import Decision, NikSource
from app.services.demo import build_demo
from app.services.incidents import IncidentError
from app.services.incidents.notice import EXPORT_FIELDS, export_incidents, notice_pdf
from app.services.officers import NotPermitted
from app.services.persistence.models import AuditRecord
from app.services.settings import demo_settings
from app.services.simulator import GatewaySimulator, SimulatorConfig
from tests.fakes.canary import CANARY_PREFIX, canary_population
from tests.services.cases.conftest import FakeClock, World
from tests.services.cases.test_reports import pdf_text


@pytest.fixture
def canary_world(tmp_path: Path) -> Iterator[World]:
    clock = FakeClock()
    simulator = GatewaySimulator(
        SimulatorConfig(), mode="test", clock=clock, population=canary_population()
    )
    demo = build_demo(tmp_path / "data", demo_settings(), clock=clock, simulator=simulator)
    officers = demo.services.officers
    world = World(
        demo,
        clock,
        officers.authenticate("petugas", "demo1234"),
        officers.authenticate("petugas2", "demo1234"),
        officers.authenticate("supervisor", "demo1234"),
        officers.authenticate("admin", "demo1234"),
    )
    yield world
    demo.services.core.close()


def serve_people(world: World, niks: list[str]) -> None:
    cases = world.services.cases
    for nik in niks:
        case = cases.open_case(world.officer, "PKH", "Pendaftaran")
        cases.check_documents(case, world.officer, {"KTP-el": True})
        cases.look_up(case, world.officer, nik, NikSource.TYPED)
        world.clock.advance(600)
        cases.decide(case, world.officer, Decision.REFUSE)
        cases.close(case, world.officer)
        world.clock.advance(600)


def test_incident_counts_residents_from_the_audit_and_exports_counts_only(
    canary_world: World, tmp_path: Path
) -> None:
    world = canary_world
    people = world.simulator.population.people()
    niks = [people[0].nik, people[40].nik, people[80].nik]
    start = world.clock()
    serve_people(world, niks)
    serve_people(world, [niks[0]])  # the same resident again counts once
    incidents = world.services.incidents
    discovered = world.clock()
    with pytest.raises(NotPermitted):
        incidents.record(
            world.officer,
            summary="x",
            discovered_at=discovered,
            occurred_from=None,
            occurred_to=None,
            counters=[],
        )
    with pytest.raises(IncidentError):
        incidents.record(
            world.supervisor,
            summary=f"Layar terfoto, NIK {niks[1]} terlihat",
            discovered_at=discovered,
            occurred_from=start,
            occurred_to=discovered,
            counters=[],
        )
    view = incidents.record(
        world.supervisor,
        summary="Layar loket terfoto oleh pengunjung saat pelayanan",
        discovered_at=discovered,
        occurred_from=start,
        occurred_to=discovered,
        counters=["LOKET-DEMO"],
        measures="Posisi layar diubah; petugas diingatkan",
    )
    assert view.residents == 3
    assert view.deadline == discovered + timedelta(hours=72)
    assert view.time_left(discovered + timedelta(hours=70)) == timedelta(hours=2)
    elsewhere = incidents.record(
        world.supervisor,
        summary="Uji loket lain",
        discovered_at=discovered,
        occurred_from=start,
        occurred_to=discovered,
        counters=["LOKET-LAIN"],
    )
    assert elsewhere.residents == 0
    assert [i.number for i in incidents.list()] == [elsewhere.number, view.number]
    # canary scan: the export holds the incident's counts and dates, nothing of a resident
    with world.services.core.sessions() as session:
        hashes = {h for h in session.execute(select(AuditRecord.nik_hash)).scalars() if h}
    assert hashes
    for file_format in ("csv", "json"):
        data = export_incidents(incidents.list(), file_format).decode("utf-8")
        assert CANARY_PREFIX not in data
        for nik in niks:
            assert nik not in data
        for digest in hashes:
            assert digest not in data
    rows = json.loads(export_incidents(incidents.list(), "json"))
    assert all(set(row) == set(EXPORT_FIELDS) for row in rows)
    assert {row["residents"] for row in rows} == {3, 0}
    pdf = notice_pdf(
        view,
        agency_name="Bappelitbangda Contoh",
        agency_address="",
        printed_at=discovered,
        demo=False,
    )
    text = " ".join(pdf_text(pdf, tmp_path).split())
    for expected in (
        "PEMBERITAHUAN KEGAGALAN PELINDUNGAN DATA PRIBADI",
        "Kepala Dinas Kependudukan dan Pencatatan Sipil",
        "Lembaga Penyelenggara Pelindungan Data Pribadi",
        "Pasal 46 Undang-Undang Nomor 27 Tahun 2022",
        "3 orang",
        "26 November 2026",  # the deadline, 3 × 24 hours after 23 November
        "Posisi layar diubah",
    ):
        assert expected in text, expected
    assert CANARY_PREFIX not in text
    notified = incidents.mark_notified(world.supervisor, view.number)
    assert notified.notified_at == world.clock()
    assert world.services.verify_audit() is None


def test_incident_times_are_checked(world: World) -> None:
    now = world.clock()
    with pytest.raises(IncidentError):
        world.services.incidents.record(
            world.supervisor,
            summary="x",
            discovered_at=now + timedelta(hours=1),
            occurred_from=None,
            occurred_to=None,
            counters=[],
        )
    with pytest.raises(IncidentError):
        world.services.incidents.record(
            world.supervisor,
            summary="x",
            discovered_at=now,
            occurred_from=now,
            occurred_to=now - timedelta(hours=1),
            counters=[],
        )
    assert world.services.incidents.list() == []
