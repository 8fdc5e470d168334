"""Holding a data balikan item: one item per case, idempotent, NIK only encrypted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.services.balikan.outbox import HELD, PENDING, BalikanParams, Outbox
from app.services.keys import KeyRing
from app.services.persistence.models import BalikanItem
from tests.services.balikan.conftest import synthetic_nik


def test_hold_stores_one_held_item_with_the_nik_encrypted(
    sessions: sessionmaker[Session], outbox: Outbox, keys: KeyRing
) -> None:
    nik = synthetic_nik(7)
    with sessions.begin() as session:
        returned = outbox.hold(session, "H-1", nik)
    with sessions() as session:
        stored = session.execute(select(BalikanItem)).scalar_one()
        assert returned.id == stored.id
        assert stored.status == HELD
        assert stored.case_number == "H-1"
        assert stored.nik_ciphertext is not None and nik.encode() not in stored.nik_ciphertext
        assert keys.decrypt(stored.nik_ciphertext, "H-1") == nik
        assert stored.nik_hash == keys.nik_hash(nik)
        assert outbox.held_nik(session, "H-1") == nik


def test_holding_twice_keeps_the_first_item(
    sessions: sessionmaker[Session], outbox: Outbox
) -> None:
    with sessions.begin() as session:
        first = outbox.hold(session, "H-2", synthetic_nik(8))
    with sessions.begin() as session:
        again = outbox.hold(session, "H-2", synthetic_nik(8))
        assert again.id == first.id
    with sessions.begin() as session:  # twice in one transaction too
        outbox.hold(session, "H-3", synthetic_nik(9))
        outbox.hold(session, "H-3", synthetic_nik(9))
    with sessions() as session:
        count = session.execute(select(func.count(BalikanItem.id))).scalar_one()
        assert count == 2


def test_a_queued_item_is_not_held_again(sessions: sessionmaker[Session], outbox: Outbox) -> None:
    with sessions.begin() as session:
        outbox.hold(session, "H-4", synthetic_nik(10))
        queued = outbox.enqueue(session, "H-4", synthetic_nik(10), BalikanParams("PKH", "REG-4"))
    with sessions.begin() as session:
        again = outbox.hold(session, "H-4", synthetic_nik(10))
        assert again.id == queued.id
        assert again.status == PENDING
    with sessions() as session:
        stored = session.execute(select(BalikanItem)).scalar_one()
        assert stored.status == PENDING
        assert '"REG-4"' in stored.params


def test_a_held_item_takes_a_corrected_nik(
    sessions: sessionmaker[Session], outbox: Outbox, keys: KeyRing
) -> None:
    with sessions.begin() as session:
        first = outbox.hold(session, "H-5", synthetic_nik(11))
        assert not first.replaced
    with sessions.begin() as session:
        again = outbox.hold(session, "H-5", synthetic_nik(11))  # the same NIK: nothing moves
        assert again.id == first.id and not again.replaced
    with sessions.begin() as session:
        moved = outbox.hold(session, "H-5", synthetic_nik(12))
        assert moved.id == first.id and moved.replaced and moved.status == HELD
    with sessions() as session:
        stored = session.execute(select(BalikanItem)).scalar_one()
        assert stored.nik_hash == keys.nik_hash(synthetic_nik(12))
        assert outbox.held_nik(session, "H-5") == synthetic_nik(12)


def test_a_queued_item_keeps_its_nik(
    sessions: sessionmaker[Session], outbox: Outbox, keys: KeyRing
) -> None:
    with sessions.begin() as session:
        outbox.hold(session, "H-6", synthetic_nik(13))
        outbox.enqueue(session, "H-6", synthetic_nik(13), BalikanParams("PKH", "REG-6"))
    with sessions.begin() as session:
        again = outbox.hold(session, "H-6", synthetic_nik(14))
        assert again.status == PENDING and not again.replaced
    with sessions() as session:
        stored = session.execute(select(BalikanItem)).scalar_one()
        assert stored.nik_hash == keys.nik_hash(synthetic_nik(13))
        assert outbox.nik_of(stored) == synthetic_nik(13)
