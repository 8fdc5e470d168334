"""Hypothesis fuzzing: no payload makes classification, filtering or the client raise."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.resource_files import resources_dir
from app.services.dukcapil import (
    DukcapilClient,
    OutcomeKind,
    TransportError,
    classify_response,
    load_profiles,
)
from app.services.dukcapil.classify import CODE_KEYS, MESSAGE_KEYS
from app.services.dukcapil.client import _decode
from app.services.simulator.wire import TEXTS
from tests.services.conftest import demo_credentials, plain_config

NIK = "3303010310730001"
PROFILES = load_profiles(resources_dir())
KEYS = [
    *CODE_KEYS,
    *MESSAGE_KEYS,
    "NIK",
    "NO_KK",
    "NAMA_LGKP",
    "TGL_LHR",
    "NO_RT",
    "NO_RW",
    "NO_KEC",
    "ALAMAT",
    "quotaLimiter",
    "content",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from([t for pair in TEXTS.values() for t in pair]),
    st.sampled_from(["Sesuai", "Tidak Sesuai (12)", "Sesuai (999)", "5", "13", " 05 ", NIK]),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=20,
)
answers = st.dictionaries(keys, values, max_size=10)
payloads = st.one_of(
    answers,
    answers.map(lambda a: {"content": [a], "quotaLimiter": 3}),
    st.builds(lambda c, q: {"content": c, "quotaLimiter": q}, values, values),
)


@settings(max_examples=250, deadline=None)
@given(payloads)
def test_classify_never_raises(payload: dict[str, Any]) -> None:
    outcome = classify_response(payload)
    assert isinstance(outcome.kind, OutcomeKind)
    assert outcome.code is None or len(outcome.code) <= 12
    assert outcome.quota_left is None or outcome.quota_left >= 0
    assert (outcome.record is not None) == (outcome.kind is OutcomeKind.FOUND)
    assert (outcome.verdicts is not None) == (outcome.kind is OutcomeKind.VERIFIED)


@settings(max_examples=150, deadline=None)
@given(answers)
def test_filter_never_raises_and_keeps_only_permitted(raw: dict[str, Any]) -> None:
    for profile in PROFILES.values():
        record = profile.filter_record({str(k).upper(): v for k, v in raw.items()})
        assert set(record) <= profile.permitted_keys
        for value in record.values():
            assert not isinstance(value, float | Decimal)


class Replay(httpx.BaseTransport):
    def __init__(self) -> None:
        self.body = b""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=self.body, request=request)


REPLAY = Replay()
CLIENT = DukcapilClient(
    plain_config(), demo_credentials(), PROFILES["purbalingga-8"], transport=REPLAY
)
VERIFIER = DukcapilClient(
    plain_config(), demo_credentials(), PROFILES["verify-only"], transport=REPLAY
)


def _encode(payload: Any) -> bytes:
    return json.dumps(payload, default=str).encode()


bodies = st.one_of(
    st.binary(max_size=200),
    payloads.map(_encode),
    st.dictionaries(keys, values, max_size=8).map(lambda a: _encode({"content": [a]})),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(bodies)
def test_client_gives_a_result_or_a_transport_error(body: bytes) -> None:
    REPLAY.body = body
    for call in (
        lambda: CLIENT.lookup(NIK),
        lambda: VERIFIER.verify(NIK, {"NAMA_LGKP": "WARGA CONTOH"}),
    ):
        try:
            result = call()
        except TransportError:
            continue
        assert isinstance(result.kind, OutcomeKind)
        record = getattr(result, "record", None)
        if record is not None:
            assert record["NIK"] == NIK
            assert set(record) <= PROFILES["purbalingga-8"].permitted_keys


# ---------------------------------------------------------------- issue 11: huge numbers
NUMBER_KEYS = ["quotaLimiter", "QUOTALIMITER", *CODE_KEYS, "NIK", "NO_KK", "NO_RT", "NO_KEC"]
huge_numbers = st.builds(
    lambda sign, mantissa, exponent: f"{sign}{mantissa}E{exponent:+d}",
    st.sampled_from(["", "-"]),
    st.sampled_from(["1", "9.99", "123456789012345678901234567890"]),
    st.one_of(
        st.integers(min_value=15, max_value=10**6),
        st.integers(min_value=-(10**6), max_value=-15),
        st.sampled_from([10**6, 999_999, 100_000]),
    ),
)


@settings(max_examples=120, deadline=timedelta(seconds=5))
@given(st.sampled_from(NUMBER_KEYS), huge_numbers, st.booleans())
def test_huge_numbers_in_an_answer_are_refused_quickly(key: str, number: str, inside: bool) -> None:
    """`{"content":[...],"quotaLimiter":1E+1000000}` once hung the client for minutes."""
    answer = f'{{"RESPONSE_CODE":"13","NIK":"{NIK}","NAMA_LGKP":"WARGA CONTOH"'
    if inside:
        body = f'{{"content":[{answer},"{key}":{number}}}]}}'
    else:
        body = f'{{"content":[{answer}}}],"{key}":{number}}}'
    outcome = classify_response(_decode(body.encode()))
    assert outcome.quota_left is None or 0 <= outcome.quota_left < 10**18
    assert outcome.code is None or len(outcome.code) <= 12
    if outcome.record is not None:
        for profile in PROFILES.values():
            profile.filter_record(dict(outcome.record))


def test_the_reported_answer_is_classified_without_a_quota() -> None:
    body = b'{"content":[{"RESPONSE_CODE":"13"}],"quotaLimiter":1E+1000000}'
    outcome = classify_response(_decode(body))
    assert outcome.quota_left is None
