"""Fixtures for the gateway client and simulator tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.domain.resource_files import resources_dir
from app.services.dukcapil import (
    AgreementProfile,
    DukcapilClient,
    GatewayConfig,
    GatewayCredentials,
    load_profiles,
)
from app.services.simulator import GatewaySimulator, SimulatorConfig

ClientFactory = Callable[..., DukcapilClient]


@pytest.fixture(scope="session")
def profiles() -> dict[str, AgreementProfile]:
    return load_profiles(resources_dir())


@pytest.fixture
def simulator() -> GatewaySimulator:
    return GatewaySimulator(SimulatorConfig(), mode="test")


def demo_credentials(**changes: str) -> GatewayCredentials:
    account = SimulatorConfig().account
    credentials = GatewayCredentials(account.user_id, account.password, account.ip_user)
    return replace(credentials, **changes)


def plain_config(**changes: Any) -> GatewayConfig:
    base: dict[str, Any] = {
        "base_url": "http://172.16.160.177:8000",
        "consumer_id": SimulatorConfig().account.consumer_id,
        "allow_plain_http": True,
    }
    base.update(changes)
    return GatewayConfig(**base)


@pytest.fixture
def make_client(
    simulator: GatewaySimulator, profiles: dict[str, AgreementProfile]
) -> Iterator[ClientFactory]:
    """Build clients onto the in-process simulator; closed after the test."""
    made: list[DukcapilClient] = []

    def factory(
        profile: str = "purbalingga-8",
        credentials: GatewayCredentials | None = None,
        transport: httpx.BaseTransport | None = None,
        **config: Any,
    ) -> DukcapilClient:
        client = DukcapilClient(
            plain_config(**config),
            credentials or demo_credentials(),
            profiles[profile],
            transport=transport or simulator.transport(),
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        client.close()
