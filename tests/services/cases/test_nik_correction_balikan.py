"""The held data balikan item follows a NIK corrected in the same case (issue 14).

The rule: the data balikan reports the resident actually served. When a corrected lookup or
a card read of another NIK accesses data, the held item (HELD only, never one already
pending or sent) takes the new NIK (ciphertext and hash), audited without the NIK itself.
When the corrected NIK is not found, the item stays as it was: the first NIK's data was
accessed, so its balikan stays owed.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.nik import parse_nik
from app.services.balikan.outbox import HELD, PENDING
from app.services.cases import Decision, NikCorrection, NikSource
from app.services.persistence.models import AuditRecord, BalikanItem
from tests.services.cases.conftest import World

CHECKLIST = {"form": True, "identity": True, "kk": True}


def _two_found(world: World) -> tuple[str, str]:
    """Two registered, living residents far apart (the pattern guard lets both through)."""
    first = world.examples()["found"]
    for person in world.simulator.population.people():
        if person.status.value == "active" and person.nik[:6] != first[:6]:
            return first, person.nik
    raise AssertionError("the simulated population has a second region")


def _item(world: World) -> BalikanItem:
    with world.services.core.sessions() as session:
        return session.execute(select(BalikanItem)).scalar_one()


def _audit(world: World) -> list[AuditRecord]:
    with world.services.core.sessions() as session:
        return list(session.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars())


def _held_nik(world: World) -> str:
    item = _item(world)
    assert item.status == HELD
    return str(world.services.outbox.nik_of(item))


def _no_nik_in_audit(world: World, *niks: str) -> None:
    for record in _audit(world):
        for nik in niks:
            assert nik not in (record.detail or "")
            assert nik not in (record.case_number or "")


def _opened(world: World) -> object:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, CHECKLIST)
    return case


def test_a_typed_correction_that_finds_data_moves_the_held_item(world: World) -> None:
    keys = world.services.keys
    first, second = _two_found(world)
    cases = world.services.cases
    case = _opened(world)
    cases.look_up(case, world.officer, first, NikSource.TYPED)
    assert _held_nik(world) == first
    world.clock.advance(60)
    cases.look_up(
        case, world.officer, second, NikSource.TYPED, correction=NikCorrection.TYPING_ERROR
    )
    item = _item(world)
    assert item.status == HELD
    assert item.nik_hash == keys.nik_hash(second)
    assert world.services.outbox.nik_of(item) == second
    moved = [r for r in _audit(world) if r.action == "balikan.nik_replaced"]
    assert len(moved) == 1
    assert moved[0].nik_hash == keys.nik_hash(second)
    assert moved[0].case_number == case.number  # type: ignore[attr-defined]
    _no_nik_in_audit(world, first, second)
    # and the item sent at the end is the second resident's
    cases.decide(case, world.officer, Decision.APPROVE, documents_match=True)
    cases.issue(case, world.officer)
    cases.record_printed(case, world.officer)
    cases.hand_over(case, world.officer, "REG-7")
    item = _item(world)
    assert item.status == PENDING
    assert world.services.outbox.nik_of(item) == second
    assert item.nik_hash == keys.nik_hash(second)


def test_a_typed_correction_that_is_not_found_keeps_the_first_nik_owed(world: World) -> None:
    keys = world.services.keys
    first = world.examples()["found"]
    missing = world.examples()["not_found"]
    cases = world.services.cases
    case = _opened(world)
    cases.look_up(case, world.officer, first, NikSource.TYPED)
    world.clock.advance(60)
    view = cases.look_up(
        case, world.officer, missing, NikSource.TYPED, correction=NikCorrection.TYPING_ERROR
    )
    assert view.kind.name == "NOT_FOUND"
    assert _held_nik(world) == first
    assert _item(world).nik_hash == keys.nik_hash(first)
    assert not [r for r in _audit(world) if r.action == "balikan.nik_replaced"]
    cases.cancel(case, world.officer, "pemohon pergi")
    item = _item(world)
    assert item.status == PENDING  # never hidden: the first resident's data was accessed
    assert world.services.outbox.nik_of(item) == first


def test_a_card_read_of_another_nik_moves_the_held_item(world: World) -> None:
    keys = world.services.keys
    first, second = _two_found(world)
    cases = world.services.cases
    case = _opened(world)
    cases.look_up(case, world.officer, first, NikSource.TYPED)
    assert _held_nik(world) == first
    world.clock.advance(60)
    cases.record_card_read(case, world.officer, parse_nik(second), demographic=True)
    assert _held_nik(world) == second
    assert _item(world).nik_hash == keys.nik_hash(second)
    moved = [r for r in _audit(world) if r.action == "balikan.nik_replaced"]
    assert len(moved) == 1 and moved[0].nik_hash == keys.nik_hash(second)
    _no_nik_in_audit(world, first, second)
    # the lookup of the card's NIK that follows changes nothing more
    world.clock.advance(60)
    cases.look_up(case, world.officer, second, NikSource.CARD)
    assert _held_nik(world) == second
    assert len([r for r in _audit(world) if r.action == "balikan.nik_replaced"]) == 1


def test_a_card_read_without_data_keeps_the_first_nik(world: World) -> None:
    first, second = _two_found(world)
    cases = world.services.cases
    case = _opened(world)
    cases.record_card_read(case, world.officer, parse_nik(first), demographic=True)
    assert _held_nik(world) == first
    world.clock.advance(60)
    cases.record_card_read(case, world.officer, parse_nik(second), demographic=False)
    assert _held_nik(world) == first  # no data of the second card was accessed
    assert not [r for r in _audit(world) if r.action == "balikan.nik_replaced"]
    world.clock.advance(60)
    cases.record_card_read(case, world.officer, parse_nik(second), demographic=True)
    assert _held_nik(world) == second


def test_an_item_already_queued_never_takes_another_nik(world: World) -> None:
    first, second = _two_found(world)
    cases = world.services.cases
    case = _opened(world)
    cases.look_up(case, world.officer, first, NikSource.TYPED)
    cases.cancel(case, world.officer, "pemohon pergi")
    with world.services.core.sessions.begin() as session:
        held = world.services.outbox.hold(session, case.number, second)  # type: ignore[attr-defined]
        assert held.status == PENDING and not held.replaced
    item = _item(world)
    assert item.status == PENDING
    assert world.services.outbox.nik_of(item) == first
