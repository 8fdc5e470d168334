"""The client behind the case service's GatewayPort."""

from __future__ import annotations

import pytest

from app.domain.outcomes import OutcomeKind
from app.services.cases.port import GatewayPort, GatewayTransportError
from app.services.dukcapil.port_adapter import ClientGateway
from app.services.simulator import Fault, GatewaySimulator, build_population
from tests.services.conftest import ClientFactory

EXAMPLES = build_population().examples()


def test_lookup_answer_is_filtered(make_client: ClientFactory) -> None:
    gateway: GatewayPort = ClientGateway(make_client())
    answer = gateway.lookup(EXAMPLES["found"])
    assert answer.kind is OutcomeKind.FOUND
    assert answer.record is not None
    assert answer.record["NIK"] == EXAMPLES["found"]
    assert "AGAMA" not in answer.record
    assert answer.quota_left == 199
    assert answer.guidance.startswith("Data found:")
    answer.wipe()
    assert answer.record is None


def test_verify_answer(make_client: ClientFactory) -> None:
    gateway = ClientGateway(make_client("verify-only"))
    answer = gateway.verify(EXAMPLES["found"], {"JENIS_KLMIN": "PEREMPUAN"})
    assert answer.kind is OutcomeKind.VERIFIED
    assert answer.verdicts is not None
    assert answer.verdicts["NIK"] == (True, 100)
    assert answer.record is None


def test_deceased_guidance(make_client: ClientFactory) -> None:
    answer = ClientGateway(make_client()).lookup(EXAMPLES["deceased"])
    assert answer.kind is OutcomeKind.DECEASED
    assert "Do not issue the document" in answer.guidance


@pytest.mark.parametrize(("fault", "reached"), [(Fault.TIMEOUT, True), (Fault.HTTP_500, True)])
def test_transport_failures_become_port_errors(
    make_client: ClientFactory, simulator: GatewaySimulator, fault: Fault, reached: bool
) -> None:
    simulator.faults.inject(fault)
    with pytest.raises(GatewayTransportError) as caught:
        ClientGateway(make_client()).lookup(EXAMPLES["found"])
    assert caught.value.may_have_reached is reached
    assert "quota" in caught.value.detail
