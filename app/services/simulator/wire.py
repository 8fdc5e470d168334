"""How the simulated gateway phrases its answers: dialects, texts, envelope, verdicts.

The shape of an answer without data depends on the service (lookup or verify) and on the
generation of gateway simulated (a :class:`Dialect`); ``docs/simulator.md`` gives the evidence
behind every choice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

SERVICES = ("lookup", "verify")


@dataclass(frozen=True)
class Dialect:
    """How one generation of gateway phrases answers without data."""

    codes: bool = True  # RESPONSE_CODE present
    pad_codes: bool = True  # "05" rather than "5"
    message_keys: tuple[str, ...] = ("RESPONSE",)
    quota_limiter: bool = True
    variant_texts: bool = False  # the other spellings seen in the field
    ip_code: str = "04"


DIALECTS: Mapping[str, Dialect] = {
    # lookup (CALL_NIK) answers: the message under RESPON, with a code on newer gateways
    "respon": Dialect(message_keys=("RESPON",)),
    # verify answers as logged from a real gateway: RESPONSE_CODE + RESPONSE
    "modern": Dialect(),
    "unpadded": Dialect(pad_codes=False, message_keys=("RESPONSE_DESC",), ip_code="10"),
    "both-keys": Dialect(message_keys=("RESPON", "RESPONSE")),
    # the old lookup: a bare RESPON text, no code, no quotaLimiter
    "legacy": Dialect(codes=False, message_keys=("RESPON",), quota_limiter=False),
    # the other spellings of the same messages seen in the field
    "variant-texts": Dialect(variant_texts=True),
}
DEFAULT_DIALECTS: Mapping[str, str] = {"lookup": "respon", "verify": "modern"}

_COMMON_TEXTS: Mapping[str, str] = {
    "03": "Login Gagal",
    "04": "IP Address Tidak Sesuai",
    "05": "Kuota Akses Hari Ini Telah Habis",
    "06": "Akses Di Luar Jam Layanan",
    "07": "Parameter Tidak Lengkap / Tidak Valid",
    "08": "NIK Tidak Dapat Diproses",
    "09": "User, password dan IP tidak boleh kosong",
    "10": "IP Client Tidak terdaftar",
    "11": "Data Ditemukan, Meninggal Dunia",
    "12": "Data Ditemukan, Data Ganda",
    "13": "Data Tidak Ditemukan, NIK tidak terdapat di database Kependudukan",
    "14": "Data Ditemukan, Status Non Aktif silahkan hubungi Dinas Dukcapil",
    "15": "Data Tidak Ditemukan, NIK tidak sesuai format Dukcapil",
    "16": "Instansi Tidak Aktif",
    "17": "User ID Tidak Aktif",
}
# code → text, per service: a production lookup client matches "Data Tidak Ditemukan" exactly
SERVICE_TEXTS: Mapping[str, Mapping[str, str]] = {
    "lookup": {**_COMMON_TEXTS, "13": "Data Tidak Ditemukan"},
    "verify": _COMMON_TEXTS,
}
# the other spelling of a message, seen in the field (dialect "variant-texts")
VARIANT_TEXTS: Mapping[str, str] = {
    "03": "Gagal Login",
    "04": "IP Client  Tidak terdaftar",
    "05": "Kuota Akses Hari ini telah Habis",
    "10": "IP Tidak Sesuai",
    "13": "Data Tidak Ditemukan!",
    "14": "Data Ditemukan, Status Tidak Aktif silakan hubungi Dinas Dukcapil",
    "17": "User ID non aktif, silahkan menghubungi Admin",
}
# every text the simulator can emit, per code
TEXTS: Mapping[str, tuple[str, ...]] = {
    code: tuple(
        dict.fromkeys(
            [SERVICE_TEXTS["lookup"][code], SERVICE_TEXTS["verify"][code]]
            + ([VARIANT_TEXTS[code]] if code in VARIANT_TEXTS else [])
        )
    )
    for code in _COMMON_TEXTS
}


def error_text(code: str, service: str, dialect: Dialect) -> str:
    """The message for ``code`` as ``service`` phrases it in ``dialect``."""
    if dialect.variant_texts and code in VARIANT_TEXTS:
        return VARIANT_TEXTS[code]
    return SERVICE_TEXTS[service][code]


def error_content(code: str, service: str, dialect: Dialect) -> dict[str, Any]:
    """The answer object of an answer without data."""
    content: dict[str, Any] = {}
    if dialect.codes:
        content["RESPONSE_CODE"] = code if dialect.pad_codes else code.lstrip("0")
    text = error_text(code, service, dialect)
    for key in dialect.message_keys:
        content[key] = text
    return content


def envelope(content: Mapping[str, Any], quota_left: int | None, dialect: Dialect) -> bytes:
    """The paged envelope around one answer object (paging fields agree with ``content``)."""
    body: dict[str, Any] = {
        "content": [content],
        "lastPage": True,
        "numberOfElements": 1,
        "sort": None,
        "totalElements": 1,
        "firstPage": True,
        "number": 0,
        "size": 1,
    }
    if dialect.quota_limiter and quota_left is not None:
        body["quotaLimiter"] = quota_left
    return json.dumps(body).encode("utf-8")


# -- verify by element ----------------------------------------------------------------------

FUZZY_KEYS = frozenset({"NAMA_LGKP", "TMPT_LHR", "ALAMAT", "NAMA_LGKP_IBU"})
NUMERIC_KEYS = frozenset({"NO_PROP", "NO_KAB", "NO_KEC", "NO_KEL", "NO_RT", "NO_RW", "KODE_POS"})
CREDENTIAL_KEYS = frozenset({"NIK", "TRESHOLD", "USER_ID", "PASSWORD", "IP_USER"})


def verdicts(record: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, str]:
    """Per-element verdicts; text fields carry a rapidfuzz score against TRESHOLD."""
    try:
        threshold = int(str(body.get("TRESHOLD", "90")).strip())
    except ValueError:
        threshold = 90
    answer = {"NIK": "Sesuai"}  # the gateway also reports keys that were not sent
    for key, sent in body.items():
        if key in CREDENTIAL_KEYS or key not in record:
            continue
        if isinstance(sent, int) and not isinstance(sent, bool):
            sent = str(sent)
        if not isinstance(sent, str):
            continue
        actual = record[key]
        if key in FUZZY_KEYS:
            from rapidfuzz import fuzz, utils  # only verify-by-element needs it (start memory)

            score = round(
                fuzz.token_sort_ratio(sent, str(actual or ""), processor=utils.default_process)
            )
            answer[key] = f"{'Sesuai' if score >= threshold else 'Tidak Sesuai'} ({score})"
        else:
            answer[key] = "Sesuai" if same_value(key, sent, actual) else "Tidak Sesuai"
    return answer


def same_value(key: str, sent: str, actual: object) -> bool:
    """Does the sent value equal the registry's? Dates by day, region codes by number."""
    if key.startswith("TGL_") and isinstance(actual, str):
        try:
            return datetime.strptime(sent.strip(), "%d-%m-%Y").date() == date.fromisoformat(actual)
        except ValueError:
            return False
    if key in NUMERIC_KEYS:
        text = sent.strip()
        if not (text.isascii() and text.isdigit()) or isinstance(actual, bool):
            return False
        return isinstance(actual, int) and int(text) == actual
    return " ".join(sent.split()).upper() == " ".join(str(actual).split()).upper()
