"""The simulator itself: population, wire format, dialects, data balikan, mode guard."""

from __future__ import annotations

import csv
import json
from typing import Any

import httpx
import pytest

from app.domain.nik import NikError, parse_nik
from app.domain.resource_files import resource_path
from app.services.simulator import (
    DIALECTS,
    GatewaySimulator,
    SimulatorConfig,
    SimulatorRefusedError,
    build_population,
    start_simulator,
)
from app.services.simulator.cli import run_simulator_cli
from app.services.simulator.population import Status, wire_record

ACCOUNT = SimulatorConfig().account
LOOKUP = f"/dukcapil/get_json/{ACCOUNT.consumer_id}/CALL_NIK"
CREDENTIALS = {"user_id": ACCOUNT.user_id, "password": ACCOUNT.password, "IP_USER": ACCOUNT.ip_user}
BALIKAN = SimulatorConfig().balikan
AUTH = {"Authorization": f"Bearer {BALIKAN.token}"}


def client_for(simulator: GatewaySimulator) -> httpx.Client:
    return httpx.Client(transport=simulator.transport(), base_url="http://gateway.test")


def lookup_body(simulator: GatewaySimulator, nik: str) -> dict[str, Any]:
    with client_for(simulator) as http:
        response = http.post(LOOKUP, json={"nik": nik, **CREDENTIALS})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


# -- population ---------------------------------------------------------------------------


def test_population_is_deterministic_and_valid() -> None:
    population = build_population()
    again = build_population.__wrapped__()
    assert [p.nik for p in population.people()] == [p.nik for p in again.people()]
    other = build_population.__wrapped__(seed=1, size=500)
    assert len(other) == 500
    assert {p.nik for p in other.people()} != {p.nik for p in population.people()}
    assert 2000 <= len(population) <= 10000
    with resource_path("kode_wilayah.csv").open(encoding="utf-8") as handle:
        kecamatan = {row["kode"] for row in csv.DictReader(handle) if len(row["kode"]) == 6}
    for person in population.people():
        assert parse_nik(person.nik).value == person.nik
        assert person.nik[:6] in kecamatan
        assert person.name.startswith("WARGA CONTOH ")
    statuses = {p.status for p in population.people()}
    assert statuses == set(Status)


def test_examples_cover_every_outcome() -> None:
    population = build_population()
    examples = population.examples()
    assert set(examples) == {
        "found",
        "deceased",
        "duplicate",
        "inactive",
        "not_found",
        "invalid_format",
    }
    assert population.get(examples["not_found"]) is None
    assert parse_nik(examples["not_found"])
    with pytest.raises(NikError):
        parse_nik(examples["invalid_format"])


def test_wire_record_is_faithful() -> None:
    people = build_population().people()
    records = [wire_record(p) for p in people[:200]]
    first = records[0]
    assert len(first) >= 36
    assert isinstance(first["NIK"], int)
    assert isinstance(first["NO_KK"], int)
    assert isinstance(first["NO_RT"], int)
    assert isinstance(first["NO_KEC"], int)
    assert first["NO_AKTA_KWN"] is None
    assert any(isinstance(r["NAMA_LGKP"], str) and r["NAMA_LGKP"].endswith(" ") for r in records)
    assert any(r["NO_RT"] < 10 for r in records)  # type: ignore[operator]


# -- gateway answers ----------------------------------------------------------------------


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_dialects(dialect: str) -> None:
    simulator = GatewaySimulator(SimulatorConfig().with_dialect(dialect), mode="test")
    body = lookup_body(simulator, build_population().examples()["not_found"])
    content = body["content"][0]
    spec = DIALECTS[dialect]
    assert ("RESPONSE_CODE" in content) == spec.codes
    if spec.codes:
        assert content["RESPONSE_CODE"] == "13"
    for key in spec.message_keys:
        assert content[key].startswith("Data Tidak Ditemukan")
    assert ("quotaLimiter" in body) == spec.quota_limiter


def test_unpadded_codes() -> None:
    config = SimulatorConfig(daily_quota=0).with_dialect("unpadded")
    simulator = GatewaySimulator(config, mode="test")
    body = lookup_body(simulator, build_population().examples()["found"])
    assert body["content"][0]["RESPONSE_CODE"] == "5"


def test_found_record_is_the_full_wire_record() -> None:
    simulator = GatewaySimulator(mode="test")
    nik = build_population().examples()["found"]
    body = lookup_body(simulator, nik)
    assert body["content"][0]["NIK"] == int(nik)
    assert len(body["content"][0]) >= 36
    assert body["quotaLimiter"] == 199


def test_wsgi_app() -> None:
    simulator = GatewaySimulator(mode="test")
    nik = build_population().examples()["found"]
    with httpx.Client(
        transport=httpx.WSGITransport(app=simulator), base_url="http://gateway.test"
    ) as http:
        response = http.post(LOOKUP, json={"nik": nik, **CREDENTIALS})
    assert response.json()["content"][0]["NIK"] == int(nik)


def test_unknown_method_and_bad_body() -> None:
    simulator = GatewaySimulator(mode="test")
    with client_for(simulator) as http:
        assert http.post(LOOKUP.replace("CALL_NIK", "CALL_OTHER"), json={}).status_code == 404
        assert http.get(LOOKUP).status_code == 404
        answer = http.post(LOOKUP, content=b"not json").json()
    assert answer["content"][0]["RESPONSE_CODE"] == "09"


def test_missing_nik_and_unprocessable_nik() -> None:
    simulator = GatewaySimulator(mode="test")
    with client_for(simulator) as http:
        missing = http.post(LOOKUP, json=CREDENTIALS).json()
        junk = http.post(LOOKUP, json={"nik": "12AB", **CREDENTIALS}).json()
    assert missing["content"][0]["RESPONSE_CODE"] == "07"
    assert junk["content"][0]["RESPONSE_CODE"] == "08"


# -- data balikan -------------------------------------------------------------------------


def test_balikan_form_shape_and_duplicate() -> None:
    simulator = GatewaySimulator(mode="test")
    form = {
        "nik": "3303010310730001",
        "id_lembaga": BALIKAN.id_lembaga,
        "nama_lembaga": "BAPPELITBANGDA CONTOH",
        "param": json.dumps([{"NO_PENERIMA": "PKH-001", "JENIS_PROGRAM": "PKH"}]),
    }
    with client_for(simulator) as http:
        first = http.post(f"{BALIKAN.prefix}/api/store", data=form, headers=AUTH)
        again = http.post(f"{BALIKAN.prefix}/api/store", data=form, headers=AUTH)
    assert (first.status_code, first.json()) == (200, {"message": "Success"})
    assert (again.status_code, again.json()) == (400, {"message": "Data sudah pernah dikirim"})
    assert [d.duplicate for d in simulator.balikan] == [False, True]
    delivery = simulator.balikan[0]
    assert delivery.shape == "form"
    assert delivery.nik == form["nik"]
    assert delivery.params == ({"NO_PENERIMA": "PKH-001", "JENIS_PROGRAM": "PKH"},)


def test_balikan_batch_shape() -> None:
    simulator = GatewaySimulator(mode="test")
    batch = [
        {
            "id_lembaga": BALIKAN.id_lembaga,
            "nama_lembaga": "BAPPELITBANGDA CONTOH",
            "data": [
                {"NIK": "3303010310730001", "param": [{"JENIS_PROGRAM": "PKH"}]},
                {"NIK": "3303010310730002", "param": [{"JENIS_PROGRAM": "PBI"}]},
            ],
        }
    ]
    with client_for(simulator) as http:
        response = http.post(f"{BALIKAN.prefix}/api/store", json=batch, headers=AUTH)
    assert response.json() == {"message": "Success"}
    assert [(d.shape, d.nik) for d in simulator.balikan] == [
        ("batch", "3303010310730001"),
        ("batch", "3303010310730002"),
    ]


def test_balikan_needs_bearer_token_and_valid_body() -> None:
    simulator = GatewaySimulator(mode="test")
    with client_for(simulator) as http:
        unauthorised = http.post(f"{BALIKAN.prefix}/api/store", json=[])
        wrong = http.post(
            f"{BALIKAN.prefix}/api/store", json=[], headers={"Authorization": "Bearer nope"}
        )
        malformed = http.post(f"{BALIKAN.prefix}/api/store", json=[{"x": 1}], headers=AUTH)
        params = http.get(f"{BALIKAN.prefix}/api/getparam_bylembaga", headers=AUTH)
    assert unauthorised.status_code == 401
    assert wrong.status_code == 401
    assert malformed.status_code == 422
    assert params.json()["param"] == list(BALIKAN.params)
    assert simulator.balikan == []


# -- mode guard ---------------------------------------------------------------------------


def test_refuses_production() -> None:
    with pytest.raises(SimulatorRefusedError):
        GatewaySimulator(mode="production")
    with pytest.raises(SimulatorRefusedError):
        start_simulator(mode="production")
    with pytest.raises(SimulatorRefusedError):
        GatewaySimulator(mode="")


def test_cli_refuses_production_and_unset_mode(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_simulator_cli(["--port", "0"], mode="production") == 2
    assert run_simulator_cli(["--port", "0", "--mode", "production"]) == 2
    assert run_simulator_cli(["--port", "0"]) == 2
    assert "does not run" in capsys.readouterr().err
