"""Zero storage through the counter's own screens (R-10): a canary population, a card read
through the reader layer and a case typed by key presses; then every file under every folder
the app may write is scanned (PDF streams and XLSX archives opened)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.demo import build_demo
from app.services.settings import demo_settings
from app.services.simulator import GatewaySimulator, SimulatorConfig
from app.ui.case.case_screen import PAGE_DOCUMENTS, PAGE_NEW, PAGE_NIK, PAGE_VERIFY
from app.ui.workers import wait_for_all
from tests.fakes.canary import canary_population, find_leaks, population_needles
from tests.services.cases.conftest import FakeClock, World
from tests.ui.conftest import all_text, open_window
from tests.ui.test_keyboard import focused, press, press_shortcut, sign_in_by_keys


def canary_world(data_dir: Path) -> World:
    """The demo world with a simulator whose registry is the canary population."""
    clock = FakeClock()
    simulator = GatewaySimulator(
        SimulatorConfig(daily_quota=200), mode="test", clock=clock, population=canary_population()
    )
    demo = build_demo(data_dir, demo_settings(), clock=clock, simulator=simulator)
    officers = demo.services.officers
    accounts = [officers.authenticate(u, "demo1234") for u in
                ("petugas", "petugas2", "supervisor", "admin")]
    return World(demo, clock, *accounts)


def test_a_card_case_and_a_typed_case_through_the_screens_leave_nothing_on_disk(
    qtbot: QtBot, tmp_path: Path, isolated_environment: Path
) -> None:
    from app.ui.reader_bridge import SimulatedReader

    world = canary_world(tmp_path / "data")
    population = world.simulator.population
    reader = SimulatedReader(demo=True, step_delay_s=0.001)
    window = open_window(qtbot, world, reader)
    sign_in_by_keys(qtbot, window)
    screen = window.case_screen

    # 1. the card path: the KTP-el's own fields are canaries too
    person = population.get(world.examples()["found"])
    assert person is not None
    press_shortcut(qtbot, screen.new_page.open_button)
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    for _box in screen.documents_page.boxes:
        press(qtbot, Qt.Key.Key_Space)
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.page == PAGE_NIK)
    reader.tap(person.nik, name=person.name, place_of_birth=person.birth_place,
               address=person.address)
    qtbot.waitUntil(lambda: screen.nik_page.nik.text() == person.nik, timeout=10000)
    press_shortcut(qtbot, screen.nik_page.lookup)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=10000)
    assert person.name in all_text(window)  # the canaries really reached the screen
    case = screen.case
    assert case is not None
    for box in screen.verify_page.sesuai.values():  # the card's other fields: checked
        box.setChecked(True)
    press_shortcut(qtbot, screen.verify_page.approve)  # issued at once
    qtbot.waitUntil(lambda: case.statement_printed and not screen.working)
    press(qtbot, Qt.Key.Key_Return)  # hand over (recipient shown): balikan queued, closed
    qtbot.waitUntil(lambda: screen.page == PAGE_NEW)
    reader.remove()

    # 2. a typed NIK of another resident, then the screen is locked mid-case
    other = population.get(world.examples()["duplicate"])
    assert other is not None
    world.clock.advance(120)
    press_shortcut(qtbot, screen.new_page.open_button)
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    for _box in screen.documents_page.boxes:
        press(qtbot, Qt.Key.Key_Space)
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.page == PAGE_NIK)
    qtbot.keyClicks(focused(), other.nik)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=10000)
    window.lock()
    assert other.nik not in all_text(window)
    window.close()
    wait_for_all(5000)
    world.services.core.close()

    needles = population_needles(population, app_dates={world.clock().date()})
    leaks = find_leaks(tmp_path, needles) + find_leaks(isolated_environment, needles)
    assert not leaks, "population data found in written files:\n" + "\n".join(leaks)
    written = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert any(name.endswith(".sqlite3") for name in written)  # the scan saw the database
