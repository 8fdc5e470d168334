"""Demo mode: the simulator, an in-memory secret store and demo officers, no configuration."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.services.access import grants_for
from app.services.app_core import AppServices, build_services
from app.services.bootstrap import DATA_DIR_DATABASE, build_core
from app.services.clock import Clock, system_clock
from app.services.dukcapil import guidance_text
from app.services.gateway_setup import SIMULATOR_BASE_URL, build_gateway, demo_simulator
from app.services.key_binding import init_or_open_demo_keys
from app.services.officers import Role
from app.services.persistence.schema_template import copy_template, save_template
from app.services.secrets import BALIKAN_TOKEN, MemorySecretStore, SecretStore
from app.services.settings import Settings, demo_settings
from app.services.simulator import GatewaySimulator

DEMO_PASSWORD = "demo1234"  # noqa: S105 - shown on the demo login screen
#: argon2id (the counter's hasher parameters, see officers.password_hasher) of DEMO_PASSWORD,
#: computed once: seeding the demo accounts at every start then needs no hashing.
DEMO_PASSWORD_HASH = (
    "$argon2id$v=19$m=12288,t=3,p=1$hKIApjoDSoKRJXOCZAc/Ew"  # noqa: S105 - public demo password
    "$6DEiuTBRtsRZfe/gDrKgPtfSMv/Bz4hExqSyv/veVBY"
)
DEMO_OFFICERS = (
    ("petugas", "Petugas Contoh", Role.OFFICER),
    ("petugas2", "Petugas Contoh Dua", Role.OFFICER),
    ("supervisor", "Supervisor Contoh", Role.SUPERVISOR),
    ("admin", "Administrator Contoh", Role.ADMINISTRATOR),
)


DEMO_DIR_PREFIX = "loket-demo-"
DEMO_PID_FILE = "demo.pid"
#: A demo folder without a process file (an older version's) counts as stale after this.
UNOWNED_STALE_AFTER_S = 3600.0


def _process_alive(pid: int) -> bool:
    """True if process ``pid`` still runs (Windows: unknown, so assumed alive)."""
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _stale(folder: Path, alive: Callable[[int], bool], now: float) -> bool:
    try:
        pid = int((folder / DEMO_PID_FILE).read_text().strip())
    except (OSError, ValueError):
        try:
            return now - folder.stat().st_mtime > UNOWNED_STALE_AFTER_S
        except OSError:
            return False
    return pid != os.getpid() and not alive(pid)


def clean_stale_demo_dirs(
    base: Path | None = None, *, alive: Callable[[int], bool] = _process_alive
) -> list[Path]:
    """Remove the temporary folders of demos that were killed (their process is gone)."""
    root = base or Path(tempfile.gettempdir())
    now = time.time()
    removed: list[Path] = []
    for folder in sorted(root.glob(DEMO_DIR_PREFIX + "*")):
        if folder.is_dir() and not folder.is_symlink() and _stale(folder, alive, now):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def make_demo_dir(base: Path | None = None) -> Path:
    """A fresh private folder for this demo's database, after removing killed demos' ones."""
    clean_stale_demo_dirs(base)
    folder = Path(tempfile.mkdtemp(prefix=DEMO_DIR_PREFIX, dir=base))
    (folder / DEMO_PID_FILE).write_text(str(os.getpid()))
    return folder


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
            password_hash=DEMO_PASSWORD_HASH,
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
    database = data_dir / DATA_DIR_DATABASE
    # a brand-new demo database starts as a copy of the migrated schema kept from the first
    # demo of this version (see schema_template); otherwise it is migrated and the copy kept
    brand_new = not settings.database_url and not (
        database.exists() and database.stat().st_size > 0
    )
    from_template = brand_new and copy_template(database)
    core = build_core(
        settings, secrets=secrets or MemorySecretStore(), data_dir=data_dir, check_keys=False
    )
    if brand_new and not from_template:
        save_template(database)  # schema only: nothing else has been written yet
    # the demo's keys are created here, on purpose, for a new demo database
    core.keys = init_or_open_demo_keys(core.engine, core.secrets, settings.counter_id)
    sim = simulator
    if grants_for(settings).uses_web_service and sim is None:
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
            balikan_transport=sim.transport,  # made when the sender first sends
            balikan_base_url=SIMULATOR_BASE_URL + sim.config.balikan.prefix,
        )
    seed_demo_officers(services)
    return DemoWorld(services=services, simulator=sim)
