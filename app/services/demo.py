"""Demo mode: the simulator, an in-memory secret store and demo officers, no configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.services.app_core import AppServices, build_services
from app.services.bootstrap import build_core
from app.services.clock import Clock, system_clock
from app.services.dukcapil import guidance_text
from app.services.gateway_setup import SIMULATOR_BASE_URL, build_gateway, demo_simulator
from app.services.key_binding import init_or_open_demo_keys
from app.services.officers import Role
from app.services.secrets import BALIKAN_TOKEN, MemorySecretStore, SecretStore
from app.services.settings import Settings, demo_settings
from app.services.simulator import GatewaySimulator

DEMO_PASSWORD = "demo1234"  # noqa: S105 - shown on the demo login screen
DEMO_OFFICERS = (
    ("petugas", "Petugas Contoh", Role.OFFICER),
    ("petugas2", "Petugas Contoh Dua", Role.OFFICER),
    ("supervisor", "Supervisor Contoh", Role.SUPERVISOR),
    ("admin", "Administrator Contoh", Role.ADMINISTRATOR),
)


@dataclass
class DemoWorld:
    """A ready-to-use demo: services plus the simulator behind them."""

    services: AppServices
    simulator: GatewaySimulator | None


def seed_demo_officers(services: AppServices) -> None:
    """Create the demo accounts (NDA on file) unless they exist."""
    if services.officers.count():
        return
    for username, name, role in DEMO_OFFICERS:
        services.officers.create(
            None,
            username,
            name,
            DEMO_PASSWORD,
            role,
            nda_date=date(2025, 9, 16),
            nda_reference=f"NDA-DEMO/{username.upper()}",
            must_change_password=False,
        )


def build_demo(
    data_dir: Path,
    settings: Settings | None = None,
    *,
    clock: Clock = system_clock,
    simulator: GatewaySimulator | None = None,
    secrets: SecretStore | None = None,
) -> DemoWorld:
    """Everything demo mode needs, on a database in ``data_dir``."""
    settings = settings or demo_settings()
    if not settings.is_demo:
        raise ValueError("build_demo is for demo mode only")
    core = build_core(
        settings, secrets=secrets or MemorySecretStore(), data_dir=data_dir, check_keys=False
    )
    # the demo's keys are created here, on purpose, for a new demo database
    core.keys = init_or_open_demo_keys(core.engine, core.secrets, settings.counter_id)
    sim = simulator
    if settings.agreement.access_method == "web_service" and sim is None:
        sim = demo_simulator(settings)
    gateway = build_gateway(settings, core.secrets, simulator=sim)
    if sim is None:
        services = build_services(core, gateway, guidance=guidance_text, clock=clock)
    else:
        core.secrets.set(BALIKAN_TOKEN, sim.config.balikan.token)
        services = build_services(
            core,
            gateway,
            guidance=guidance_text,
            clock=clock,
            balikan_transport=sim.transport(),
            balikan_base_url=SIMULATOR_BASE_URL + sim.config.balikan.prefix,
        )
    seed_demo_officers(services)
    return DemoWorld(services=services, simulator=sim)
