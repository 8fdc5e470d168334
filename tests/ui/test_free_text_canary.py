"""Canary run through the Qt case screen (issue 11): every free-text field typed full of the
resident's canary names and spaced / odd-digit NIKs; not one of them reaches the disk."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.case_flow import CaseState
from app.domain.case_reasons import CaseReason
from app.services.demo import build_demo
from app.services.logging_setup import configure_logging
from app.services.simulator import GatewaySimulator, SimulatorConfig
from app.services.simulator.population import Person
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_ISSUE, PAGE_VERIFY
from app.ui.reader_bridge import SimulatedReader
from app.ui.workers import wait_for_all
from tests.fakes.canary import all_canaries, canary_population, scan_for, typed_variants
from tests.services.cases.conftest import FakeClock, World
from tests.ui.conftest import click, look_up, open_window, sign_in, start_case


@pytest.fixture
def canary_window(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[AppWindow, World, Path]]:
    root = tmp_path / "root"
    configure_logging(logging.DEBUG, directory=root / "logs")
    clock = FakeClock()
    simulator = GatewaySimulator(
        SimulatorConfig(), mode="test", clock=clock, population=canary_population()
    )
    demo = build_demo(root / "data", clock=clock, simulator=simulator)
    officers = demo.services.officers
    world = World(
        demo,
        clock,
        officers.authenticate("petugas", "demo1234"),
        officers.authenticate("petugas2", "demo1234"),
        officers.authenticate("supervisor", "demo1234"),
        officers.authenticate("admin", "demo1234"),
    )
    window = open_window(qtbot, world, SimulatedReader(demo=True))
    yield window, world, root
    root_logger = logging.getLogger()
    for handler in list(root_logger.handlers):
        if getattr(handler, "_loket", False):
            root_logger.removeHandler(handler)
            handler.close()


def typed(person: Person, index: int) -> str:
    nik = typed_variants(person.nik)[index % 7]
    kk = typed_variants(person.no_kk)[(index + 2) % 7]
    return f"{person.name} lahir {person.birth_place} alamat {person.address} {nik} KK {kk}"


def test_the_case_screen_writes_no_typed_canary_to_disk(
    qtbot: QtBot, canary_window: tuple[AppWindow, World, Path]
) -> None:
    window, world, root = canary_window
    person = world.simulator.population.get(world.examples()["found"])
    assert person is not None
    sign_in(qtbot, window)
    screen = window.case_screen

    # returned for fixes: purpose and remark full of canaries
    screen.new_page.purpose.setText(typed(person, 0))
    start_case(qtbot, screen)
    look_up(qtbot, screen, person.nik, world.clock)
    assert screen.page == PAGE_VERIFY
    screen.verify_page.note.setText(typed(person, 1))
    screen.verify_page.set_reasons([CaseReason.NAME_DIFFERS, CaseReason.KK_DIFFERS])
    click(qtbot, screen.verify_page.return_button)
    assert screen.case is not None and screen.case.state is CaseState.RETURNED
    click(qtbot, screen.issue_page.close_case)

    # approved: the number fields take a name and a spaced NIK, are refused, then cleared
    screen.new_page.purpose.setText(typed(person, 2))
    start_case(qtbot, screen)
    look_up(qtbot, screen, person.nik, world.clock)
    screen.verify_page.note.setText(typed(person, 3))
    click(qtbot, screen.verify_page.approve)  # issued at once, numbered by the app
    assert screen.page == PAGE_ISSUE
    for text in (person.name, typed_variants(person.nik)[0], typed_variants(person.no_kk)[5]):
        screen.issue_page.recipient.setText(text)
        click(qtbot, screen.issue_page.hand_over)
        assert screen.case is not None and screen.case.state is CaseState.ISSUED
    screen.issue_page.recipient.setText("REG-12")
    click(qtbot, screen.issue_page.hand_over)

    # a neighbouring NIK: refused, allowed by a supervisor whose typed reason names the
    # resident; then the case is cancelled with a reason full of canaries
    screen.new_page.purpose.setText(f"NIK {typed_variants(person.nik)[4]}")
    start_case(qtbot, screen)
    neighbour = person.nik[:12] + f"{int(person.nik[12:]) + 1:04d}"
    look_up(qtbot, screen, neighbour, world.clock)
    assert screen.nik_page.override.isVisible()
    screen.ask_override = lambda refusal: ("supervisor", "demo1234", typed(person, 5))
    click(qtbot, screen.nik_page.override)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=10000)
    screen.ask_reason = lambda title, label: typed(person, 6)
    screen.cancel()
    qtbot.waitUntil(lambda: screen.case is None)

    window.close()
    wait_for_all(5000)
    world.services.core.close()
    needles = [person.nik, person.no_kk, *typed_variants(person.nik)]
    needles += [*typed_variants(person.no_kk), *all_canaries(world.simulator.population)]
    leaks = scan_for(root, needles)
    assert not leaks, "typed population data found on disk:\n" + "\n".join(leaks)
