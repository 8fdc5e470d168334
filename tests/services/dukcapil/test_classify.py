"""classify_response against every answer variant in dukcapil-protocol.md."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.services.dukcapil import OutcomeKind, Verdict, classify_response

K = OutcomeKind


def envelope(obj: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The paging envelope real gateways wrap around content[0]."""
    body: dict[str, Any] = {
        "content": [obj],
        "lastPage": True,
        "numberOfElements": 1,
        "sort": None,
        "totalElements": 1,
        "firstPage": True,
        "number": 0,
        "size": 1,
    }
    body.update(extra)
    return body


# (code, texts seen) per protocol §5 table
CODE_TABLE: list[tuple[str, K, list[str]]] = [
    ("03", K.LOGIN_FAILED, ["Login Gagal", "Gagal Login"]),
    (
        "04",
        K.IP_REJECTED,
        ["IP Address Tidak Sesuai", "IP Client  Tidak terdaftar", "IP Tidak Sesuai"],
    ),
    (
        "05",
        K.QUOTA_EXHAUSTED,
        ["Kuota Akses Hari ini telah Habis", "Kuota Akses Hari Ini Telah Habis"],
    ),
    ("06", K.ACCESS_TIME, []),
    ("07", K.BAD_REQUEST, ["Parameter Tidak Lengkap / Tidak Valid"]),
    ("08", K.BAD_REQUEST, []),
    ("09", K.LOGIN_FAILED, ["User, password dan IP tidak boleh kosong"]),
    ("10", K.IP_REJECTED, ["IP Client Tidak terdaftar"]),
    ("11", K.DECEASED, ["Data Ditemukan, Meninggal Dunia"]),
    ("12", K.DUPLICATE, ["Data Ditemukan, Data Ganda"]),
    (
        "13",
        K.NOT_FOUND,
        [
            "Data Tidak Ditemukan, NIK tidak terdapat di database Kependudukan",
            "Data Tidak Ditemukan",
            "Data Tidak Ditemukan!",
        ],
    ),
    (
        "14",
        K.INACTIVE,
        [
            "Data Ditemukan, Status Non Aktif silahkan hubungi Dinas Dukcapil",
            "Data Ditemukan, Status Tidak Aktif silakan hubungi Dinas Dukcapil",
        ],
    ),
    ("15", K.INVALID_FORMAT, ["Data Tidak Ditemukan, NIK tidak sesuai format Dukcapil"]),
    ("16", K.INSTITUTION_INACTIVE, ["Instansi Tidak Aktif"]),
    (
        "17",
        K.USER_INACTIVE,
        ["User ID Tidak Aktif", "User ID non aktif, silahkan menghubungi Admin"],
    ),
]

CODE_CASES = [(code, kind) for code, kind, _ in CODE_TABLE]
TEXT_CASES = [(text, kind) for _, kind, texts in CODE_TABLE for text in texts]


@pytest.mark.parametrize(("code", "kind"), CODE_CASES)
@pytest.mark.parametrize("unpadded", [False, True])
@pytest.mark.parametrize("message_key", ["RESPONSE", "RESPON", "RESPONSE_DESC"])
def test_code_with_any_message_key(code: str, kind: K, unpadded: bool, message_key: str) -> None:
    sent = code.lstrip("0") if unpadded else code
    outcome = classify_response(
        envelope({"RESPONSE_CODE": sent, message_key: "some text"}, quotaLimiter=150)
    )
    assert outcome.kind is kind
    assert outcome.code == code
    assert outcome.message == "some text"
    assert outcome.quota_left == 150
    assert outcome.record is None


@pytest.mark.parametrize(("code", "kind"), CODE_CASES)
def test_code_as_json_number(code: str, kind: K) -> None:
    assert classify_response(envelope({"RESPONSE_CODE": int(code)})).kind is kind


@pytest.mark.parametrize(("text", "kind"), TEXT_CASES)
def test_old_lookup_respon_only(text: str, kind: K) -> None:
    outcome = classify_response(envelope({"RESPON": text}))
    assert outcome.kind is kind
    assert outcome.code is None
    assert outcome.quota_left is None


@pytest.mark.parametrize(("text", "kind"), TEXT_CASES)
def test_text_variants_case_spacing_punctuation(text: str, kind: K) -> None:
    mangled = "  " + text.upper().replace(" ", "   ") + " !. "
    assert classify_response(envelope({"RESPONSE": mangled})).kind is kind
    assert classify_response(envelope({"RESPONSE_DESC": text.lower()})).kind is kind


@pytest.mark.parametrize(("text", "kind"), TEXT_CASES)
def test_bare_respon_object_without_envelope(text: str, kind: K) -> None:
    assert classify_response({"RESPON": text}).kind is kind


def test_code_wins_over_text() -> None:
    outcome = classify_response(
        envelope({"RESPONSE_CODE": "11", "RESPONSE": "Data Tidak Ditemukan"})
    )
    assert outcome.kind is K.DECEASED


def test_two_message_keys() -> None:
    outcome = classify_response(
        envelope(
            {
                "RESPONSE_CODE": "5",
                "RESPONSE": "Kuota Akses Hari Ini Telah Habis",
                "RESPON": "Kuota Akses Hari ini telah Habis",
            },
            quotaLimiter=0,
        )
    )
    assert outcome.kind is K.QUOTA_EXHAUSTED
    assert outcome.code == "05"
    assert outcome.quota_left == 0


def test_unknown_code_reports_code() -> None:
    outcome = classify_response(envelope({"RESPONSE_CODE": "42", "RESPONSE": "Sesuatu Baru"}))
    assert outcome.kind is K.UNKNOWN
    assert outcome.code == "42"
    assert outcome.message == "Sesuatu Baru"


def test_unknown_code_with_known_text_goes_by_text() -> None:
    outcome = classify_response(envelope({"RESPONSE_CODE": "99", "RESPON": "Gagal Login"}))
    assert outcome.kind is K.LOGIN_FAILED
    assert outcome.code == "99"


def test_unknown_text_without_code() -> None:
    outcome = classify_response(envelope({"RESPON": "Server sedang sibuk"}))
    assert outcome.kind is K.UNKNOWN
    assert outcome.code is None
    assert outcome.message == "Server sedang sibuk"


def test_error_code_with_data_drops_the_data() -> None:
    outcome = classify_response(
        envelope({"RESPONSE_CODE": "11", "NIK": 3303010101900001, "NAMA_LGKP": "WARGA CONTOH"})
    )
    assert outcome.kind is K.DECEASED
    assert outcome.record is None


FOUND_RECORD: dict[str, Any] = {
    "NIK": 3303015203900001,
    "NO_KK": 3303010101150003,
    "NAMA_LGKP": "WARGA CONTOH SATU ",
    "AGAMA": "ISLAM",
    "NO_RT": 6,
    "NO_RW": 2,
    "TGL_LHR": "1990-03-12",
    "NAMA_LGKP_IBU": "IBU CONTOH",
    "TGL_KWN": None,
}


def test_found_record_with_quota() -> None:
    outcome = classify_response(envelope(dict(FOUND_RECORD), quotaLimiter=199))
    assert outcome.kind is K.FOUND
    assert outcome.quota_left == 199
    assert outcome.record is not None
    assert outcome.record["NIK"] == 3303015203900001
    assert outcome.code is None
    assert outcome.verdicts is None


def test_found_record_odd_paging_and_string_nik() -> None:
    record = dict(FOUND_RECORD, NIK="3303015203900001")
    body = envelope(record, numberOfElements=0, totalElements=0)
    assert classify_response(body).kind is K.FOUND


def test_found_record_is_not_in_repr() -> None:
    outcome = classify_response(envelope(dict(FOUND_RECORD)))
    assert "WARGA" not in repr(outcome)
    assert "3303015203900001" not in repr(outcome)


VERIFY_ANSWER = {
    "NIK": "Sesuai",
    "NAMA_LGKP": "Sesuai (100)",
    "TMPT_LHR": "Tidak Sesuai (59)",
    "JENIS_KLMIN": "Tidak Sesuai",
    "ALAMAT": "Sesuai(93)",
    "NAMA_LGKP_IBU": "tidak sesuai ( 12 )",
}


def test_verify_by_element_verdicts() -> None:
    outcome = classify_response(envelope(VERIFY_ANSWER, quotaLimiter=10))
    assert outcome.kind is K.VERIFIED
    assert outcome.quota_left == 10
    assert outcome.verdicts == {
        "NIK": Verdict(True, 100),
        "NAMA_LGKP": Verdict(True, 100),
        "TMPT_LHR": Verdict(False, 59),
        "JENIS_KLMIN": Verdict(False, 0),
        "ALAMAT": Verdict(True, 93),
        "NAMA_LGKP_IBU": Verdict(False, 12),
    }
    assert outcome.record is None


def test_verify_error_comes_as_section5() -> None:
    outcome = classify_response(
        envelope({"RESPONSE_CODE": "13", "RESPONSE": "Data Tidak Ditemukan"})
    )
    assert outcome.kind is K.NOT_FOUND


@pytest.mark.parametrize(
    ("quota", "left"),
    [(199, 199), ("199", 199), (Decimal("199"), 199), (" 199 ", 199), (0, 0), (10**9, 10**9)],
)
def test_quota_limiter_forms(quota: object, left: int) -> None:
    body = envelope({"RESPON": "Gagal Login"}, quotaLimiter=quota)
    assert classify_response(body).quota_left == left


@pytest.mark.parametrize(
    "quota",
    [
        None,
        True,
        -1,
        "lots",
        1.5,
        Decimal("1.5"),
        10**40,
        [],
        # a 16-digit "quota" is garbage, and would read like a NIK in the log
        3604260890836945,
        "360426089083",
        Decimal("1000000001"),
    ],
)
def test_quota_limiter_unusable(quota: object) -> None:
    body = envelope({"RESPON": "Gagal Login"}, quotaLimiter=quota)
    assert classify_response(body).quota_left is None


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"content": []},
        {"content": None},
        {"content": ["text"]},
        {"content": "x"},
        {"content": [{}]},
        {"content": [{"RESPONSE_CODE": ""}]},
        {"content": [{"RESPONSE_CODE": None, "RESPON": "   "}]},
        {"content": [{"NIK": None}]},
        {"content": [{"NIK": 3303015203900001}]},
        {"content": [{"RESPONSE_CODE": 10**5000}]},
        {"content": [{"RESPONSE_CODE": Decimal("NaN")}]},
        {"quotaLimiter": 5},
        {1: 2, None: 3},
    ],
)
def test_unplaceable_is_unknown(payload: dict[Any, Any]) -> None:
    assert classify_response(payload).kind is K.UNKNOWN


def test_non_mapping_is_unknown() -> None:
    assert classify_response(["x"]).kind is K.UNKNOWN  # type: ignore[arg-type]


def test_long_message_and_code_are_bounded() -> None:
    outcome = classify_response(envelope({"RESPONSE_CODE": "X" * 500, "RESPON": "y" * 5000}))
    assert outcome.kind is K.UNKNOWN
    assert outcome.code is not None
    assert len(outcome.code) <= 12
    assert outcome.message is not None
    assert len(outcome.message) <= 200


def test_content_as_object_not_list() -> None:
    assert classify_response({"content": {"RESPON": "Gagal Login"}}).kind is K.LOGIN_FAILED
