"""Demo start: the simulator's invented population (most of the start-up time) is built only
when first needed; the training list still offers one NIK per outcome."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.i18n import _
from app.services.demo import DemoWorld, build_demo
from app.ui.main import demo_window
from app.ui.workers import wait_for_all


def test_the_population_is_built_on_first_use_not_at_start(qtbot: QtBot, tmp_path: Path) -> None:
    world = build_demo(tmp_path / "data")
    assert world.simulator is not None
    window = demo_window(world)
    qtbot.addWidget(window)
    try:
        assert world.simulator._population is None  # nothing invented yet
        assert window.training_action is not None  # the training menu is there at once
        niks = dict(window.training_niks or {})
        assert world.simulator._population is not None
        assert set(niks) >= {"found", "deceased", "not_found", "invalid_format"}
        assert len(niks["found"]) == 16 and niks["found"].isdigit()
        assert world.simulator.population.get(niks["found"]) is not None
    finally:
        window.close()
        wait_for_all(5000)
        world.services.core.close()


def test_the_sign_in_window_is_shown_first_and_signing_in_waits_for_the_demo(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.demo as demo_module
    from app.ui.demo_start import DemoStart

    release = threading.Event()
    real_build = demo_module.build_demo

    def held_build(data_dir: Path) -> DemoWorld:
        assert release.wait(60), "the test never released the demo build"
        return real_build(data_dir)

    monkeypatch.setattr(demo_module, "build_demo", held_build)
    data_dir = tmp_path / "demo"
    start = DemoStart(data_dir)
    start.begin()
    try:
        login = start.preparing.login
        assert start.preparing.isVisible()
        assert not login.sign_in.isEnabled()
        assert login.busy.isVisibleTo(start.preparing)
        assert login.busy.label.text() == _("Preparing the demo…")
        qtbot.keyClicks(login.username, "petugas")
        qtbot.keyClicks(login.password, "demo1234")
        qtbot.keyClick(login.password, Qt.Key.Key_Return)  # fail closed: nothing happens
        assert login.task is None
        assert start.window is None

        with qtbot.waitSignal(start.ready, timeout=60_000):
            release.set()
        window = start.window
        assert window is not None
        assert window.isVisible()
        assert not start.preparing.isVisible()
        assert window.login.sign_in.isEnabled()
        assert window.built_case_screen is None  # built at sign-in, not before
        assert window.login.username.text() == "petugas"  # what was typed is kept
        assert window.login.sign_in.text() == login.sign_in.text()  # one language throughout
        qtbot.keyClick(window.login.password, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: window.stack.currentWidget() is window.built_case_screen, timeout=30_000
        )
        assert window.officer is not None and window.officer.username == "petugas"
    finally:
        release.set()
        if start.window is not None:
            start.window.close()
        start.close()
    assert not data_dir.exists()  # the demo's temporary folder is removed


def test_a_failed_demo_start_shows_its_message_and_ends_with_status_2(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.demo as demo_module
    from app.domain.errors import UserFacingError
    from app.ui.demo_start import DemoStart

    def broken_build(_data_dir: Path) -> DemoWorld:
        raise UserFacingError("demo database unusable")

    shown: list[str] = []
    monkeypatch.setattr(demo_module, "build_demo", broken_build)
    monkeypatch.setattr(
        "app.ui.main.QMessageBox.critical", lambda _parent, _title, text: shown.append(text)
    )
    data_dir = tmp_path / "demo"
    data_dir.mkdir()
    start = DemoStart(data_dir)
    try:
        with qtbot.waitSignal(start.failed, timeout=60_000) as failed:
            start.begin()
        assert failed.args == [2]
        assert shown == [_("The action was refused.")]  # the known error's own message
        assert start.window is None
        assert not start.preparing.login.sign_in.isEnabled()
    finally:
        start.preparing.close()
        start.close()
    assert not data_dir.exists()
