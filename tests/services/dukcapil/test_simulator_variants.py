"""The app's client and classifier read every answer variant the simulator can emit."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest

from app.services.dukcapil import OutcomeKind
from app.services.dukcapil.classify import classify_response
from app.services.simulator import (
    DIALECTS,
    GatewaySimulator,
    SimulatorAccount,
    SimulatorConfig,
    build_population,
)
from app.services.simulator.population import wire_record
from app.services.simulator.wire import SERVICES, TEXTS, envelope, error_content
from tests.services.conftest import ClientFactory, demo_credentials

K = OutcomeKind
EXAMPLES = build_population().examples()
IMPOSSIBLE_BIRTH_DATE = "3303013299990001"

# what each gateway code means, written from the protocol table (not from the classifier)
MEANING = {
    "03": K.LOGIN_FAILED,
    "04": K.IP_REJECTED,
    "05": K.QUOTA_EXHAUSTED,
    "06": K.ACCESS_TIME,
    "07": K.BAD_REQUEST,
    "08": K.BAD_REQUEST,
    "09": K.LOGIN_FAILED,
    "10": K.IP_REJECTED,
    "11": K.DECEASED,
    "12": K.DUPLICATE,
    "13": K.NOT_FOUND,
    "14": K.INACTIVE,
    "15": K.INVALID_FORMAT,
    "16": K.INSTITUTION_INACTIVE,
    "17": K.USER_INACTIVE,
}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("code", sorted(MEANING))
def test_every_error_answer_is_classified(service: str, dialect: str, code: str) -> None:
    body = envelope(error_content(code, service, DIALECTS[dialect]), 7, DIALECTS[dialect])
    outcome = classify_response(json.loads(body))
    assert outcome.kind is MEANING[code]
    assert outcome.quota_left == (7 if DIALECTS[dialect].quota_limiter else None)


@pytest.mark.parametrize("code", sorted(MEANING))
@pytest.mark.parametrize("key", ["RESPON", "RESPONSE", "RESPONSE_DESC"])
def test_every_text_alone_is_classified(code: str, key: str) -> None:
    for text in TEXTS[code]:
        assert classify_response({"content": [{key: text}]}).kind is MEANING[code], text


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("deceased", K.DECEASED),
        ("duplicate", K.DUPLICATE),
        ("inactive", K.INACTIVE),
        ("not_found", K.NOT_FOUND),
        ("invalid_format", K.INVALID_FORMAT),
        ("found", K.VERIFIED),
    ],
)
def test_verify_outcomes_in_every_dialect(
    make_client: ClientFactory, simulator: GatewaySimulator, dialect: str, example: str, kind: K
) -> None:
    simulator.config = replace(simulator.config, verify_dialect=dialect)
    result = make_client("verify-only").verify(EXAMPLES[example], {"NAMA_LGKP": "WARGA CONTOH"})
    assert result.kind is kind
    assert bool(result.verdicts) == (kind is K.VERIFIED)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_impossible_birth_date_is_not_found(
    make_client: ClientFactory, simulator: GatewaySimulator, dialect: str
) -> None:
    simulator.config = simulator.config.with_dialect(dialect)
    assert make_client().lookup(IMPOSSIBLE_BIRTH_DATE).kind is K.NOT_FOUND
    verify = make_client("verify-only").verify(IMPOSSIBLE_BIRTH_DATE, {"NAMA_LGKP": "X"})
    assert verify.kind is K.NOT_FOUND


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize(
    ("setup", "kind"),
    [
        ({"daily_quota": 0}, K.QUOTA_EXHAUSTED),
        ({"access_hours": (8, 9)}, K.ACCESS_TIME),
        ({"account": SimulatorAccount(user_active=False)}, K.USER_INACTIVE),
        ({"account": SimulatorAccount(institution_active=False)}, K.INSTITUTION_INACTIVE),
        ({"account": SimulatorAccount(password="other")}, K.LOGIN_FAILED),
        ({"account": SimulatorAccount(ip_user="10.0.0.1"), "ip_policy": "exact"}, K.IP_REJECTED),
    ],
)
def test_access_answers_in_every_dialect(
    make_client: ClientFactory, dialect: str, setup: dict[str, object], kind: K
) -> None:
    config = replace(SimulatorConfig().with_dialect(dialect), **setup)  # type: ignore[arg-type]
    evening = GatewaySimulator(config, mode="test", clock=lambda: datetime(2026, 3, 2, 20, 0))
    transport = evening.transport()
    assert make_client(transport=transport).lookup(EXAMPLES["found"]).kind is kind
    verify = make_client("verify-only", transport=transport).verify(
        EXAMPLES["found"], {"NAMA_LGKP": "X"}
    )
    assert verify.kind is kind


@pytest.mark.parametrize(("policy", "kind"), [("absent-allowed", K.FOUND), ("any", K.LOGIN_FAILED)])
def test_client_without_a_registered_ip(
    make_client: ClientFactory, simulator: GatewaySimulator, policy: str, kind: K
) -> None:
    simulator.config = replace(simulator.config, ip_policy=policy)
    result = make_client(credentials=demo_credentials(ip_user="")).lookup(EXAMPLES["found"])
    assert result.kind is kind


def test_client_on_the_portal_layout_with_method_aliases(make_client: ClientFactory) -> None:
    account = SimulatorAccount()
    options = {
        "layout": "regional",
        "region_code": account.region_code,
        "instansi": account.instansi,
        "lookup_method": "GET_NIK",
        "verify_method": "koneksitas_verifby_elemen",
    }
    assert make_client(**options).lookup(EXAMPLES["found"]).kind is K.FOUND
    person = build_population().get(EXAMPLES["found"])
    assert person is not None
    verified = make_client("verify-only", **options).verify(person.nik, {"NAMA_LGKP": person.name})
    assert verified.kind is K.VERIFIED


def test_records_with_every_ektp_status_are_found() -> None:
    seen: set[object] = set()
    for person in build_population().people()[:400]:
        record = wire_record(person)
        if record["EKTP_STATUS"] in seen:
            continue
        seen.add(record["EKTP_STATUS"])
        outcome = classify_response({"content": [record]})
        assert outcome.kind is K.FOUND
        assert outcome.record is not None
        assert outcome.record["EKTP_STATUS"] == record["EKTP_STATUS"]
    assert seen == {"SUDAH REKAM", "BELUM REKAM", "TUNGGAL"}
