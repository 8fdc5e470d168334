"""The client against the simulator on a real socket: pinned TLS, faults, link shaping."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator

import httpx
import pytest

from app.services.dukcapil import (
    AgreementProfile,
    DukcapilClient,
    GatewayConfig,
    GatewayConfigError,
    GatewayTimeouts,
    OutcomeKind,
    TransportError,
    TransportFailure,
)
from app.services.dukcapil.tls import PinMismatchError, pinned_context
from app.services.simulator import (
    Fault,
    FaultPlan,
    LinkShape,
    RunningSimulator,
    SimulatorConfig,
    build_population,
    start_simulator,
)
from app.services.simulator.certs import SelfSignedCert, make_self_signed
from tests.services.conftest import demo_credentials

EXAMPLES = build_population().examples()
CONSUMER = SimulatorConfig().account.consumer_id


@pytest.fixture(scope="module")
def tls_server() -> Iterator[RunningSimulator]:
    with start_simulator(mode="test", tls=True) as running:
        yield running


@pytest.fixture(scope="module")
def plain_server() -> Iterator[RunningSimulator]:
    with start_simulator(mode="test", faults=FaultPlan(stall_seconds=1.0)) as running:
        yield running


@pytest.fixture(scope="module")
def other_cert() -> SelfSignedCert:
    return make_self_signed("Somebody else")


@pytest.fixture(autouse=True)
def _fresh(request: pytest.FixtureRequest) -> None:
    for name in ("tls_server", "plain_server"):
        if name in request.fixturenames:
            running: RunningSimulator = request.getfixturevalue(name)
            running.simulator.reset()
            running.simulator.faults.clear()


def tls_client(
    running: RunningSimulator, profile: AgreementProfile, cert_pem: str, **changes: object
) -> DukcapilClient:
    config = GatewayConfig(
        base_url=running.base_url,
        consumer_id=CONSUMER,
        pinned_cert_pem=cert_pem,
        **changes,  # type: ignore[arg-type]
    )
    return DukcapilClient(config, demo_credentials(), profile)


def test_pinned_certificate_accepted(
    tls_server: RunningSimulator, profiles: dict[str, AgreementProfile]
) -> None:
    assert tls_server.cert is not None
    with tls_client(
        tls_server,
        profiles["purbalingga-8"],
        tls_server.cert.cert_pem,
        pinned_sha256=":".join(tls_server.cert.sha256[i : i + 2] for i in range(0, 64, 2)).upper(),
    ) as client:
        assert not client.is_plain_http
        first = client.lookup(EXAMPLES["found"])
        second = client.lookup(EXAMPLES["deceased"])
    assert first.kind is OutcomeKind.FOUND
    assert second.kind is OutcomeKind.DECEASED
    assert tls_server.simulator.received == 2


def test_other_certificate_refused_before_credentials_leave(
    tls_server: RunningSimulator,
    profiles: dict[str, AgreementProfile],
    other_cert: SelfSignedCert,
) -> None:
    before = tls_server.connections
    with (
        tls_client(tls_server, profiles["purbalingga-8"], other_cert.cert_pem) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.lookup(EXAMPLES["found"])
    assert caught.value.failure is TransportFailure.TLS
    assert not caught.value.failure.query_sent
    assert tls_server.simulator.received == 0  # no request, so no credentials, arrived
    deadline = time.monotonic() + 2
    while tls_server.tls_failures == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert tls_server.tls_failures >= 1
    assert tls_server.connections == before + 1  # a TLS failure is not retried


def test_pin_checked_during_handshake(tls_server: RunningSimulator) -> None:
    """Even a trusted certificate is refused when its fingerprint is not the pin."""
    assert tls_server.cert is not None
    context = pinned_context(tls_server.cert.cert_pem)
    context.pinned_sha256 = "0" * 64
    with (
        httpx.Client(verify=context, trust_env=False) as http,
        pytest.raises(httpx.ConnectError) as caught,
    ):
        http.post(f"{tls_server.base_url}/dukcapil/get_json/{CONSUMER}/CALL_NIK", content=b"{}")
    cause: BaseException | None = caught.value
    while cause is not None and not isinstance(cause, PinMismatchError):
        cause = cause.__cause__ or cause.__context__
    assert isinstance(cause, PinMismatchError)
    assert tls_server.simulator.received == 0


def test_context_settings(tls_server: RunningSimulator) -> None:
    assert tls_server.cert is not None
    context = pinned_context(tls_server.cert.cert_pem)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is False
    assert not context.verify_flags & ssl.VERIFY_X509_STRICT
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_pin_must_match_imported_certificate(
    tls_server: RunningSimulator, other_cert: SelfSignedCert
) -> None:
    assert tls_server.cert is not None
    with pytest.raises(GatewayConfigError):
        pinned_context(tls_server.cert.cert_pem, other_cert.sha256)
    with pytest.raises(GatewayConfigError):
        pinned_context("not a certificate")
    with pytest.raises(GatewayConfigError):
        GatewayConfig(
            base_url=tls_server.base_url,
            consumer_id=CONSUMER,
            pinned_cert_pem=tls_server.cert.cert_pem,
            pinned_sha256="abc",
        )


def plain_client(
    running: RunningSimulator, profile: AgreementProfile, read_timeout: float = 5.0
) -> DukcapilClient:
    config = GatewayConfig(
        base_url=running.base_url,
        consumer_id=CONSUMER,
        allow_plain_http=True,
        timeouts=GatewayTimeouts(connect=2.0, read=read_timeout, write=2.0, pool=2.0),
    )
    return DukcapilClient(config, demo_credentials(), profile)


def test_plain_socket_lookup_and_verify(
    plain_server: RunningSimulator, profiles: dict[str, AgreementProfile]
) -> None:
    with plain_client(plain_server, profiles["purbalingga-8"]) as client:
        assert client.is_plain_http
        assert client.lookup(EXAMPLES["found"]).kind is OutcomeKind.FOUND
    with plain_client(plain_server, profiles["verify-only"]) as client:
        result = client.verify(EXAMPLES["found"], {"JENIS_KLMIN": "PEREMPUAN"})
    assert result.kind is OutcomeKind.VERIFIED


@pytest.mark.parametrize(
    ("fault", "failure"),
    [
        (Fault.HTTP_500, TransportFailure.HTTP_STATUS),
        (Fault.NON_JSON, TransportFailure.NOT_JSON),
        (Fault.TRUNCATED, TransportFailure.PROTOCOL),
        (Fault.RESET, TransportFailure.PROTOCOL),
        (Fault.TIMEOUT, TransportFailure.TIMEOUT),
    ],
)
def test_socket_faults_are_not_retried(
    plain_server: RunningSimulator,
    profiles: dict[str, AgreementProfile],
    fault: Fault,
    failure: TransportFailure,
) -> None:
    plain_server.simulator.faults.inject(fault)
    with (
        plain_client(plain_server, profiles["purbalingga-8"], read_timeout=0.3) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.lookup(EXAMPLES["found"])
    assert caught.value.failure is failure
    assert plain_server.simulator.received == 1


def test_nothing_listening_is_a_connect_failure(profiles: dict[str, AgreementProfile]) -> None:
    with start_simulator(mode="test") as running:
        port = running.port
    config = GatewayConfig(
        base_url=f"http://127.0.0.1:{port}", consumer_id=CONSUMER, allow_plain_http=True
    )
    with (
        DukcapilClient(config, demo_credentials(), profiles["purbalingga-8"]) as client,
        pytest.raises(TransportError) as caught,
    ):
        client.lookup(EXAMPLES["found"])
    assert caught.value.failure is TransportFailure.CONNECT


def test_link_shaping(profiles: dict[str, AgreementProfile]) -> None:
    faults = FaultPlan(LinkShape(latency_ms=60, bandwidth_kbps=100))
    with (
        start_simulator(mode="test", faults=faults) as running,
        plain_client(running, profiles["purbalingga-8"]) as client,
    ):
        started = time.perf_counter()
        assert client.lookup(EXAMPLES["found"]).kind is OutcomeKind.FOUND
        elapsed = time.perf_counter() - started
    # 60 ms latency + ~1.4 kB at 100 kbit/s (~110 ms) + the request upload
    assert elapsed >= 0.15
