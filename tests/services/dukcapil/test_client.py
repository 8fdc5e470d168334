"""DukcapilClient against the in-process simulator."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

import httpx
import pytest

from app.services.dukcapil import (
    GatewayConfigError,
    NotPermittedError,
    OutcomeKind,
    PermittedRecord,
    QueryBlock,
    TransportError,
    TransportFailure,
    Verdict,
)
from app.services.simulator import (
    DIALECTS,
    Fault,
    GatewaySimulator,
    SimulatorAccount,
    SimulatorConfig,
    build_population,
)
from app.services.simulator.population import wire_record
from tests.services.conftest import ClientFactory, demo_credentials, plain_config

K = OutcomeKind
EXAMPLES = build_population().examples()
PURBALINGGA_KEYS = {
    "NIK",
    "NAMA_LGKP",
    "JENIS_KLMIN",
    "TMPT_LHR",
    "TGL_LHR",
    "STATUS_KAWIN",
    "JENIS_PKRJN",
    "ALAMAT",
    "PROP_NAME",
    "KAB_NAME",
    "NO_KEC",
    "KEC_NAME",
    "KEL_NAME",
    "NO_RT",
    "NO_RW",
}


def test_lookup_found_is_filtered_and_normalised(make_client: ClientFactory) -> None:
    nik = EXAMPLES["found"]
    person = build_population().get(nik)
    assert person is not None
    result = make_client().lookup(nik)
    assert result.kind is K.FOUND
    assert result.quota_left == 199
    record = result.record
    assert isinstance(record, PermittedRecord)
    assert set(record) <= PURBALINGGA_KEYS
    assert {"NIK", "NAMA_LGKP", "TGL_LHR", "NO_RT", "NO_RW", "NO_KEC"} <= set(record)
    assert record["NIK"] == nik
    assert record["NAMA_LGKP"] == person.name
    assert record["TGL_LHR"] == person.birth_date
    assert record["NO_RT"] == f"{person.rt:03d}"
    assert record["NO_KEC"] == person.region.code[4:]
    assert all(not isinstance(v, str) or v == v.strip() for v in record.values())
    assert result.guidance.block is QueryBlock.NONE
    assert "WARGA" not in repr(result)


def test_nine_element_profile_adds_no_kk(make_client: ClientFactory) -> None:
    nik = EXAMPLES["found"]
    result = make_client("nine-elements-kk").lookup(nik)
    assert result.record is not None
    no_kk = result.record["NO_KK"]
    assert isinstance(no_kk, str)
    assert len(no_kk) == 16
    assert no_kk == build_population().get(nik).no_kk  # type: ignore[union-attr]
    assert "AGAMA" not in result.record


def test_record_wipe(make_client: ClientFactory) -> None:
    record = make_client().lookup(EXAMPLES["found"]).record
    assert record is not None
    record.wipe()
    assert record.wiped
    assert len(record) == 0


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("deceased", K.DECEASED),
        ("duplicate", K.DUPLICATE),
        ("inactive", K.INACTIVE),
        ("not_found", K.NOT_FOUND),
        ("invalid_format", K.INVALID_FORMAT),
        ("found", K.FOUND),
    ],
)
def test_every_outcome_in_every_dialect(
    make_client: ClientFactory, simulator: GatewaySimulator, dialect: str, example: str, kind: K
) -> None:
    simulator.config = simulator.config.with_dialect(dialect)
    result = make_client().lookup(EXAMPLES[example])
    assert result.kind is kind
    assert (result.record is not None) == (kind is K.FOUND)
    if DIALECTS[dialect].quota_limiter:
        assert result.quota_left == 199
    else:
        assert result.quota_left is None


@pytest.mark.parametrize(
    ("changes", "kind"),
    [
        ({"password": "wrong"}, K.LOGIN_FAILED),
        ({"user_id": "SOMEONE"}, K.LOGIN_FAILED),
        ({"password": ""}, K.LOGIN_FAILED),
        ({"ip_user": "10.10.0.99"}, K.IP_REJECTED),
    ],
)
def test_access_problems_block_until_reset(
    make_client: ClientFactory, simulator: GatewaySimulator, changes: dict[str, str], kind: K
) -> None:
    simulator.config = replace(simulator.config, ip_policy="exact")
    result = make_client(credentials=demo_credentials(**changes)).lookup(EXAMPLES["found"])
    assert result.kind is kind
    assert result.record is None
    assert result.guidance.block is QueryBlock.UNTIL_RESET


@pytest.mark.parametrize(
    ("account", "kind"),
    [
        (SimulatorAccount(institution_active=False), K.INSTITUTION_INACTIVE),
        (SimulatorAccount(user_active=False), K.USER_INACTIVE),
    ],
)
def test_inactive_account(make_client: ClientFactory, account: SimulatorAccount, kind: K) -> None:
    simulator = GatewaySimulator(SimulatorConfig(account=account), mode="test")
    result = make_client(transport=simulator.transport()).lookup(EXAMPLES["found"])
    assert result.kind is kind
    assert result.guidance.block is QueryBlock.UNTIL_RESET


def test_access_hours(make_client: ClientFactory) -> None:
    simulator = GatewaySimulator(
        SimulatorConfig(access_hours=(8, 16)),
        mode="test",
        clock=lambda: datetime(2025, 3, 3, 20, 0),
    )
    result = make_client(transport=simulator.transport()).lookup(EXAMPLES["found"])
    assert result.kind is K.ACCESS_TIME


def test_daily_quota_counts_every_hit_and_resets_next_day(make_client: ClientFactory) -> None:
    today = [datetime(2025, 3, 3, 9, 0)]
    simulator = GatewaySimulator(
        SimulatorConfig(daily_quota=2), mode="test", clock=lambda: today[0]
    )
    client = make_client(transport=simulator.transport())
    assert client.lookup(EXAMPLES["not_found"]).quota_left == 1
    assert client.lookup(EXAMPLES["found"]).quota_left == 0
    refused = client.lookup(EXAMPLES["found"])
    assert refused.kind is K.QUOTA_EXHAUSTED
    assert refused.quota_left == 0
    assert refused.guidance.block is QueryBlock.UNTIL_TOMORROW
    today[0] += timedelta(days=1)
    assert client.lookup(EXAMPLES["found"]).kind is K.FOUND


@pytest.mark.parametrize(
    ("style", "keys"),
    [
        ("default", ("IP_USER", "NIK", "PASSWORD", "USER_ID")),
        ("upper", ("IP_USER", "NIK", "PASSWORD", "USER_ID")),
        ("lower", ("IP_USER", "NIK", "PASSWORD", "USER_ID")),
    ],
)
def test_key_styles(
    make_client: ClientFactory, simulator: GatewaySimulator, style: str, keys: tuple[str, ...]
) -> None:
    bodies: list[dict[str, str]] = []
    inner = simulator.transport()

    class Spy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            bodies.append(json.loads(request.read()))
            return inner.handle_request(request)

    result = make_client(transport=Spy(), key_style=style).lookup(EXAMPLES["found"])
    assert result.kind is K.FOUND
    assert simulator.queries[-1].body_keys == keys
    expected = {
        "default": {"nik", "user_id", "password", "IP_USER"},
        "upper": {"NIK", "USER_ID", "PASSWORD", "IP_USER"},
        "lower": {"nik", "user_id", "password", "ip_user"},
    }[style]
    assert set(bodies[0]) == expected


def test_regional_layout_and_lower_case_method(make_client: ClientFactory) -> None:
    account = SimulatorConfig().account
    client = make_client(
        layout="regional",
        region_code=account.region_code,
        instansi=account.instansi,
        lookup_method="call_nik",
    )
    assert client.lookup(EXAMPLES["found"]).kind is K.FOUND


def test_wrong_consumer_id_is_a_transport_failure(make_client: ClientFactory) -> None:
    with pytest.raises(TransportError) as caught:
        make_client(consumer_id="OTHER").lookup(EXAMPLES["found"])
    assert caught.value.failure is TransportFailure.HTTP_STATUS
    assert caught.value.status == 404


def test_lookup_accepts_an_object_with_value(make_client: ClientFactory) -> None:
    class FakeNik:
        value = EXAMPLES["found"]

    assert make_client().lookup(FakeNik()).kind is K.FOUND


@pytest.mark.parametrize("bad", ["123", "33030103107300O1", ""])
def test_lookup_rejects_malformed_nik_without_a_query(
    make_client: ClientFactory, simulator: GatewaySimulator, bad: str
) -> None:
    with pytest.raises(ValueError):
        make_client().lookup(bad)
    assert simulator.received == 0


# -- verify by element -------------------------------------------------------------------


def test_verify_by_element(make_client: ClientFactory) -> None:
    nik = EXAMPLES["found"]
    person = build_population().get(nik)
    assert person is not None
    result = make_client("verify-only").verify(
        nik,
        {
            "NAMA_LGKP": person.name.lower(),
            "TGL_LHR": person.birth_date,
            "JENIS_KLMIN": person.sex,
            "TMPT_LHR": "KOTA LAIN SEKALI",
            "STATUS_KAWIN": "CERAI HIDUP",
        },
    )
    assert result.kind is K.VERIFIED
    verdicts = result.verdicts
    assert verdicts["NAMA_LGKP"] == Verdict(True, 100)
    assert verdicts["TGL_LHR"] == Verdict(True, 100)
    assert verdicts["JENIS_KLMIN"] == Verdict(True, 100)
    assert verdicts["TMPT_LHR"].matches is False
    assert 0 <= verdicts["TMPT_LHR"].score < 90
    assert verdicts["STATUS_KAWIN"] == Verdict(False, 0)
    assert set(verdicts) == {
        "NIK",
        "NAMA_LGKP",
        "TGL_LHR",
        "JENIS_KLMIN",
        "TMPT_LHR",
        "STATUS_KAWIN",
    }


def test_verify_sends_threshold_and_dates_as_dd_mm_yyyy(
    make_client: ClientFactory, simulator: GatewaySimulator
) -> None:
    sent: list[dict[str, str]] = []
    inner = simulator.transport()

    class Spy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(json.loads(request.read()))
            return inner.handle_request(request)

    client = make_client("verify-only", transport=Spy())
    client.verify(EXAMPLES["found"], {"TGL_LHR": date(1990, 3, 12)}, threshold=75)
    assert sent[0]["TRESHOLD"] == "75"
    assert sent[0]["TGL_LHR"] == "12-03-1990"
    assert {"NIK", "USER_ID", "PASSWORD", "IP_USER"} <= set(sent[0])


def test_verify_fuzzy_score_against_threshold(make_client: ClientFactory) -> None:
    nik = EXAMPLES["found"]
    person = build_population().get(nik)
    assert person is not None
    typo = person.name[:-1] + "X"
    client = make_client("verify-only")
    strict = client.verify(nik, {"NAMA_LGKP": typo}, threshold=100).verdicts["NAMA_LGKP"]
    lenient = client.verify(nik, {"NAMA_LGKP": typo}, threshold=50).verdicts["NAMA_LGKP"]
    assert strict.matches is False
    assert lenient.matches is True
    assert strict.score == lenient.score
    assert 50 <= strict.score < 100


def test_verify_error_answers(make_client: ClientFactory) -> None:
    result = make_client("verify-only").verify(EXAMPLES["deceased"], {"NAMA_LGKP": "X"})
    assert result.kind is K.DECEASED
    assert result.verdicts == {}


def test_profile_permissions(make_client: ClientFactory, simulator: GatewaySimulator) -> None:
    with pytest.raises(NotPermittedError):
        make_client("verify-only").lookup(EXAMPLES["found"])
    with pytest.raises(NotPermittedError):
        make_client("purbalingga-8").verify(EXAMPLES["found"], {"NAMA_LGKP": "X"})
    with pytest.raises(NotPermittedError):
        make_client("verify-only").verify(EXAMPLES["found"], {"AGAMA": "ISLAM"})
    assert simulator.received == 0


# -- transport failures: one request, never retried once sent ---------------------------


@pytest.mark.parametrize(
    ("fault", "failure"),
    [
        (Fault.HTTP_500, TransportFailure.HTTP_STATUS),
        (Fault.NON_JSON, TransportFailure.NOT_JSON),
        (Fault.TRUNCATED, TransportFailure.PROTOCOL),
        (Fault.TIMEOUT, TransportFailure.TIMEOUT),
        (Fault.RESET, TransportFailure.PROTOCOL),
    ],
)
def test_faults_are_transport_errors_and_never_retried(
    make_client: ClientFactory, simulator: GatewaySimulator, fault: Fault, failure: TransportFailure
) -> None:
    simulator.faults.inject(fault)
    with pytest.raises(TransportError) as caught:
        make_client().lookup(EXAMPLES["found"])
    assert caught.value.failure is failure
    assert caught.value.failure.query_sent
    assert simulator.received == 1
    assert "172.16" not in str(caught.value)


class FlakyConnect(httpx.BaseTransport):
    """Fails to connect ``failures`` times, then hands over to ``inner``."""

    def __init__(self, inner: httpx.BaseTransport, failures: int) -> None:
        self.inner = inner
        self.failures = failures
        self.attempts = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise httpx.ConnectError("connection refused", request=request)
        return self.inner.handle_request(request)


def test_connect_failure_is_retried_once(
    make_client: ClientFactory, simulator: GatewaySimulator
) -> None:
    flaky = FlakyConnect(simulator.transport(), failures=1)
    assert make_client(transport=flaky).lookup(EXAMPLES["found"]).kind is K.FOUND
    assert flaky.attempts == 2
    assert simulator.received == 1


def test_connect_failure_twice_gives_up(
    make_client: ClientFactory, simulator: GatewaySimulator
) -> None:
    flaky = FlakyConnect(simulator.transport(), failures=5)
    with pytest.raises(TransportError) as caught:
        make_client(transport=flaky).lookup(EXAMPLES["found"])
    assert caught.value.failure is TransportFailure.CONNECT
    assert not caught.value.failure.query_sent
    assert flaky.attempts == 2
    assert simulator.received == 0


class Canned(httpx.BaseTransport):
    """Answers every request with the same body."""

    def __init__(self, body: bytes, status: int = 200) -> None:
        self.body = body
        self.status = status

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, content=self.body, request=request)


def test_oversized_answer(make_client: ClientFactory) -> None:
    with pytest.raises(TransportError) as caught:
        make_client(max_response_bytes=100).lookup(EXAMPLES["found"])
    assert caught.value.failure is TransportFailure.TOO_LARGE


def test_record_for_another_nik_is_dropped(make_client: ClientFactory) -> None:
    other = build_population().people()[5]
    body = json.dumps({"content": [wire_record(other)]}).encode()
    result = make_client(transport=Canned(body)).lookup(EXAMPLES["found"])
    assert result.kind is K.UNKNOWN
    assert result.record is None


def test_nik_as_string_on_relays(make_client: ClientFactory) -> None:
    person = build_population().get(EXAMPLES["found"])
    assert person is not None
    record = wire_record(person) | {"NIK": person.nik, "NO_RT": str(person.rt)}
    body = json.dumps({"content": [record]}).encode()
    result = make_client(transport=Canned(body)).lookup(person.nik)
    assert result.kind is K.FOUND
    assert result.record is not None
    assert result.record["NO_RT"] == f"{person.rt:03d}"


def test_nik_never_passes_through_float(make_client: ClientFactory) -> None:
    nik = EXAMPLES["found"]
    person = build_population().get(nik)
    assert person is not None
    text = json.dumps({"content": [wire_record(person)]}).replace(
        f'"NIK": {nik}', f'"NIK": {nik}.0'
    )
    result = make_client(transport=Canned(text.encode())).lookup(nik)
    assert result.kind is K.FOUND
    assert result.record is not None
    assert result.record["NIK"] == nik


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"\xff\xfe", b'{"a": NaN}', b"[1", b'"text"', b"1" * 5000]
)
def test_unreadable_bodies(make_client: ClientFactory, body: bytes) -> None:
    with pytest.raises(TransportError) as caught:
        make_client(transport=Canned(body)).lookup(EXAMPLES["found"])
    assert caught.value.failure is TransportFailure.NOT_JSON


def test_unknown_answer_shows_the_code(make_client: ClientFactory) -> None:
    body = json.dumps({"content": [{"RESPONSE_CODE": "42", "RESPONSE": "Baru"}]}).encode()
    result = make_client(transport=Canned(body)).lookup(EXAMPLES["found"])
    assert result.kind is K.UNKNOWN
    assert result.code == "42"
    assert "42" in result.guidance.title


def test_logs_hold_no_nik_url_or_field(
    make_client: ClientFactory, simulator: GatewaySimulator, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("httpx", "httpcore"):  # as configure_logging holds them
        caplog.set_level(logging.WARNING, logger=name)
    caplog.set_level(logging.DEBUG)  # last: it also sets the capture handler's level
    nik = EXAMPLES["found"]
    person = build_population().get(nik)
    assert person is not None
    client = make_client()
    client.lookup(nik)
    simulator.faults.inject(Fault.TIMEOUT)
    with pytest.raises(TransportError):
        client.lookup(nik)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "FOUND" in text
    assert nik not in text
    assert nik[:4] + "••••••••" + nik[-4:] in text
    for secret in ("172.16.160.177", "DEMO01", person.name, "demo-password"):
        assert secret not in text


def test_config_refuses_unsafe_or_incomplete_settings() -> None:
    with pytest.raises(GatewayConfigError):
        plain_config(allow_plain_http=False)
    with pytest.raises(GatewayConfigError):
        plain_config(base_url="https://172.16.160.177:8000")  # no imported certificate
    with pytest.raises(GatewayConfigError):
        plain_config(consumer_id="")
    with pytest.raises(GatewayConfigError):
        plain_config(layout="regional")
    with pytest.raises(GatewayConfigError):
        plain_config(base_url="ftp://172.16.160.177")
    assert "172.16" not in repr(plain_config())
    assert "demo-password" not in repr(demo_credentials())


def test_plain_http_is_reported(make_client: ClientFactory) -> None:
    assert make_client().is_plain_http
