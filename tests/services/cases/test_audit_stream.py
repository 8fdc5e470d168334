"""The SQLite fast path of ``loket audit verify`` agrees with the exact definition: text that
SQLite escapes differently from the hash's JSON still verifies, and an edit of it is found."""

from __future__ import annotations

from sqlalchemy import update

from app.services.persistence.models import AuditRecord
from tests.services.cases.conftest import World

ODD_TEXTS = ("petugas-é", "loket\x7f", "nama 漢字", 'kutip "dan" \\ garis')


def _append_odd(world: World) -> list[int]:
    seqs = []
    with world.services.core.sessions.begin() as session:
        for text in ODD_TEXTS:
            record = world.services.audit.append(
                session, text, "test.odd", case_number=text, detail={"reason": text}
            )
            seqs.append(record.seq)
    return seqs


def _problem(world: World) -> tuple[str, int] | None:
    with world.services.core.sessions() as session:
        problem = world.services.audit.examine(session).problem
    return None if problem is None else (problem.reason, problem.seq)


def test_text_sqlite_escapes_otherwise_verifies_and_its_edit_is_found(world: World) -> None:
    seqs = _append_odd(world)
    assert _problem(world) is None
    with world.services.core.sessions.begin() as session:
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == seqs[2]).values(actor="nama 漢子")
        )
    assert _problem(world) == ("edited", seqs[2])


def test_a_removed_record_after_odd_text_is_named(world: World) -> None:
    seqs = _append_odd(world)
    with world.services.core.sessions.begin() as session:
        session.execute(update(AuditRecord).where(AuditRecord.seq == seqs[1]).values(seq=10_000))
    assert _problem(world) == ("removed", seqs[1])
