"""Classify a decoded gateway body into an :class:`Outcome` (protocol §3–§6).

Pure and total: any dict gives an Outcome, what cannot be placed is UNKNOWN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.services.dukcapil.outcomes import Outcome, OutcomeKind, Verdict

K = OutcomeKind

CODES: Mapping[str, OutcomeKind] = {
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

# Known texts, matched in full against the normalised message (see _normalise_text).
_TEXTS: tuple[tuple[re.Pattern[str], OutcomeKind], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"(login gagal|gagal login)", K.LOGIN_FAILED),
        (r"user, ?password,? dan ip tidak boleh kosong", K.LOGIN_FAILED),
        (r"ip (address |client )?tidak (sesuai|terdaftar)", K.IP_REJECTED),
        (r"kuota akses hari ini telah habis", K.QUOTA_EXHAUSTED),
        (r"akses di luar jam (layanan|operasional)", K.ACCESS_TIME),
        (r"nik tidak dapat di ?proses", K.BAD_REQUEST),
        (r"parameter tidak lengkap( ?/ ?tidak valid)?|parameter tidak valid", K.BAD_REQUEST),
        (r"data ditemukan, meninggal dunia", K.DECEASED),
        (r"data ditemukan, data ganda", K.DUPLICATE),
        (
            r"data tidak ditemukan(, nik tidak terdapat di database kependudukan)?",
            K.NOT_FOUND,
        ),
        (
            r"data ditemukan, status (non ?aktif|tidak aktif)"
            r"(,? silah?kan hubungi dinas dukcapil)?",
            K.INACTIVE,
        ),
        (r"data tidak ditemukan, nik tidak sesuai format dukcapil", K.INVALID_FORMAT),
        (r"instansi (tidak|non) ?aktif", K.INSTITUTION_INACTIVE),
        (r"user ?id (tidak|non) ?aktif(,? silah?kan menghubungi admin)?", K.USER_INACTIVE),
    )
)

MESSAGE_KEYS: tuple[str, ...] = ("RESPON", "RESPONSE", "RESPONSE_DESC")
CODE_KEYS: tuple[str, ...] = ("RESPONSE_CODE", "RESPON_CODE")
_ENVELOPE_KEYS = frozenset(MESSAGE_KEYS + CODE_KEYS + ("QUOTALIMITER",))
_VERDICT = re.compile(r"(tidak sesuai|sesuai)\s*(?:\(\s*(\d{1,3})\s*\))?", re.IGNORECASE)
_MAX_TEXT = 200
_MAX_CODE = 12
#: Above this a stated quota left is not a count (agreements grant thousands a day).
MAX_QUOTA = 1_000_000_000


def classify_response(payload: Mapping[str, Any]) -> Outcome:
    """Classify the decoded JSON body of a lookup or verify-by-element call."""
    if not isinstance(payload, Mapping):
        return Outcome(K.UNKNOWN)
    answer = _answer_object(payload)
    quota = _quota(payload)
    if quota is None and answer is not None:
        quota = _quota(answer)
    if answer is None:
        return Outcome(K.UNKNOWN, quota_left=quota)

    fields = {key.upper(): value for key, value in answer.items() if isinstance(key, str)}
    code = _code(fields)
    message = _message(fields)
    by_code = CODES.get(code) if code is not None else None
    by_text = _kind_for_text(message) if message is not None else None
    kind = by_code or by_text
    if kind is not None:
        return Outcome(kind, code, message, quota)
    if code is not None or message is not None:
        return Outcome(K.UNKNOWN, code, message, quota)

    data = {key: value for key, value in fields.items() if key not in _ENVELOPE_KEYS}
    verdicts = _verdicts(data)
    if verdicts:
        return Outcome(K.VERIFIED, quota_left=quota, verdicts=verdicts)
    if _looks_like_record(data):
        return Outcome(K.FOUND, quota_left=quota, record=data)
    return Outcome(K.UNKNOWN, quota_left=quota)


def normalise_code(value: object) -> str | None:
    """A two-digit code ("5" → "05"); other non-empty codes trimmed; None if absent."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        text = _small_integer_text(value)
        if text is None:
            return None
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 2:
        return text.zfill(2)
    return text[:_MAX_CODE]


def _kind_for_text(message: str) -> OutcomeKind | None:
    text = _normalise_text(message)
    for pattern, kind in _TEXTS:
        if pattern.fullmatch(text):
            return kind
    return None


def _normalise_text(text: str) -> str:
    """Case-folded, whitespace collapsed, spaces around commas tidied, end punctuation off."""
    text = " ".join(text.split()).casefold()
    text = re.sub(r" ?, ?", ", ", text)
    return text.rstrip(" .!?,;:")


def _answer_object(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    content = payload.get("content", payload.get("CONTENT"))
    if content is None:
        return payload  # the old lookup answers with a bare object
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        return content[0]
    if isinstance(content, Mapping):
        return content
    return None


def _quota(obj: Mapping[str, Any]) -> int | None:
    """The quota left as the gateway states it; None when absent or not a plausible count
    (a daily quota is never near ``MAX_QUOTA``: such a number is garbage, and one of 16
    digits would look like a NIK in the log)."""
    value = obj.get("quotaLimiter", obj.get("QUOTALIMITER"))
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 12):
            return None
        left = int(value)
    elif isinstance(value, int | Decimal):
        text = _small_integer_text(value)
        if text is None or text.startswith("-"):
            return None
        left = int(text)
    else:
        return None
    return left if left <= MAX_QUOTA else None


def _small_integer_text(value: int | Decimal) -> str | None:
    """Decimal digits of an integral number below 10**18, without going through float."""
    try:
        if isinstance(value, Decimal):
            # the size first: int(Decimal("1E+1000000")) takes minutes and grows memory
            if not value.is_finite() or value.adjusted() >= 18:
                return None
            if value != value.to_integral_value():
                return None
            value = int(value)
        if abs(value) >= 10**18:
            return None
        return str(value)
    except (ArithmeticError, ValueError):
        return None


def _code(fields: Mapping[str, Any]) -> str | None:
    for key in CODE_KEYS:
        code = normalise_code(fields.get(key))
        if code is not None:
            return code
    return None


def _message(fields: Mapping[str, Any]) -> str | None:
    for key in MESSAGE_KEYS:
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:_MAX_TEXT]
    return None


def parse_verdict(value: object) -> Verdict | None:
    """ "Sesuai (87)" → Verdict(True, 87); "Sesuai" → 100; "Tidak Sesuai" → 0; else None."""
    if not isinstance(value, str):
        return None
    match = _VERDICT.fullmatch(value.strip())
    if match is None:
        return None
    matches = match.group(1).casefold() == "sesuai"
    if match.group(2) is None:
        return Verdict(matches, 100 if matches else 0)
    return Verdict(matches, min(int(match.group(2)), 100))


def _verdicts(data: Mapping[str, Any]) -> dict[str, Verdict]:
    verdicts: dict[str, Verdict] = {}
    for key, value in data.items():
        verdict = parse_verdict(value)
        if verdict is not None:
            verdicts[key] = verdict
    return verdicts


def _looks_like_record(data: Mapping[str, Any]) -> bool:
    """A found record names the NIK and carries at least one other value."""
    if data.get("NIK") is None:
        return False
    return any(value is not None for key, value in data.items() if key != "NIK")
