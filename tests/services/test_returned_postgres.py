"""Counter B ends what counter A left on the shared PostgreSQL database (R-20): an
interrupted case and an expired returned case, their data balikan delivered by B."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from app.domain.outcomes import OutcomeKind
from app.services.app_core import AppServices
from app.services.cases import Decision, NikSource
from app.services.cases.cli import run_cases_cli
from app.services.key_admin import export_keys, import_keys, init_keys
from app.services.officers import OfficerView, Role
from app.services.persistence.db import create_db_engine
from app.services.persistence.models import BalikanItem, CaseRow
from app.services.simulator import GatewaySimulator, SimulatorConfig
from tests.conftest import MemoryKeyring
from tests.services.cases.conftest import FakeClock
from tests.services.test_keys_postgres import PASSWORD, Counter, counter_settings

pytestmark = pytest.mark.postgres

PASSPHRASE = "frasa-sandi-instansi-contoh"
NIK_INTERRUPTED = "3303011203850007"
NIK_RETURNED = "3303012507920013"


@pytest.fixture
def two_counters(
    pg_url: str,
) -> Iterator[tuple[FakeClock, GatewaySimulator, AppServices, AppServices]]:
    clock, simulator = FakeClock(), GatewaySimulator(SimulatorConfig(), mode="test")
    a = Counter(counter_settings(pg_url, "LOKET-A"), MemoryKeyring(), clock, simulator)
    b = Counter(counter_settings(pg_url, "LOKET-B"), MemoryKeyring(), clock, simulator)
    engine = create_db_engine(pg_url)
    init_keys(engine, a.store, "admin-os", "LOKET-A")
    import_keys(engine, b.store, export_keys(engine, a.store, PASSPHRASE), PASSPHRASE)
    engine.dispose()
    services_a = a.open()
    for username, role in (("petugas", Role.OFFICER), ("kepala", Role.SUPERVISOR)):
        services_a.officers.create(
            None, username, username, PASSWORD, role, nda_date=date(2025, 9, 16),
            nda_reference="NDA/1",
        )  # fmt: skip
    services_b = b.open()
    yield clock, simulator, services_a, services_b
    for services in (services_a, services_b):
        assert services.balikan is not None
        services.balikan.stop()
        services.core.close()


def accessed(services: AppServices, officer: OfficerView, nik: str) -> object:
    cases = services.cases
    case = cases.open_case(officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, officer, {"KTP-el": True})
    cases.record_portal_outcome(
        case, officer, nik, NikSource.TYPED, OutcomeKind.FOUND, documents_match=True
    )
    return case


def status_of(services: AppServices, number: str) -> tuple[str, str]:
    with services.core.sessions() as session:
        row = session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one()
        item = session.execute(
            select(BalikanItem).where(BalikanItem.case_number == number)
        ).scalar_one()
        return row.state, item.status


def test_counter_b_ends_what_counter_a_left_open(
    two_counters: tuple[FakeClock, GatewaySimulator, AppServices, AppServices],
) -> None:
    clock, simulator, services_a, services_b = two_counters
    officer_a = services_a.officers.authenticate("petugas", PASSWORD)
    returned = accessed(services_a, officer_a, NIK_RETURNED)
    services_a.cases.decide(returned, officer_a, Decision.RETURN)
    clock.advance(60)
    interrupted = accessed(services_a, officer_a, NIK_INTERRUPTED)  # then A crashes
    numbers = (str(returned.number), str(interrupted.number))  # type: ignore[attr-defined]

    def cli(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = run_cases_cli(
            list(argv), lambda: services_b, ask_password=lambda _p: PASSWORD, out=out
        )
        return code, out.getvalue()

    assert services_b.returned.interrupted() == []  # A used it a moment ago
    clock.advance(2 * 3600)
    code, listing = cli("interrupted")
    assert code == 0 and numbers[1] in listing and "counter LOKET-A" in listing
    assert cli("close-interrupted", numbers[1], "--user", "petugas")[0] == 2
    assert cli("close-interrupted", numbers[1], "--user", "kepala")[0] == 0
    assert status_of(services_b, numbers[1]) == ("cancelled", "pending")

    clock.advance(31 * 24 * 3600)
    assert cli("expire")[0] == 0
    assert status_of(services_b, numbers[0]) == ("cancelled", "pending")

    assert services_b.balikan is not None
    report = services_b.balikan.send_once()
    assert report.delivered == 2
    assert sorted(d.nik for d in simulator.balikan) == sorted((NIK_INTERRUPTED, NIK_RETURNED))
    assert status_of(services_b, numbers[0])[1] == "delivered"
    assert status_of(services_b, numbers[1])[1] == "delivered"
    assert services_a.verify_audit() is None
