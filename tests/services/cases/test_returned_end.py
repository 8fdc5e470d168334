"""Returned cases end and interrupted cases close from any counter (R-20, issue 15)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.case_reasons import CaseReason, decode_reasons
from app.domain.i18n import _
from app.services.balikan.cli import run_balikan_cli
from app.services.balikan.outbox import HELD, PENDING
from app.services.cases import Decision, NikSource
from app.services.cases.cli import run_cases_cli
from app.services.persistence.models import AuditRecord, BalikanItem, CaseRow
from app.services.secrets import MemorySecretStore
from app.services.settings import demo_settings
from tests.services.cases.conftest import FakeClock, World, make_world

DAY = 24 * 3600


def returned_case(world: World, kind: str = "found") -> str:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, {"KTP-el": True, "KK": True})
    cases.look_up(case, world.officer, world.examples()[kind], NikSource.TYPED)
    cases.decide(case, world.officer, Decision.RETURN)
    return str(case.number)


def item_of(world: World, number: str) -> BalikanItem:
    with world.services.core.sessions() as session:
        return session.execute(
            select(BalikanItem).where(BalikanItem.case_number == number)
        ).scalar_one()


def row_of(world: World, number: str) -> CaseRow:
    with world.services.core.sessions() as session:
        return session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one()


def cli(world: World, *argv: str, password: str = "demo1234") -> tuple[int, str]:
    out = io.StringIO()
    code = run_cases_cli(
        list(argv), lambda: world.services, ask_password=lambda _prompt: password, out=out
    )
    return code, out.getvalue()


def test_a_returned_case_expires_after_the_set_days_and_its_item_is_delivered(
    world: World,
) -> None:
    nik = world.examples()["found"]
    number = returned_case(world)
    assert world.services.returned.returned_days == 30  # the default
    world.clock.advance(29 * DAY)
    assert world.services.returned.expire() == []
    assert item_of(world, number).status == HELD
    world.clock.advance(1 * DAY + 60)
    assert world.services.returned.expire() == [number]
    row = row_of(world, number)
    assert row.state == "cancelled" and row.closed_at == world.clock.now
    assert CaseReason.APPLICANT_DID_NOT_RETURN in decode_reasons(row.reasons)
    item = item_of(world, number)
    assert item.status == PENDING
    assert json.loads(item.params) == [
        {"JENIS_PROGRAM": "PKH", "KETERANGAN": "PEMOHON TIDAK KEMBALI"}
    ]
    assert world.services.returned.expire() == []  # once only
    assert world.services.balikan is not None
    world.services.balikan.send_once()
    assert len(world.simulator.balikan) == 1
    delivery = world.simulator.balikan[0]
    assert delivery.nik == nik
    assert delivery.params[0]["KETERANGAN"] == "PEMOHON TIDAK KEMBALI"
    assert item_of(world, number).status == "delivered"
    with world.services.core.sessions() as session:
        actions = set(session.execute(select(AuditRecord.action)).scalars())
    assert "case.returned_expired" in actions
    assert world.services.verify_audit() is None


def test_the_number_of_days_is_an_administrator_setting(tmp_path: Path) -> None:
    settings = demo_settings()
    settings = replace(settings, retention=replace(settings.retention, returned_case_days=3))
    w = make_world(tmp_path / "data", settings=settings)
    try:
        number = returned_case(w)
        w.clock.advance(2 * DAY)
        assert w.services.returned.expire() == []
        w.clock.advance(1 * DAY)
        assert w.services.returned.expire() == [number]
    finally:
        w.services.core.close()


def test_a_supervisor_closes_a_returned_case_early_and_an_officer_cannot(world: World) -> None:
    number = returned_case(world)
    world.clock.advance(2 * DAY)
    code, listing = cli(world, "returned")
    assert code == 0
    assert f"{number}  returned 2026-11-23  age 2 day(s)" in listing
    assert world.examples()["found"] not in listing
    code, _text = cli(world, "close", number, "--user", "petugas")
    assert code == 2
    assert row_of(world, number).state == "returned"
    assert item_of(world, number).status == HELD
    code, _text = cli(world, "close", number, "--user", "supervisor")
    assert code == 0
    assert row_of(world, number).state == "cancelled"
    assert item_of(world, number).status == PENDING
    code, _text = cli(world, "close", number, "--user", "supervisor")
    assert code == 2  # no longer a returned case
    code, listing = cli(world, "returned")
    assert number not in listing


def test_balikan_status_shows_held_items_and_their_age(world: World) -> None:
    first = returned_case(world)
    world.clock.advance(10 * DAY)
    returned_case(world)  # the same applicant, another request ten days later
    assert world.services.balikan is not None
    out = io.StringIO()
    code = run_balikan_cli(["status"], world.services.balikan, world.services.officers, out=out)
    text = out.getvalue()
    assert code == 0
    assert _("Held (case still open, not yet sendable): {count}").format(count=2) in text
    assert "2026-11-23" in text  # the oldest held item, from the first case
    lines = text.splitlines()
    assert any("0-7" in line and line.rstrip().endswith("1") for line in lines)
    assert any("8-30" in line and line.rstrip().endswith("1") for line in lines)
    assert any("31+" in line and line.rstrip().endswith("0") for line in lines)
    assert item_of(world, first).status == HELD


def interrupted_on(world: World) -> str:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, {"KTP-el": True, "KK": True})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    return str(case.number)  # the process dies here: no screen will finish it


def test_an_interrupted_case_of_counter_a_is_closed_from_counter_b(tmp_path: Path) -> None:
    clock = FakeClock()
    keyring = MemorySecretStore()
    base = demo_settings()
    a = make_world(
        tmp_path / "data",
        settings=replace(base, counter_id="LOKET-A"),
        clock=clock,
        secrets=keyring,
    )
    b = make_world(
        tmp_path / "data",
        settings=replace(base, counter_id="LOKET-B"),
        clock=clock,
        secrets=keyring,
    )
    try:
        number = interrupted_on(a)
        nik = a.examples()["found"]
        a.services.core.close()  # counter A is gone (crash, retired PC)
        assert b.services.cases.interrupted_cases() == []  # B's own start-up list
        assert b.services.returned.interrupted() == []  # A used it a moment ago
        code, _text = cli(b, "close-interrupted", number, "--user", "supervisor")
        assert code == 2 and row_of(b, number).state == "cross_checked"
        clock.advance(2 * 3600)
        code, listing = cli(b, "interrupted")
        assert code == 0 and number in listing and "counter LOKET-A" in listing
        assert nik not in listing
        code, _text = cli(b, "close-interrupted", number, "--user", "petugas2")
        assert code == 2 and row_of(b, number).state == "cross_checked"
        code, _text = cli(b, "close-interrupted", number, "--user", "supervisor")
        assert code == 0
        assert row_of(b, number).state == "cancelled"
        assert item_of(b, number).status == PENDING
        assert b.services.balikan is not None
        b.services.balikan.send_once()
        assert [d.nik for d in b.simulator.balikan] == [nik]
        code, listing = cli(b, "interrupted")
        assert number not in listing
    finally:
        b.services.core.close()


def test_every_cases_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--help"],
        ["returned", "--help"],
        ["close", "--help"],
        ["expire", "--help"],
        ["interrupted", "--help"],
        ["close-interrupted", "--help"],
    ):
        assert run_cases_cli(argv, lambda: pytest.fail("no services for --help")) == 0
    assert "close-interrupted" in capsys.readouterr().out
