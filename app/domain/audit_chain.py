"""The audit trail's hash chain: each record's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring_ascii as _encode_string

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record as stored (no population data: NIK only as a keyed hash)."""

    seq: int
    at: datetime
    actor: str
    counter_id: str
    action: str
    case_number: str | None
    nik_hash: str | None
    detail: str
    prev_hash: str
    hash: str


def canonical(entry_fields: dict[str, object]) -> bytes:
    """Stable serialisation of the hashed fields."""
    return json.dumps(entry_fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(key: bytes, prev_hash: str, fields: dict[str, object]) -> str:
    """HMAC-SHA256 over the previous hash and the record's fields."""
    return hmac.new(key, prev_hash.encode() + b"|" + canonical(fields), hashlib.sha256).hexdigest()


def hashed_fields(entry: AuditEntry) -> dict[str, object]:
    """The fields covered by the hash."""
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "counter_id": entry.counter_id,
        "action": entry.action,
        "case_number": entry.case_number,
        "nik_hash": entry.nik_hash,
        "detail": entry.detail,
    }


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """The first place where the chain breaks."""

    seq: int
    reason: str
    detail: str = ""


def verify_chain(
    key: bytes, entries: Iterable[AuditEntry], *, start_seq: int = 1, start_hash: str = GENESIS
) -> ChainProblem | None:
    """Check the chain in ``seq`` order; name the first edited, removed or reordered record.

    ``entries`` may be a stream (constant memory). ``start_seq``/``start_hash`` continue a
    chain whose records before ``start_seq`` were verified earlier (``start_hash`` is the
    hash of record ``start_seq - 1``).
    """
    prev_hash = start_hash
    expected_seq = start_seq
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return ChainProblem(expected_seq, "removed")
            return ChainProblem(entry.seq, "reordered")
        if entry.prev_hash != prev_hash:
            return ChainProblem(entry.seq, "reordered")
        if entry_hash(key, prev_hash, hashed_fields(entry)) != entry.hash:
            return ChainProblem(entry.seq, "edited")
        prev_hash = entry.hash
        expected_seq += 1
    return None


# A row as the verifier streams it: (seq, at as ISO text, actor, counter_id, action,
# case_number, nik_hash, detail, prev_hash, hash).
AuditRow = tuple[int, str, str, str, str, str | None, str | None, str, str, str]


def _json_text(value: str | None) -> str:
    return "null" if value is None else _encode_string(value)


def canonical_row(row: AuditRow) -> bytes:
    """:func:`canonical` of a row's hashed fields, built directly (same bytes, faster)."""
    seq, at, actor, counter_id, action, case_number, nik_hash, detail = row[:8]
    enc = _encode_string
    return (
        f'{{"action":{enc(action)},"actor":{enc(actor)},"at":{enc(at)},"case_number":'
        f'{"null" if case_number is None else enc(case_number)},"counter_id":{enc(counter_id)},'
        f'"detail":{enc(detail)},"nik_hash":{"null" if nik_hash is None else enc(nik_hash)},'
        f'"seq":{int(seq)}}}'
    ).encode()


def verify_rows(
    key: bytes, rows: Iterable[AuditRow], *, start_seq: int = 1, start_hash: str = GENESIS
) -> ChainProblem | None:
    """:func:`verify_chain` over plain rows (the streaming verifier's fast path)."""
    return walk_rows(key, rows, start_seq=start_seq, start_hash=start_hash)[0]


_TRANS_36 = bytes(x ^ 0x36 for x in range(256))
_TRANS_5C = bytes(x ^ 0x5C for x in range(256))


def hmac_sha256(key: bytes) -> Callable[[bytes], str]:
    """HMAC-SHA256 (RFC 2104) of messages under one key, as hex.

    Same result as ``hmac.new(key, message, "sha256").hexdigest()``; the key's padded inner
    and outer SHA-256 states are computed once and copied per message (as the standard
    library's own HMAC does), which avoids the per-call set-up of the one-shot function.
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_base = hashlib.sha256(key.translate(_TRANS_36))
    outer_base = hashlib.sha256(key.translate(_TRANS_5C))

    def mac(message: bytes) -> str:
        inner = inner_base.copy()
        inner.update(message)
        outer = outer_base.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    return mac


# --- redaction (retention) ---------------------------------------------------------------
#
# A record whose detail outlived its retention keeps its place in the chain: its detail is
# replaced by ``~redacted:<sha256 of the old detail>:<seal>``. The record's own hash and the
# links stay as they were (checkpoints still hold); the seal, an HMAC under a key derived from
# the chain key, covers every remaining field, the digest, the previous hash and the record's
# hash, so an edit of a redacted record is still found. The purge seals a record only after
# checking its hash against the full detail. ``json.dumps`` of a mapping never starts with
# ``~``, so an appended detail cannot pose as a redacted one.

REDACTED = "~redacted:"


def redaction_key(key: bytes) -> bytes:
    """The key that seals redacted records (derived from the chain key)."""
    return hmac.new(key, b"audit-redaction", hashlib.sha256).digest()


def is_redacted(detail: str) -> bool:
    """True when ``detail`` is a redaction marker (the detail is gone)."""
    return detail.startswith(REDACTED)


def detail_mapping(detail: str) -> dict[str, object]:
    """A record's detail as a mapping; empty when redacted or unreadable."""
    if is_redacted(detail):
        return {}
    try:
        value = json.loads(detail or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _seal_message(row: AuditRow, marker: str) -> bytes:
    sealed: AuditRow = (*row[:7], marker, row[8], row[9])
    return b"seal|" + row[8].encode() + b"|" + row[9].encode() + b"|" + canonical_row(sealed)


def redacted_detail(seal_key: bytes, row: AuditRow) -> str:
    """The marker that replaces ``row``'s detail (``row`` as stored, with its full detail)."""
    marker = REDACTED + hashlib.sha256(row[7].encode()).hexdigest()
    seal = hmac.new(seal_key, _seal_message(row, marker), hashlib.sha256).hexdigest()
    return f"{marker}:{seal}"


def seal_holds(seal_key: bytes, row: AuditRow) -> bool:
    """True when a redacted row's seal matches its fields, links and hash."""
    marker, _sep, seal = row[7].rpartition(":")
    if not marker.startswith(REDACTED) or len(seal) != 64:
        return False
    expected = hmac.new(seal_key, _seal_message(row, marker), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, seal)


def walk_rows(
    key: bytes, rows: Iterable[AuditRow], *, start_seq: int = 1, start_hash: str = GENESIS
) -> tuple[ChainProblem | None, int, str]:
    """Verify ``rows`` in order; the first problem (or None), the last seq and hash seen.

    A redacted record (:func:`redacted_detail`) is checked by its seal instead of its hash.
    """
    prev_hash = start_hash
    expected_seq = start_seq
    mac_of = hmac_sha256(key)
    compare = hmac.compare_digest
    seal_key = redaction_key(key)
    for row in rows:
        seq = row[0]
        if seq != expected_seq:
            if seq > expected_seq:
                return ChainProblem(expected_seq, "removed"), expected_seq - 1, prev_hash
            return ChainProblem(seq, "reordered"), expected_seq - 1, prev_hash
        if row[8] != prev_hash:
            return ChainProblem(seq, "reordered"), expected_seq - 1, prev_hash
        if row[7][:1] == "~":
            if not seal_holds(seal_key, row):
                return ChainProblem(seq, "edited"), expected_seq - 1, prev_hash
        elif not compare(mac_of(prev_hash.encode() + b"|" + canonical_row(row)), row[9]):
            return ChainProblem(seq, "edited"), expected_seq - 1, prev_hash
        prev_hash = row[9]
        expected_seq += 1
    return None, expected_seq - 1, prev_hash
