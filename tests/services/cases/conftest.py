"""A demo world on a temp database with a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.services.demo import DemoWorld, build_demo
from app.services.officers import OfficerView
from app.services.secrets import MemorySecretStore
from app.services.settings import Settings, demo_settings, settings_from_dicts
from app.services.simulator import GatewaySimulator, SimulatorConfig


@dataclass
class FakeClock:
    """Starts on a working morning; each call may advance it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 8, 0, 0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 30) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class World:
    """Services, simulator, clock and the demo officers, signed in."""

    demo: DemoWorld
    clock: FakeClock
    officer: OfficerView
    officer2: OfficerView
    supervisor: OfficerView
    admin: OfficerView

    @property
    def services(self) -> Any:
        return self.demo.services

    @property
    def simulator(self) -> GatewaySimulator:
        assert self.demo.simulator is not None
        return self.demo.simulator

    def examples(self) -> dict[str, str]:
        return self.simulator.population.examples()


def make_world(
    data_dir: Path,
    settings: Settings | None = None,
    clock: FakeClock | None = None,
    secrets: MemorySecretStore | None = None,
    **sim: Any,
) -> World:
    clock = clock or FakeClock()
    settings = settings or demo_settings()
    simulator = None
    if settings.agreement.access_method == "web_service":
        simulator = GatewaySimulator(
            SimulatorConfig(daily_quota=sim.pop("daily_quota", 200), **sim),
            mode="test",
            clock=clock,
        )
    demo = build_demo(data_dir, settings, clock=clock, simulator=simulator, secrets=secrets)
    officers = demo.services.officers
    return World(
        demo,
        clock,
        officers.authenticate("petugas", "demo1234"),
        officers.authenticate("petugas2", "demo1234"),
        officers.authenticate("supervisor", "demo1234"),
        officers.authenticate("admin", "demo1234"),
    )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path / "data")
    yield w
    w.services.core.close()


def portal_settings() -> Settings:
    return settings_from_dicts(
        {
            "mode": "demo",
            "agency": {"id_lembaga": "330301", "name": "Dinas Sosial Contoh"},
            "agreement": {
                "access_method": "web_portal",
                "portal_url": "https://portal.example.invalid/",
                "start": datetime(2025, 1, 1).date(),
                "end": datetime(2027, 9, 16).date(),
            },
        }
    )
