"""Retention of audit details: redacted records keep the chain verifiable, and tampering with a
redacted record (or laundering an edited one through the purge) is still found."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.services.audit_cli import run_audit_cli
from app.services.cases import Decision
from app.services.persistence.models import AuditRecord
from app.services.retention import purge
from app.services.settings import RetentionSettings
from tests.services.cases.conftest import World
from tests.services.cases.test_reports import serve

KEEP_DETAILS = RetentionSettings(answer_kind_days=0, case_days=30, audit_detail_days=365)


def _records(world: World) -> list[AuditRecord]:
    with world.services.core.sessions() as session:
        return list(session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars())


def _verify(world: World, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``loket audit verify``'s status, and the first problem as ``reason@seq`` (or "intact")."""
    capsys.readouterr()
    status = run_audit_cli("verify", world.services)
    with world.services.core.sessions() as session:
        problem = world.services.audit.examine(session).problem
    return status, "intact" if problem is None else f"{problem.reason}@{problem.seq}"


def _served(world: World) -> None:
    examples = world.examples()
    serve(world, examples["deceased"], Decision.REFUSE)
    serve(world, examples["found"], Decision.REFUSE)


def test_answer_kinds_go_from_the_trail_and_verify_still_passes(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _served(world)
    answered = [r for r in _records(world) if r.action == "lookup.answered"]
    assert {json.loads(r.detail)["outcome"] for r in answered} == {"deceased", "found"}
    hashes = {r.seq: r.hash for r in _records(world)}
    result = purge(
        world.services.core.sessions,
        world.services.audit,
        KEEP_DETAILS,
        world.clock() + timedelta(1),
    )
    assert result.audit_details == 2
    records = _records(world)
    for record in records:
        if record.action == "lookup.answered":
            assert "deceased" not in record.detail and "found" not in record.detail
            assert record.detail.startswith("~redacted:")
            assert record.nik_hash  # the record of processing still finds the resident
        else:
            assert not record.detail.startswith("~redacted:")
    # the chain's hashes are untouched: printed checkpoints still hold
    assert {r.seq: r.hash for r in records if r.seq in hashes} == hashes
    status, out = _verify(world, capsys)
    assert (status, out) == (0, "intact")
    # a second purge finds nothing more to redact and the trail still verifies
    again = purge(
        world.services.core.sessions,
        world.services.audit,
        KEEP_DETAILS,
        world.clock() + timedelta(2),
    )
    assert again.audit_details == 0
    assert _verify(world, capsys) == (0, "intact")


def test_all_details_go_after_their_period(
    world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.services.audit_redaction._BATCH", 3)  # many short transactions
    _served(world)
    # record 1 is written by the system clock at set-up; the world's cases by the world clock
    later = max(world.clock(), datetime.now()) + timedelta(days=366)
    result = purge(world.services.core.sessions, world.services.audit, KEEP_DETAILS, later)
    records = _records(world)
    assert records[0].action == "keys.initialised"  # binds the keys by its full hash: kept
    assert json.loads(records[0].detail)
    with_detail = [r for r in records[1:-1] if r.detail != "{}"]
    assert len(with_detail) > 10 and result.audit_details == len(with_detail)
    assert all(r.detail.startswith("~redacted:") for r in with_detail)
    purged = records[-1]
    assert purged.action == "retention.purged"
    assert json.loads(purged.detail)["audit_details"] == len(with_detail)
    assert _verify(world, capsys) == (0, "intact")


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "orang-lain"},  # another field of a redacted record
        {"detail": "~redacted:" + "0" * 64 + ":" + "1" * 64},  # a forged marker
        {"detail": json.dumps({"code": "", "outcome": "found"}, sort_keys=True)},  # put back
        {"case_number": "K-LAIN"},
    ],
)
def test_a_tampered_redacted_record_fails_verify(
    world: World, capsys: pytest.CaptureFixture[str], change: dict[str, str]
) -> None:
    _served(world)
    purge(
        world.services.core.sessions,
        world.services.audit,
        KEEP_DETAILS,
        world.clock() + timedelta(1),
    )
    target = next(r for r in _records(world) if r.action == "lookup.answered")
    assert target.detail.startswith("~redacted:")
    with world.services.core.sessions.begin() as session:
        session.execute(update(AuditRecord).where(AuditRecord.seq == target.seq).values(**change))
    status, out = _verify(world, capsys)
    assert (status, out) == (1, f"edited@{target.seq}")


def test_the_purge_does_not_launder_an_edited_record(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    _served(world)
    target = next(r for r in _records(world) if r.action == "lookup.answered")
    edited = json.dumps({"code": "", "outcome": "not_found"}, sort_keys=True)
    with world.services.core.sessions.begin() as session:
        session.execute(
            update(AuditRecord).where(AuditRecord.seq == target.seq).values(detail=edited)
        )
    result = purge(
        world.services.core.sessions,
        world.services.audit,
        KEEP_DETAILS,
        world.clock() + timedelta(1),
    )
    assert result.audit_details == 1  # only the untouched answer was sealed
    after = next(r for r in _records(world) if r.seq == target.seq)
    assert after.detail == edited
    status, out = _verify(world, capsys)
    assert (status, out) == (1, f"edited@{target.seq}")
