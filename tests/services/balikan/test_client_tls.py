"""The data balikan client fails closed against a hostile network (issue: defaults that fail open).

Real sockets: the simulator serves HTTPS with its own certificate and plays either the real
web service (its certificate imported and pinned) or a man in the middle whose certificate
the machine's CA trust accepts (``SSL_CERT_FILE``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.balikan.client import BalikanClient, BalikanSetupError
from app.services.balikan.outbox import DELIVERED, PENDING, Outbox
from app.services.balikan.sender import BalikanSender
from app.services.persistence.models import BalikanItem
from app.services.settings import BalikanSettings
from app.services.simulator import RunningSimulator, SimulatorConfig, start_simulator
from app.services.simulator.certs import SelfSignedCert, make_self_signed
from tests.services.balikan.conftest import Enqueue

TOKEN = SimulatorConfig().balikan.token
PREFIX = SimulatorConfig().balikan.prefix


@pytest.fixture
def genuine() -> Iterator[RunningSimulator]:
    with start_simulator(mode="test", tls=True) as running:
        yield running


@pytest.fixture
def mitm() -> Iterator[RunningSimulator]:
    with start_simulator(mode="test", tls=True) as running:
        yield running


def _pem_file(tmp_path: Path, cert: SelfSignedCert, name: str) -> Path:
    path = tmp_path / name
    path.write_text(cert.cert_pem, encoding="ascii")
    return path


def _settings(base: str, certificate: Path | None = None) -> BalikanSettings:
    return replace(
        BalikanSettings(),
        base_url=base + PREFIX,
        certificate_file=str(certificate) if certificate else "",
    )


def _sender(
    sessions: sessionmaker[Session],
    outbox: Outbox,
    audit: AuditTrail,
    client: BalikanClient,
    **options: object,
) -> BalikanSender:
    return BalikanSender(
        sessions,
        outbox,
        client,
        counter_id="LOKET-T",
        audit=audit,
        **options,  # type: ignore[arg-type]
    )


def _statuses(sessions: sessionmaker[Session]) -> list[tuple[str, str | None]]:
    with sessions() as session:
        rows = session.execute(select(BalikanItem).order_by(BalikanItem.id)).scalars()
        return [(row.status, row.claimed_by) for row in rows]


def test_https_without_an_imported_certificate_is_refused(genuine: RunningSimulator) -> None:
    with pytest.raises(BalikanSetupError, match="certificate"):
        BalikanClient.from_settings(_settings(genuine.base_url), TOKEN)
    with pytest.raises(BalikanSetupError, match="pinned"):
        BalikanClient(genuine.base_url + PREFIX, TOKEN)


def test_mitm_with_a_ca_trusted_certificate_gets_neither_token_nor_nik(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mitm: RunningSimulator,
    enqueue: Enqueue,
    sessions: sessionmaker[Session],
    outbox: Outbox,
    audit: AuditTrail,
) -> None:
    assert mitm.cert is not None
    # the machine's CA trust (and any environment-honouring client) accepts the MITM
    monkeypatch.setenv("SSL_CERT_FILE", str(_pem_file(tmp_path, mitm.cert, "ca.pem")))
    real = make_self_signed(ip="127.0.0.1")  # the web service's certificate, imported
    niks = enqueue(12)
    settings = _settings(mitm.base_url, _pem_file(tmp_path, real, "balikan.pem"))
    client = BalikanClient.from_settings(settings, TOKEN, connections=8)
    sender = _sender(sessions, outbox, audit, client, max_in_flight=8)
    try:
        report = sender.send_once()
    finally:
        client.close()
    assert report.tls_refused and report.requests == 0 and report.settled == 0
    assert sender.last_problem is not None and "TLS" in sender.last_problem
    # not one request reached the MITM: no bearer token, no NIK
    assert mitm.simulator.received == 0 and mitm.simulator.balikan == []
    assert not any(nik in repr(mitm.simulator.balikan) for nik in niks)
    # the first pin failure stopped the whole send: one handshake, not one per item
    assert mitm.connections == 1
    # nothing is blamed on the items: all still pending, none left claimed
    assert _statuses(sessions) == [(PENDING, None)] * 12


def test_pinned_send_uses_kept_alive_connections(
    tmp_path: Path,
    genuine: RunningSimulator,
    enqueue: Enqueue,
    sessions: sessionmaker[Session],
    outbox: Outbox,
    audit: AuditTrail,
) -> None:
    assert genuine.cert is not None
    enqueue(20)
    settings = _settings(genuine.base_url, _pem_file(tmp_path, genuine.cert, "balikan.pem"))
    client = BalikanClient.from_settings(settings, TOKEN, connections=1)
    try:
        report = _sender(sessions, outbox, audit, client, max_in_flight=1).send_once()
    finally:
        client.close()
    assert report.delivered == 20 and report.requests == 20
    assert genuine.connections == 1  # twenty requests, one handshake
    assert _statuses(sessions) == [(DELIVERED, None)] * 20


def test_several_in_flight_stay_within_the_bound(
    tmp_path: Path,
    genuine: RunningSimulator,
    enqueue: Enqueue,
    sessions: sessionmaker[Session],
    outbox: Outbox,
    audit: AuditTrail,
) -> None:
    assert genuine.cert is not None
    niks = enqueue(40)
    settings = _settings(genuine.base_url, _pem_file(tmp_path, genuine.cert, "balikan.pem"))
    client = BalikanClient.from_settings(settings, TOKEN, connections=4)
    try:
        report = _sender(sessions, outbox, audit, client, max_in_flight=4).send_once()
    finally:
        client.close()
    assert report.delivered == 40
    assert 1 <= genuine.connections <= 4
    delivered = sorted(d.nik for d in genuine.simulator.balikan if not d.duplicate)
    assert delivered == sorted(niks)  # each exactly once


def test_proxy_variables_are_ignored(
    monkeypatch: pytest.MonkeyPatch,
    enqueue: Enqueue,
    sessions: sessionmaker[Session],
    outbox: Outbox,
    audit: AuditTrail,
) -> None:
    with (
        start_simulator(mode="test") as service,
        start_simulator(mode="test") as proxy,
    ):
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, proxy.base_url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        enqueue(3)
        settings = replace(_settings(service.base_url), allow_plain_http=True)
        client = BalikanClient.from_settings(settings, TOKEN)
        try:
            report = _sender(sessions, outbox, audit, client).send_once()
        finally:
            client.close()
        assert report.delivered == 3
        assert proxy.connections == 0 and service.simulator.received == 3
