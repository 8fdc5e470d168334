"""Several counters on one PostgreSQL database: outbox claims, quota, audit chain, migrations."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from app.services.audit import AuditTrail
from app.services.balikan.client import BalikanClient
from app.services.balikan.outbox import DELIVERED, BalikanParams, Outbox
from app.services.balikan.sender import BalikanSender
from app.services.db_cli import run_db_cli
from app.services.keys import KeyRing
from app.services.persistence.db import (
    create_db_engine,
    current_revision,
    head_revision,
    session_factory,
    upgrade_database,
)
from app.services.persistence.models import AuditRecord, BalikanItem, QuotaDay
from app.services.quota import QuotaCounter, QuotaExhausted
from app.services.settings import demo_settings
from app.services.simulator import FaultPlan, LinkShape, SimulatorConfig, start_simulator
from tests.services.balikan.conftest import synthetic_nik

pytestmark = pytest.mark.postgres

COUNTERS = 5
QUOTA = 60
ITEMS_PER_COUNTER = 24


def _together(work: Callable[[int], None], count: int = COUNTERS) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(10)
            work(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


def test_counters_starting_together_migrate_once(pg_url: str) -> None:
    engines = [create_db_engine(pg_url) for _ in range(COUNTERS)]
    errors = _together(lambda i: upgrade_database(engines[i]) and None)
    assert not errors
    assert current_revision(engines[0]) == head_revision()
    out = io.StringIO()
    assert run_db_cli(["upgrade"], demo_settings(), url=pg_url, out=out) == 0
    assert head_revision() in out.getvalue()
    for engine in engines:
        engine.dispose()


@pytest.fixture
def pg_engine(pg_url: str) -> Engine:
    engine = create_db_engine(pg_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


def test_claims_skip_rows_locked_by_another_counter(pg_engine: Engine) -> None:
    keys = KeyRing.generate()
    outbox = Outbox(keys, "330301", "Contoh")
    sessions = session_factory(pg_engine)
    with sessions.begin() as session:
        for index in range(4):
            outbox.enqueue(session, f"S-{index}", synthetic_nik(index), BalikanParams("PKH", "R"))
    first = sessions()
    first.begin()
    held = {i.id for i in outbox.claim(first, "A#h#1", 3)}  # uncommitted: rows stay locked
    with sessions.begin() as session:
        other = {i.id for i in outbox.claim(session, "B#h#2", 3)}  # no wait, not A's rows
    first.rollback()
    first.close()
    assert len(held) == 3 and len(other) == 1
    assert held.isdisjoint(other)


def test_five_counters_quota_outbox_and_audit(pg_engine: Engine, pg_url: str) -> None:
    keys = KeyRing.generate()
    day = datetime(2026, 3, 2, 9, 0, 0)
    granted = [0] * COUNTERS
    faults = FaultPlan(LinkShape(latency_ms=5))
    with start_simulator(SimulatorConfig(), mode="test", faults=faults) as running:
        base = running.base_url + "/data_balikan/public"

        def counter(index: int) -> None:
            engine = create_db_engine(pg_url)  # each counter its own connections
            sessions = session_factory(engine)
            counter_id = f"LOKET-{index + 1}"
            audit = AuditTrail(keys.audit_key, counter_id, lambda: day)
            quota = QuotaCounter(QUOTA, lambda: day)
            outbox = Outbox(keys, "330301", "Contoh", clock=lambda: day)
            # lookups: every counter tries more hits than the agency has left
            for _ in range(QUOTA):
                try:
                    with sessions.begin() as session:
                        quota.reserve(session)
                        audit.append(session, counter_id, "lookup.sent")
                        granted[index] += 1
                except QuotaExhausted:
                    with sessions.begin() as session:
                        audit.append(session, counter_id, "quota.refused")
            # cases close: one item owed per resident
            for number in range(ITEMS_PER_COUNTER):
                serial = index * ITEMS_PER_COUNTER + number
                with sessions.begin() as session:
                    item = outbox.enqueue(
                        session,
                        f"{counter_id}-{number}",
                        synthetic_nik(serial),
                        BalikanParams("PKH", f"R-{serial}"),
                    )
                    audit.append(
                        session,
                        counter_id,
                        "balikan.queued",
                        case_number=item.case_number,
                        nik_hash=item.nik_hash,
                    )
            # every counter's sender drains the shared outbox at the same time
            client = BalikanClient(base, SimulatorConfig().balikan.token, timeout=10)
            sender = BalikanSender(
                sessions,
                outbox,
                client,
                counter_id=counter_id,
                audit=audit,
                shape="batch" if index % 2 else "form",
                batch_size=4,
            )
            sender.send_once()
            client.close()
            engine.dispose()

        errors = _together(counter)
        deliveries = list(running.simulator.balikan)
    assert not errors, errors
    total = COUNTERS * ITEMS_PER_COUNTER
    assert sum(granted) == QUOTA  # never exceeded, none lost
    sessions = session_factory(pg_engine)
    with sessions() as session:
        assert session.get(QuotaDay, day.date()).used == QUOTA
        statuses = session.execute(select(BalikanItem.status, BalikanItem.nik_ciphertext)).all()
        assert len(statuses) == total
        assert all(s == DELIVERED and c is None for s, c in statuses)
        audit = AuditTrail(keys.audit_key, "check", lambda: day)
        assert audit.verify(session) is None
        seqs = list(session.execute(select(AuditRecord.seq).order_by(AuditRecord.seq)).scalars())
        assert seqs == list(range(1, len(seqs) + 1))
        delivered_records = session.execute(
            select(func.count()).where(AuditRecord.action == "balikan.delivered")
        ).scalar_one()
    assert delivered_records == total
    # SKIP LOCKED: no item was sent by two counters, so not even a duplicate answer
    assert sorted(d.nik for d in deliveries) == sorted(synthetic_nik(i) for i in range(total))
    assert not any(d.duplicate for d in deliveries)
