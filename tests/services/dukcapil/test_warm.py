"""The gateway connection stays warm although the gateway closes idle connections."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from app.services.dukcapil import AgreementProfile, DukcapilClient, GatewayConfig, OutcomeKind
from app.services.simulator import (
    RunningSimulator,
    SimulatorConfig,
    build_population,
    start_simulator,
)
from app.services.simulator import server as sim_server
from tests.services.conftest import demo_credentials

EXAMPLES = build_population().examples()
CONSUMER = SimulatorConfig().account.consumer_id


@pytest.fixture
def impatient_gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSimulator]:
    """A TLS gateway that drops a connection idle for 1 s (real ones: 5 to 75 s)."""
    monkeypatch.setattr(sim_server._Handler, "timeout", 1.0)
    with start_simulator(mode="test", tls=True) as running:
        yield running


def _until(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_lookup_after_the_gateway_dropped_the_idle_connection_finds_one_ready(
    impatient_gateway: RunningSimulator, profiles: dict[str, AgreementProfile]
) -> None:
    running = impatient_gateway
    assert running.cert is not None
    config = GatewayConfig(
        base_url=running.base_url, consumer_id=CONSUMER, pinned_cert_pem=running.cert.cert_pem
    )
    with DukcapilClient(config, demo_credentials(), profiles["purbalingga-8"]) as client:
        assert client.lookup(EXAMPLES["found"]).kind is OutcomeKind.FOUND
        backend = client._warm
        assert backend is not None
        # the gateway drops the pooled connection and the first spare; a new spare follows
        assert _until(lambda: backend.spares_opened >= 2)
        second = client.lookup(EXAMPLES["found"])
        assert second.kind is OutcomeKind.FOUND
        assert backend.spares_used == 1  # no handshake while the officer waited
    assert running.simulator.received == 2  # the keeper itself never sends a request


def test_refused_certificate_starts_no_keeper(
    impatient_gateway: RunningSimulator, profiles: dict[str, AgreementProfile]
) -> None:
    from app.services.dukcapil import TransportError
    from app.services.simulator.certs import make_self_signed

    running = impatient_gateway
    config = GatewayConfig(
        base_url=running.base_url,
        consumer_id=CONSUMER,
        pinned_cert_pem=make_self_signed("Somebody else").cert_pem,
    )
    with DukcapilClient(config, demo_credentials(), profiles["purbalingga-8"]) as client:
        with pytest.raises(TransportError):
            client.lookup(EXAMPLES["found"])
        backend = client._warm
        assert backend is not None and backend.spares_opened == 0
    assert running.connections == 1 and running.simulator.received == 0


@pytest.fixture
def gateway() -> Iterator[RunningSimulator]:
    with start_simulator(mode="test", tls=True) as running:
        yield running


def test_warm_ahead_of_the_first_query_through_the_port(
    gateway: RunningSimulator, profiles: dict[str, AgreementProfile]
) -> None:
    from app.services.dukcapil.port_adapter import ClientGateway
    from app.services.link import GovernedGateway, LinkGovernor

    running = gateway
    assert running.cert is not None
    config = GatewayConfig(
        base_url=running.base_url, consumer_id=CONSUMER, pinned_cert_pem=running.cert.cert_pem
    )
    client = DukcapilClient(config, demo_credentials(), profiles["purbalingga-8"])
    port = GovernedGateway(ClientGateway(client), LinkGovernor())
    try:
        port.warm()  # e.g. a case was opened: the connection is made before the query
        backend = client._warm
        assert backend is not None
        assert _until(lambda: backend.spares_opened >= 1)
        assert running.simulator.received == 0  # warming sends no request
        assert port.lookup(EXAMPLES["found"]).kind is OutcomeKind.FOUND
        assert backend.spares_used == 1
    finally:
        port.close()


@pytest.fixture
def gateway_closing_after_5s(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSimulator]:
    """A TLS gateway that drops a connection idle for 5 s (renewing at 60 % leaves the
    keeper 2 s of slack: enough on a busy machine)."""
    monkeypatch.setattr(sim_server._Handler, "timeout", 5.0)
    with start_simulator(mode="test", tls=True) as running:
        yield running


def test_keeper_learns_the_idle_limit_and_renews_spares_before_it(
    gateway_closing_after_5s: RunningSimulator, profiles: dict[str, AgreementProfile]
) -> None:
    running = gateway_closing_after_5s
    assert running.cert is not None
    config = GatewayConfig(
        base_url=running.base_url, consumer_id=CONSUMER, pinned_cert_pem=running.cert.cert_pem
    )
    with DukcapilClient(config, demo_credentials(), profiles["purbalingga-8"]) as client:
        assert client.lookup(EXAMPLES["found"]).kind is OutcomeKind.FOUND
        backend = client._warm
        assert backend is not None
        assert _until(lambda: backend.idle_limit is not None)  # the gateway closed a spare
        limit = backend.idle_limit
        assert limit is not None and 5.0 <= limit < 8.0
        expired, opened = backend.spares_expired, backend.spares_opened
        # three renewals later no spare was closed by the gateway: each was replaced in time
        assert _until(lambda: backend.spares_opened >= opened + 3, seconds=30.0)
        assert backend.spares_expired == expired
        assert client.lookup(EXAMPLES["found"]).kind is OutcomeKind.FOUND
        assert backend.spares_used >= 1
    assert running.simulator.received == 2  # renewing sends no request
