"""The streaming verifier's fast path hashes exactly what the chain's definition hashes."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from app.domain.audit_chain import (
    GENESIS,
    AuditEntry,
    AuditRow,
    canonical,
    canonical_row,
    detail_mapping,
    entry_hash,
    hashed_fields,
    is_redacted,
    redacted_detail,
    redaction_key,
    verify_chain,
    verify_rows,
    walk_rows,
)

KEY = b"k" * 32
texts = st.text(max_size=40)
optional = st.none() | texts


def _row(entry: AuditEntry) -> AuditRow:
    return (
        entry.seq,
        entry.at.isoformat(),
        entry.actor,
        entry.counter_id,
        entry.action,
        entry.case_number,
        entry.nik_hash,
        entry.detail,
        entry.prev_hash,
        entry.hash,
    )


@given(
    seq=st.integers(min_value=1, max_value=10**9),
    at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    actor=texts,
    counter=texts,
    action=texts,
    case=optional,
    nik_hash=optional,
    detail=texts,
)
def test_canonical_row_is_the_canonical_form(
    seq: int,
    at: datetime,
    actor: str,
    counter: str,
    action: str,
    case: str | None,
    nik_hash: str | None,
    detail: str,
) -> None:
    entry = AuditEntry(seq, at, actor, counter, action, case, nik_hash, detail, GENESIS, "")
    assert canonical_row(_row(entry)) == canonical(hashed_fields(entry))


def _chain(count: int) -> list[AuditEntry]:
    entries, prev = [], GENESIS
    for seq in range(1, count + 1):
        draft = AuditEntry(
            seq, datetime(2026, 1, 1, 8, seq), "petugas", "LOKET-1", "login.ok",
            None, None, '{"n": "é"}', prev, "",
        )  # fmt: skip
        digest = entry_hash(KEY, prev, hashed_fields(draft))
        entries.append(AuditEntry(*[*_row(draft)[:1], draft.at, *_row(draft)[2:9], digest]))
        prev = digest
    return entries


def test_rows_and_entries_agree_on_every_tampering() -> None:
    entries = _chain(6)
    rows = [_row(e) for e in entries]
    assert verify_rows(KEY, rows) is None and verify_chain(KEY, entries) is None
    problem, last_seq, last_hash = walk_rows(KEY, rows)
    assert problem is None and last_seq == 6 and last_hash == entries[-1].hash
    edited = [*rows[:3], (*rows[3][:2], "orang-lain", *rows[3][3:]), *rows[4:]]
    problem = verify_rows(KEY, edited)
    assert problem is not None and (problem.seq, problem.reason) == (4, "edited")
    removed = verify_rows(KEY, rows[:2] + rows[3:])
    assert removed is not None and (removed.seq, removed.reason) == (3, "removed")
    swapped = [*rows[:2], (3, *rows[3][1:]), (4, *rows[2][1:]), *rows[4:]]
    reordered = verify_rows(KEY, swapped)
    assert reordered is not None and (reordered.seq, reordered.reason) == (3, "reordered")
    tail = walk_rows(KEY, rows[3:], start_seq=4, start_hash=rows[2][9])
    assert tail == (None, 6, entries[-1].hash)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_stored_times_read_back_as_the_hashed_iso_text(moment: datetime) -> None:
    from app.services.audit import _iso_text

    stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLAlchemy stores it in SQLite
    assert _iso_text(stored) == moment.isoformat()
    assert _iso_text(moment) == moment.isoformat()  # PostgreSQL hands back a datetime
    assert _iso_text(moment.isoformat(sep=" ")) == moment.isoformat()


@given(key=st.binary(max_size=100), message=st.binary(max_size=500))
def test_hmac_sha256_is_the_standard_hmac(key: bytes, message: bytes) -> None:
    import hashlib
    import hmac

    from app.domain.audit_chain import hmac_sha256

    assert hmac_sha256(key)(message) == hmac.new(key, message, hashlib.sha256).hexdigest()


def test_a_redacted_row_keeps_the_chain_and_an_edit_of_it_is_found() -> None:
    rows = [_row(entry) for entry in _chain(4)]
    seal_key = redaction_key(KEY)
    redacted = list(rows)
    redacted[1] = (*rows[1][:7], redacted_detail(seal_key, rows[1]), *rows[1][8:])  # type: ignore[assignment]
    assert is_redacted(redacted[1][7]) and "é" not in redacted[1][7]
    assert detail_mapping(redacted[1][7]) == {}
    assert walk_rows(KEY, redacted) == (None, 4, rows[3][9])
    for index, value in ((2, "orang-lain"), (5, "K-1"), (6, "f" * 64)):
        edited = list(redacted)
        edited[1] = (*redacted[1][:index], value, *redacted[1][index + 1 :])  # type: ignore[assignment]
        problem = walk_rows(KEY, edited)[0]
        assert problem is not None and (problem.seq, problem.reason) == (2, "edited")
    # a marker sealed with another key, or a seal moved to another record, does not hold
    forged = list(rows)
    forged[1] = (*rows[1][:7], redacted_detail(redaction_key(b"x" * 32), rows[1]), *rows[1][8:])  # type: ignore[assignment]
    problem = walk_rows(KEY, forged)[0]
    assert problem is not None and (problem.seq, problem.reason) == (2, "edited")
    moved = list(rows)
    moved[2] = (*rows[2][:7], redacted[1][7], *rows[2][8:])  # type: ignore[assignment]
    problem = walk_rows(KEY, moved)[0]
    assert problem is not None and (problem.seq, problem.reason) == (3, "edited")
