"""Demo start: the data balikan sender (and the HTTP library it needs) is started on a worker
once the counter window is up; the window never waits for it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.services.balikan.service import BalikanService


def test_the_sender_starts_behind_a_ready_window(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.ui.demo_start import DemoStart

    release = threading.Event()
    started_on: list[str] = []
    real_start = BalikanService.start_background

    def held_start(self: BalikanService, idle_seconds: float = 30.0) -> bool:
        started_on.append(threading.current_thread().name)
        assert release.wait(60), "the test never released the sender start"
        return real_start(self, idle_seconds)

    monkeypatch.setattr(BalikanService, "start_background", held_start)
    start = DemoStart(tmp_path / "demo")
    try:
        with qtbot.waitSignal(start.ready, timeout=60_000):
            start.begin()
        window = start.window
        assert window is not None and window.login.sign_in.isEnabled()  # not waiting for it
        qtbot.waitUntil(lambda: started_on == ["balikan-start"], timeout=30_000)
        release.set()
        assert start.world is not None and start.world.services.balikan is not None
        balikan = start.world.services.balikan
        qtbot.waitUntil(lambda: balikan._sender is not None and balikan._sender.running)
    finally:
        release.set()
        if start.window is not None:
            start.window.close()
        start.close()
