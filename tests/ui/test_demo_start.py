"""Demo start: the simulator's invented population (most of the start-up time) is built only
when first needed; the training list still offers one NIK per outcome."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.services.demo import build_demo
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
