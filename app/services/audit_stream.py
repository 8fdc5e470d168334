"""The audit verifier's SQLite fast path: SQLite builds each record's hashed message.

For every record SQL returns the exact bytes its HMAC covers (the previous hash, ``|`` and the
canonical JSON of the hashed fields; for a redacted record the seal's message), so Python only
hashes and compares, batch by batch, in constant memory. SQLite's ``json_quote`` escapes like
``json.dumps`` for printable ASCII; where it differs (other characters) the hash does not match
and that record is checked again by the general path (:func:`app.domain.audit_chain.walk_rows`)
before any problem is named: a difference of escaping can never pass as intact or as edited.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from app.domain.audit_chain import ChainProblem, hmac_sha256, redaction_key, walk_rows

_BATCH = 10_000
_TIMES_ODD = (
    "SELECT 1 FROM audit_log WHERE seq >= ? AND NOT (length(at) = 26 AND "
    "substr(at, 11, 1) = ' ' AND substr(at, 20, 1) = '.') LIMIT 1"
)
# SQLAlchemy stores SQLite times as "YYYY-MM-DD HH:MM:SS.ffffff"; the hash covers
# ``datetime.isoformat()``: "T" between date and time, no fraction when it is zero.
_ISO_AT = (
    "substr(at, 1, 10) || 'T' || CASE WHEN substr(at, 21) = '000000' "
    "THEN substr(at, 12, 8) ELSE substr(at, 12) END"
)


def _canonical(detail: str) -> str:
    return (
        "'{\"action\":' || json_quote(action) || ',\"actor\":' || json_quote(actor) || "
        f'\',"at":"\' || {_ISO_AT} || \'","case_number":\' || json_quote(case_number) || '
        "',\"counter_id\":' || json_quote(counter_id) || "
        f"',\"detail\":' || json_quote({detail}) || ',\"nik_hash\":' || json_quote(nik_hash) || "
        "',\"seq\":' || seq || '}'"
    )


_MARKER = "substr(detail, 1, length(detail) - 65)"  # "~redacted:<digest>" without ":<seal>"
_MESSAGES = (
    "SELECT seq, prev_hash, hash, CAST(CASE WHEN substr(detail, 1, 1) = '~' "  # noqa: S608 (constant SQL)
    f"THEN 'seal|' || prev_hash || '|' || hash || '|' || {_canonical(_MARKER)} "
    f"ELSE prev_hash || '|' || {_canonical('detail')} END AS BLOB), "
    "CASE WHEN substr(detail, 1, 1) = '~' THEN substr(detail, -64) END "
    "FROM audit_log WHERE seq >= ? ORDER BY seq"
)
_ONE_ROW = (
    "SELECT seq, at, actor, counter_id, action, case_number, nik_hash, detail, prev_hash, hash "
    "FROM audit_log WHERE seq = ?"
)


def sqlite_walk(
    driver: Any,
    key: bytes,
    start_seq: int,
    start_hash: str,
    iso_text: Callable[[object], str],
) -> tuple[ChainProblem | None, int, str] | None:
    """:func:`walk_rows` on a SQLite driver connection; None when the times are not all in
    SQLAlchemy's own format (the caller then takes the general path)."""
    if driver.execute(_TIMES_ODD, (start_seq,)).fetchone() is not None:
        return None
    chain_mac, seal_mac = hmac_sha256(key), hmac_sha256(redaction_key(key))
    compare = hmac.compare_digest
    prev_hash, expected = start_hash, start_seq
    cursor = driver.execute(_MESSAGES, (start_seq,))
    try:
        while batch := cursor.fetchmany(_BATCH):
            for seq, prev, digest, message, seal in batch:
                if (
                    seq == expected
                    and prev == prev_hash
                    and compare((chain_mac if seal is None else seal_mac)(message), seal or digest)
                ):
                    prev_hash, expected = digest, expected + 1
                    continue
                # the general path decides (an escaping difference, or a real problem)
                row = driver.execute(_ONE_ROW, (seq,)).fetchone()
                full = (row[0], iso_text(row[1]), *row[2:])
                problem = walk_rows(key, [full], start_seq=expected, start_hash=prev_hash)[0]
                if problem is not None:
                    return problem, expected - 1, prev_hash
                prev_hash, expected = digest, expected + 1
    finally:
        cursor.close()
    return None, expected - 1, prev_hash
