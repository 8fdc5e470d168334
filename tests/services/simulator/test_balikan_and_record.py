"""Data balikan layouts and body encodings; the record directory and its duplicate memory."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.services.simulator import (
    Fault,
    GatewaySimulator,
    RecordKey,
    SimulatorConfig,
    build_population,
    summarise_records,
)
from app.services.simulator.balikan import BalikanSetup

BALIKAN = BalikanSetup()
AUTH = {"Authorization": f"Bearer {BALIKAN.token}"}
NIK_A = "3303010310730001"
NIK_B = "3303010310730002"
PARAM = [{"NO_PENERIMA": "PKH-001", "JENIS_PROGRAM": "PKH"}]


def form(nik: str = NIK_A) -> dict[str, str]:
    return {
        "nik": nik,
        "id_lembaga": BALIKAN.id_lembaga,
        "nama_lembaga": "BAPPELITBANGDA CONTOH",
        "param": json.dumps(PARAM),
    }


def http_for(simulator: GatewaySimulator) -> httpx.Client:
    return httpx.Client(transport=simulator.transport(), base_url="http://balikan.test")


def recording(directory: Path, **config: Any) -> GatewaySimulator:
    return GatewaySimulator(SimulatorConfig(record_dir=directory, **config), mode="test")


# -- 5. data balikan -----------------------------------------------------------------------


def test_second_layout_shares_the_duplicate_memory() -> None:
    simulator = GatewaySimulator(mode="test")
    with http_for(simulator) as http:
        first = http.post("/databalikan/api/store", data=form(), headers=AUTH)
        again = http.post("/data_balikan/public/api/store", data=form(), headers=AUTH)
        params = http.get("/databalikan/api/getparam_bylembaga", headers=AUTH)
        refused = http.post("/databalikan/api/store", data=form(NIK_B))
    assert (first.status_code, first.json()) == (200, {"message": "Success"})
    assert (again.status_code, again.json()) == (400, {"message": "Data sudah pernah dikirim"})
    assert params.json()["param"] == ["NO_PENERIMA", "JENIS_PROGRAM"]
    assert refused.status_code == 401


def test_multipart_form_data_is_accepted() -> None:
    simulator = GatewaySimulator(mode="test")
    with http_for(simulator) as http:
        multipart = http.post(
            "/databalikan/api/store",
            files={key: (None, value) for key, value in form().items()},
            headers=AUTH,
        )
        urlencoded_again = http.post("/data_balikan/public/api/store", data=form(), headers=AUTH)
        broken = http.post(
            "/databalikan/api/store",
            content=b"--x\r\nno headers\r\n--x--\r\n",
            headers={**AUTH, "Content-Type": "multipart/form-data; boundary=x"},
        )
    assert multipart.request.headers["content-type"].startswith("multipart/form-data")
    assert (multipart.status_code, multipart.json()) == (200, {"message": "Success"})
    assert urlencoded_again.status_code == 400
    assert broken.status_code == 422
    delivery = simulator.balikan[0]
    assert (delivery.shape, delivery.nik, delivery.id_lembaga) == ("form", NIK_A, "330301")
    assert delivery.params == tuple(PARAM)


def test_balikan_path_is_configurable() -> None:
    setup = replace(BALIKAN, prefix="/layanan/balikan/")
    simulator = GatewaySimulator(SimulatorConfig(balikan=setup), mode="test")
    with http_for(simulator) as http:
        custom = http.post("/layanan/balikan/api/store", data=form(), headers=AUTH)
        juknis = http.post("/data_balikan/public/api/store", data=form(NIK_B), headers=AUTH)
        alias = http.post("/databalikan/api/store", data=form(NIK_B), headers=AUTH)
    assert custom.status_code == 200
    assert juknis.status_code == 404  # only the configured path and the alias are served
    assert alias.status_code == 200


# -- 9. the record directory ---------------------------------------------------------------


def test_every_request_is_recorded_without_personal_data(tmp_path: Path) -> None:
    simulator = recording(tmp_path)
    found = build_population().examples()["found"]
    account = simulator.config.account
    identity = {"USER_ID": account.user_id, "PASSWORD": account.password, "NIK": found}
    with http_for(simulator) as http:
        http.post(f"/dukcapil/get_json/{account.consumer_id}/CALL_NIK", json=identity)
        http.post("/dukcapil/get_json/NOBODY/CALL_NIK", json=identity)
        http.post("/databalikan/api/store", data=form(), headers=AUTH)
        simulator.faults.inject(Fault.HTTP_500)
        http.post("/databalikan/api/store", data=form(NIK_B), headers=AUTH)
    simulator.close()
    lines = [json.loads(line) for line in (tmp_path / "requests.jsonl").read_text().splitlines()]
    assert [(e["seq"], e["status"], e.get("service")) for e in lines] == [
        (1, 200, "lookup"),
        (2, 404, "unknown"),
        (3, 200, "balikan_store"),
        (4, 500, None),
    ]
    assert lines[0]["code"] is None  # found
    assert lines[0]["body_keys"] == ["NIK", "PASSWORD", "USER_ID"]
    assert lines[0]["nik"] == found[:4] + "••••••••" + found[12:]
    assert lines[3]["fault"] == "http500"
    assert lines[0]["path"] == "/dukcapil/get_json/…/CALL_NIK"  # no consumer id on file
    assert lines[2]["path"] == "/databalikan/api/store"
    everything = "".join(p.read_text() for p in tmp_path.glob("*.jsonl"))
    assert not re.search(r"\d{16}", everything)  # no full NIK anywhere
    assert account.password not in everything
    assert BALIKAN.token not in everything
    assert account.consumer_id not in everything and "NOBODY" not in everything
    assert "PKH-001" not in everything  # parameter values stay out, only their keys


def test_duplicate_memory_survives_a_restart(tmp_path: Path) -> None:
    first = recording(tmp_path)
    with http_for(first) as http:
        assert http.post("/databalikan/api/store", data=form(), headers=AUTH).status_code == 200
    first.close()
    second = recording(tmp_path)
    batch = [
        {
            "id_lembaga": BALIKAN.id_lembaga,
            "nama_lembaga": "BAPPELITBANGDA CONTOH",
            "data": [{"NIK": NIK_A, "param": PARAM}, {"NIK": NIK_B, "param": PARAM}],
        }
    ]
    with http_for(second) as http:
        again = http.post("/data_balikan/public/api/store", data=form(), headers=AUTH)
        mixed = http.post("/data_balikan/public/api/store", json=batch, headers=AUTH)
    second.close()
    assert (again.status_code, again.json()["message"]) == (400, "Data sudah pernah dikirim")
    assert mixed.status_code == 200  # one item of the batch is new
    assert [d.duplicate for d in second.balikan] == [True, True, False]
    summary = summarise_records(tmp_path)
    assert (summary.receipts, summary.items, summary.duplicates) == (4, 2, 2)
    assert summary.items_more_than_once == 1
    assert summary.shapes == {"form": 2, "batch": 2}
    key = RecordKey.load(tmp_path)
    assert summary.per_nik == {key.nik(NIK_A): 3, key.nik(NIK_B): 1}


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    simulator = recording(tmp_path)
    with http_for(simulator) as http:
        http.post("/databalikan/api/store", data=form(), headers=AUTH)
    simulator.close()
    with (tmp_path / "receipts.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"item": "abc", "dupl')  # the process died mid-line
    restarted = recording(tmp_path)
    with http_for(restarted) as http:
        assert http.post("/databalikan/api/store", data=form(), headers=AUTH).status_code == 400
    restarted.close()
    assert summarise_records(tmp_path).receipts == 2


def test_separate_record_directories_do_not_share_memory(tmp_path: Path) -> None:
    for name in ("one", "two"):
        simulator = recording(tmp_path / name)
        with http_for(simulator) as http:
            assert http.post("/databalikan/api/store", data=form(), headers=AUTH).status_code == 200
        simulator.close()
    key_one = (tmp_path / "one" / "digest.key").read_text()
    assert key_one != (tmp_path / "two" / "digest.key").read_text()
    assert (tmp_path / "one" / "digest.key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("directory_exists", [True, False])
def test_summary_of_an_empty_record(tmp_path: Path, directory_exists: bool) -> None:
    directory = tmp_path / "record"
    if directory_exists:
        directory.mkdir()
    summary = summarise_records(directory)
    assert (summary.requests, summary.receipts, summary.items, summary.duplicates) == (0, 0, 0, 0)
