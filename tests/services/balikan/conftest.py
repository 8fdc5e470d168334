"""Fixtures for data balikan: an outbox on a fresh database, the simulator, a sender."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.balikan.client import BalikanClient
from app.services.balikan.outbox import BalikanParams, Outbox
from app.services.balikan.sender import BalikanSender
from app.services.keys import KeyRing
from app.services.persistence.db import session_factory
from app.services.simulator import GatewaySimulator, SimulatorConfig

BASE_URL = "http://balikan.test/data_balikan/public"
TOKEN = SimulatorConfig().balikan.token


def synthetic_nik(index: int) -> str:
    """A 16-digit synthetic NIK (region 330301, birth 01-01-90, serial)."""
    return f"330301010190{index:04d}"


class MovableClock:
    """A clock tests can move forward."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def keys() -> KeyRing:
    return KeyRing.generate()


@pytest.fixture
def sessions(db_engine: Engine) -> sessionmaker[Session]:
    return session_factory(db_engine)


@pytest.fixture
def outbox(keys: KeyRing, clock: MovableClock) -> Outbox:
    return Outbox(keys, "330301", "Bappelitbangda Contoh", clock=clock)


@pytest.fixture
def audit(keys: KeyRing, clock: MovableClock) -> AuditTrail:
    return AuditTrail(keys.audit_key, "LOKET-T", clock)


@pytest.fixture
def sim() -> GatewaySimulator:
    return GatewaySimulator(SimulatorConfig(), mode="test")


Enqueue = Callable[..., list[str]]


@pytest.fixture
def enqueue(sessions: sessionmaker[Session], outbox: Outbox) -> Enqueue:
    """Queue ``count`` items (case numbers C-00000…); returns their NIKs."""

    def make(count: int, start: int = 0, programme: str = "PKH") -> list[str]:
        niks = []
        with sessions.begin() as session:
            for index in range(start, start + count):
                nik = synthetic_nik(index)
                params = BalikanParams(programme=programme, number=f"REG-{index:05d}")
                outbox.enqueue(session, f"C-{index:05d}", nik, params)
                niks.append(nik)
        return niks

    return make


MakeSender = Callable[..., BalikanSender]


@pytest.fixture
def make_sender(
    sessions: sessionmaker[Session], outbox: Outbox, audit: AuditTrail, sim: GatewaySimulator
) -> Iterator[MakeSender]:
    made: list[BalikanClient] = []

    def factory(
        shape: str = "form",
        transport: httpx.BaseTransport | None = None,
        token: str = TOKEN,
        **options: Any,
    ) -> BalikanSender:
        client = BalikanClient(BASE_URL, token, transport=transport or sim.transport(), timeout=2.0)
        made.append(client)
        options.setdefault("counter_id", "LOKET-T")
        options.setdefault("audit", audit)
        return BalikanSender(sessions, outbox, client, shape=shape, **options)

    yield factory
    for client in made:
        client.close()
