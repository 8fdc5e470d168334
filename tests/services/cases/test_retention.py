"""Retention: the answer kind next to a NIK hash goes after closure, case details later, only
once nothing is owed; counts for reports stay; the audit chain still verifies."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.services.cases import Decision
from app.services.persistence.models import BalikanItem, CaseRow
from app.services.retention import purge
from app.services.settings import RetentionSettings
from tests.services.cases.conftest import World
from tests.services.cases.test_reports import serve


def test_purge_redacts_by_category_and_keeps_counts_and_the_chain(world: World) -> None:
    examples = world.examples()
    serve(world, examples["found"], Decision.APPROVE)  # owes data balikan
    serve(world, examples["not_found"], Decision.REFUSE)  # owes nothing
    services = world.services
    today = world.clock().date()
    before = services.reports.figures(world.supervisor, today, today)
    retention = RetentionSettings(answer_kind_days=0, case_days=30, delivered_item_days=10)
    first = purge(services.core.sessions, services.audit, retention, world.clock() + timedelta(1))
    assert (first.answer_kinds, first.cases, first.delivered_items) == (2, 0, 0)
    with services.core.sessions() as session:
        rows = session.execute(select(CaseRow).order_by(CaseRow.id)).scalars().all()
        assert [r.last_outcome for r in rows] == [None, None]
        assert all(r.nik_hash for r in rows)  # case details kept for 30 days
    later = world.clock() + timedelta(days=31)
    second = purge(services.core.sessions, services.audit, retention, later)
    assert second.cases == 1  # the approved case still owes its data balikan
    with services.core.sessions() as session:
        rows = session.execute(select(CaseRow).order_by(CaseRow.id)).scalars().all()
        assert rows[0].nik_hash is not None and rows[1].nik_hash is None
        assert rows[1].purpose == ""
        item = session.execute(select(BalikanItem)).scalar_one()
        item.status, item.delivered_at = "delivered", world.clock()
        item.fields = '[{"name": "nomor_penerima", "label": "Nomor", "value": "PKH-1"}]'
        session.commit()
    third = purge(services.core.sessions, services.audit, retention, later)
    assert (third.cases, third.delivered_items) == (1, 1)
    with services.core.sessions() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
        assert item.nik_hash == "" and item.params == "{}" and item.nik_ciphertext is None
        assert item.fields == "[]"  # the data balikan field values go with the params
        assert session.execute(select(CaseRow.nik_hash)).scalars().all() == [None, None]
    after = services.reports.figures(world.supervisor, today, today)
    assert (after.hits, after.cases_opened, after.decisions) == (
        before.hits,
        before.cases_opened,
        before.decisions,
    )
    assert services.verify_audit() is None
