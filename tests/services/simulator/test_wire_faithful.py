"""What production integrations see on the wire (docs/simulator.md): error shape per service,
exact texts, the IP_USER policy, method aliases and path case, impossible birth dates,
numeric region codes, EKTP_STATUS values and the error envelope."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.services.simulator import (
    GatewaySimulator,
    SimulatorAccount,
    SimulatorConfig,
    build_population,
)
from app.services.simulator.population import wire_record

ACCOUNT = SimulatorConfig().account
CONSUMER = f"/dukcapil/get_json/{ACCOUNT.consumer_id}"
OLD_LAYOUT = f"/dukcapil/get_json/{ACCOUNT.region_code}/{ACCOUNT.instansi}"
EXAMPLES = build_population().examples()
IMPOSSIBLE_BIRTH_DATES = ("3303013299990001", "3303016213900001")  # day 32; month 13
NOT_FOUND_LONG = "Data Tidak Ditemukan, NIK tidak terdapat di database Kependudukan"


def identity(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "USER_ID": ACCOUNT.user_id,
        "PASSWORD": ACCOUNT.password,
        "IP_USER": ACCOUNT.ip_user,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def post(
    simulator: GatewaySimulator, path: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    with httpx.Client(transport=simulator.transport(), base_url="http://gw.test") as http:
        response = http.post(path, json=body)
    if response.status_code != 200:
        return response.status_code, {}
    answer: dict[str, Any] = response.json()
    return 200, answer


def content(simulator: GatewaySimulator, path: str, body: dict[str, Any]) -> dict[str, Any]:
    status, answer = post(simulator, path, body)
    assert status == 200
    first: dict[str, Any] = answer["content"][0]
    return first


def lookup(simulator: GatewaySimulator, nik: str, **changes: Any) -> dict[str, Any]:
    return content(simulator, f"{CONSUMER}/CALL_NIK", {"NIK": nik, **identity(**changes)})


def verify(simulator: GatewaySimulator, nik: str, **elements: Any) -> dict[str, Any]:
    body = {"NIK": nik, "TRESHOLD": "90", **identity(), **elements}
    return content(simulator, f"{CONSUMER}/CALL_VERIFY_BY_ELEMEN", body)


def sim(**config: Any) -> GatewaySimulator:
    return GatewaySimulator(SimulatorConfig(**config), mode="test")


# -- 1. error shape per service ------------------------------------------------------------


def test_lookup_errors_carry_the_message_under_respon() -> None:
    assert lookup(sim(), EXAMPLES["not_found"]) == {
        "RESPONSE_CODE": "13",
        "RESPON": "Data Tidak Ditemukan",
    }


def test_verify_errors_carry_response_code_and_response() -> None:
    assert verify(sim(), EXAMPLES["not_found"], NAMA_LGKP="WARGA CONTOH") == {
        "RESPONSE_CODE": "13",
        "RESPONSE": NOT_FOUND_LONG,
    }


def test_each_service_has_its_own_dialect() -> None:
    simulator = sim(lookup_dialect="legacy", verify_dialect="unpadded")
    assert lookup(simulator, EXAMPLES["deceased"]) == {"RESPON": "Data Ditemukan, Meninggal Dunia"}
    assert verify(simulator, EXAMPLES["deceased"], NAMA_LGKP="X") == {
        "RESPONSE_CODE": "11",
        "RESPONSE_DESC": "Data Ditemukan, Meninggal Dunia",
    }


def test_unknown_dialect_or_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="dialect"):
        SimulatorConfig(lookup_dialect="nonsense")
    with pytest.raises(ValueError, match="IP policy"):
        SimulatorConfig(ip_policy="sometimes")


# -- 2. texts --------------------------------------------------------------------------------


def test_legacy_lookup_uses_the_texts_production_clients_match() -> None:
    simulator = sim(lookup_dialect="legacy")
    assert lookup(simulator, EXAMPLES["not_found"]) == {"RESPON": "Data Tidak Ditemukan"}
    assert lookup(simulator, EXAMPLES["found"], PASSWORD="wrong") == {"RESPON": "Login Gagal"}


def test_both_keys_does_not_switch_the_texts() -> None:
    simulator = GatewaySimulator(SimulatorConfig().with_dialect("both-keys"), mode="test")
    assert lookup(simulator, EXAMPLES["not_found"]) == {
        "RESPONSE_CODE": "13",
        "RESPON": "Data Tidak Ditemukan",
        "RESPONSE": "Data Tidak Ditemukan",
    }
    assert lookup(simulator, EXAMPLES["found"], USER_ID="SOMEONE") == {
        "RESPONSE_CODE": "03",
        "RESPON": "Login Gagal",
        "RESPONSE": "Login Gagal",
    }
    assert verify(simulator, EXAMPLES["not_found"])["RESPONSE"] == NOT_FOUND_LONG


def test_variant_texts_are_a_dialect_of_their_own() -> None:
    simulator = GatewaySimulator(SimulatorConfig().with_dialect("variant-texts"), mode="test")
    assert lookup(simulator, EXAMPLES["not_found"])["RESPONSE"] == "Data Tidak Ditemukan!"
    assert lookup(simulator, EXAMPLES["found"], PASSWORD="x")["RESPONSE"] == "Gagal Login"


# -- 3. IP_USER policy -------------------------------------------------------------------------


@pytest.mark.parametrize("ip", [None, "", "127.0.0.1", "IP_USER", ACCOUNT.user_id])
def test_ip_user_is_not_checked_by_default(ip: str | None) -> None:
    answer = lookup(sim(), EXAMPLES["found"], IP_USER=ip)
    assert answer["NIK"] == int(EXAMPLES["found"])


@pytest.mark.parametrize(
    ("ip", "code"), [(None, "09"), ("", "09"), ("placeholder", None), (ACCOUNT.ip_user, None)]
)
def test_ip_policy_any_requires_a_value(ip: str | None, code: str | None) -> None:
    answer = lookup(sim(ip_policy="any"), EXAMPLES["found"], IP_USER=ip)
    assert answer.get("RESPONSE_CODE") == code


@pytest.mark.parametrize(
    ("dialect", "ip", "code", "text"),
    [
        ("respon", "10.10.0.99", "04", "IP Address Tidak Sesuai"),
        ("respon", None, "09", "User, password dan IP tidak boleh kosong"),
        ("unpadded", "10.10.0.99", "10", "IP Client Tidak terdaftar"),
    ],
)
def test_ip_policy_exact(dialect: str, ip: str | None, code: str, text: str) -> None:
    simulator = sim(ip_policy="exact", lookup_dialect=dialect)
    answer = lookup(simulator, EXAMPLES["found"], IP_USER=ip)
    assert answer["RESPONSE_CODE"].zfill(2) == code
    assert text in answer.values()
    assert "NIK" not in lookup(simulator, EXAMPLES["found"], IP_USER="10.10.0.99")


def test_user_and_password_stay_mandatory() -> None:
    assert lookup(sim(), EXAMPLES["found"], PASSWORD=None)["RESPONSE_CODE"] == "09"
    assert lookup(sim(), EXAMPLES["found"], USER_ID=" ")["RESPONSE_CODE"] == "09"


# -- 4. method names and path case -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"{CONSUMER}/CALL_NIK",
        f"{CONSUMER}/call_nik",
        f"{CONSUMER}/GET_NIK",
        f"{OLD_LAYOUT}/GET_NIK",
        f"{OLD_LAYOUT}/get_nik",
    ],
)
def test_lookup_aliases(path: str) -> None:
    answer = content(sim(), path, {"NIK": EXAMPLES["found"], **identity()})
    assert answer["NIK"] == int(EXAMPLES["found"])


@pytest.mark.parametrize(
    "path",
    [
        f"{CONSUMER}/CALL_VERIFY_BY_ELEMEN",
        f"{CONSUMER}/nik_verifby_elemen",
        f"{OLD_LAYOUT}/koneksitas_verifby_elemen",
        f"{CONSUMER}/KONEKSITAS_VERIFBY_ELEMEN",
    ],
)
def test_verify_aliases(path: str) -> None:
    person = build_population().get(EXAMPLES["found"])
    assert person is not None
    body = {"NIK": EXAMPLES["found"], **identity(), "NAMA_LGKP": person.name}
    assert content(sim(), path, body) == {"NIK": "Sesuai", "NAMA_LGKP": "Sesuai (100)"}


@pytest.mark.parametrize(
    "path",
    [
        f"/dukcapil/get_json/{ACCOUNT.consumer_id.lower()}/CALL_NIK",
        f"/dukcapil/get_json/{ACCOUNT.region_code}/{ACCOUNT.instansi.lower()}/GET_NIK",
        f"{CONSUMER}/CALL_OTHER",
        f"/DUKCAPIL/get_json/{ACCOUNT.consumer_id}/CALL_NIK",
    ],
)
def test_identity_segments_are_case_sensitive_by_default(path: str) -> None:
    assert post(sim(), path, {"NIK": EXAMPLES["found"], **identity()})[0] == 404


def test_identity_segments_in_any_case_when_configured() -> None:
    simulator = sim(path_case_sensitive=False)
    for path in (
        f"/dukcapil/get_json/{ACCOUNT.consumer_id.lower()}/CALL_NIK",
        f"/dukcapil/get_json/{ACCOUNT.region_code}/{ACCOUNT.instansi.lower()}/GET_NIK",
    ):
        answer = content(simulator, path, {"NIK": EXAMPLES["found"], **identity()})
        assert answer["NIK"] == int(EXAMPLES["found"])
    assert post(simulator, "/dukcapil/get_json/OTHER/CALL_NIK", identity())[0] == 404


# -- 6. impossible birth dates -----------------------------------------------------------------


@pytest.mark.parametrize("nik", IMPOSSIBLE_BIRTH_DATES)
def test_impossible_birth_date_answers_not_in_database(nik: str) -> None:
    assert lookup(sim(), nik) == {"RESPONSE_CODE": "13", "RESPON": "Data Tidak Ditemukan"}
    assert verify(sim(), nik) == {"RESPONSE_CODE": "13", "RESPONSE": NOT_FOUND_LONG}


@pytest.mark.parametrize("nik", ["9901011201900001", "3303011201900000"])
def test_other_format_errors_stay_code_15(nik: str) -> None:
    assert lookup(sim(), nik) == {
        "RESPONSE_CODE": "15",
        "RESPON": "Data Tidak Ditemukan, NIK tidak sesuai format Dukcapil",
    }


# -- 7. region codes compared as numbers -------------------------------------------------------


def test_verify_compares_region_codes_numerically() -> None:
    person = build_population().get(EXAMPLES["found"])
    assert person is not None
    code = person.region.code
    padded = {
        "NO_PROP": code[:2],
        "NO_KAB": code[2:4],  # "03" for Purbalingga
        "NO_KEC": code[4:6],
        "NO_KEL": f"{person.village_no:04d}",
        "NO_RT": f"{person.rt:03d}",
        "NO_RW": f"{person.rw:02d}",
    }
    assert padded["NO_KAB"].startswith("0")
    answer = verify(sim(), person.nik, **padded)
    assert {key: answer[key] for key in padded} == dict.fromkeys(padded, "Sesuai")
    numbers = {"NO_KAB": int(code[2:4]), "NO_RT": person.rt, "NO_RW": str(person.rw)}
    answer = verify(sim(), person.nik, **numbers)
    assert {key: answer[key] for key in numbers} == dict.fromkeys(numbers, "Sesuai")
    wrong = {"NO_RT": f"{person.rt + 1:03d}", "NO_KAB": "3O", "NO_RW": "-1"}
    answer = verify(sim(), person.nik, **wrong)
    assert {key: answer[key] for key in wrong} == dict.fromkeys(wrong, "Tidak Sesuai")


# -- 8. EKTP_STATUS and envelopes --------------------------------------------------------------


def test_ektp_status_values_come_from_the_sources() -> None:
    people = build_population().people()
    records = [(person, wire_record(person)) for person in people]
    statuses = {record["EKTP_STATUS"] for _, record in records}
    assert statuses == {"SUDAH REKAM", "BELUM REKAM", "TUNGGAL"}
    for person, record in records:
        if person.birth_date.year >= 2009:  # under 16 at the start of 2025
            assert record["EKTP_STATUS"] == "BELUM REKAM"
        assert (record["EKTP_CREATED"] is None) == (record["EKTP_STATUS"] == "BELUM REKAM")


@pytest.mark.parametrize("example", ["not_found", "deceased", "found"])
def test_envelope_paging_agrees_with_its_content(example: str) -> None:
    status, answer = post(sim(), f"{CONSUMER}/CALL_NIK", {"NIK": EXAMPLES[example], **identity()})
    assert status == 200
    assert answer["numberOfElements"] == answer["totalElements"] == len(answer["content"]) == 1


def test_quota_exhausted_in_the_lookup_shape() -> None:
    simulator = sim(daily_quota=1)
    lookup(simulator, EXAMPLES["found"])
    status, answer = post(
        simulator, f"{CONSUMER}/CALL_NIK", {"NIK": EXAMPLES["found"], **identity()}
    )
    assert status == 200
    assert answer["content"] == [
        {"RESPONSE_CODE": "05", "RESPON": "Kuota Akses Hari Ini Telah Habis"}
    ]
    assert answer["quotaLimiter"] == 0


def test_config_replaced_at_runtime_takes_effect() -> None:
    simulator = sim()
    simulator.config = replace(simulator.config, lookup_dialect="legacy")
    assert lookup(simulator, EXAMPLES["not_found"]) == {"RESPON": "Data Tidak Ditemukan"}


# -- accounts, each with its own quota ---------------------------------------------------------


def test_each_account_has_its_own_credentials_and_quota() -> None:
    other = SimulatorAccount(
        user_id="OPERATOR-2",
        password="sandi-contoh",
        consumer_id="KAB3302",
        region_code="33-02",
        instansi="DINSOS",
    )
    simulator = sim(daily_quota=5, more_accounts=((other, 1),))
    nik = EXAMPLES["found"]
    other_identity = {"USER_ID": "OPERATOR-2", "PASSWORD": "sandi-contoh", "NIK": nik}
    first = post(simulator, "/dukcapil/get_json/KAB3302/CALL_NIK", other_identity)[1]
    assert first["content"][0]["NIK"] == int(nik)
    assert first["quotaLimiter"] == 0
    again = content(simulator, "/dukcapil/get_json/33-02/DINSOS/GET_NIK", other_identity)
    assert again == {"RESPONSE_CODE": "05", "RESPON": "Kuota Akses Hari Ini Telah Habis"}
    main = post(simulator, f"{CONSUMER}/CALL_NIK", {"NIK": nik, **identity()})[1]
    assert main["quotaLimiter"] == 4  # the main account's quota is untouched
    assert (simulator.hits_today(), simulator.hits_today("KAB3302")) == (1, 1)
    crossed = content(simulator, f"{CONSUMER}/CALL_NIK", other_identity)
    assert crossed["RESPONSE_CODE"] == "03"  # another account's credentials


def test_accounts_must_be_distinct() -> None:
    twin = SimulatorAccount(consumer_id="OTHER")  # same region/instansi as the main account
    with pytest.raises(ValueError, match="distinct"):
        SimulatorConfig(more_accounts=((twin, None),))
    with pytest.raises(ValueError, match="distinct"):
        SimulatorConfig(more_accounts=((SimulatorAccount(region_code="33-02"), None),))
