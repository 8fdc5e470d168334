"""Canary run (issue 11): the officer types the resident's canary names and spaced / odd-digit
NIKs into every free-text field of the case service; not one of them reaches the disk."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.case_reasons import CaseReason
from app.services.cases import Decision, GuardOverride, GuardRefused, NikSource
from app.services.cases.errors import NikNotAllowedHere, ProgrammeNotListed
from app.services.demo import build_demo
from app.services.logging_setup import configure_logging
from app.services.simulator import GatewaySimulator, SimulatorConfig
from app.services.simulator.population import Person
from tests.fakes.canary import all_canaries, canary_population, scan_for, typed_variants
from tests.services.cases.conftest import FakeClock, World


@pytest.fixture
def canary_world(tmp_path: Path) -> Iterator[tuple[World, Path]]:
    root = tmp_path / "root"
    configure_logging(logging.DEBUG, directory=root / "logs")
    clock = FakeClock()
    simulator = GatewaySimulator(
        SimulatorConfig(), mode="test", clock=clock, population=canary_population()
    )
    demo = build_demo(root / "data", clock=clock, simulator=simulator)
    officers = demo.services.officers
    world = World(
        demo,
        clock,
        officers.authenticate("petugas", "demo1234"),
        officers.authenticate("petugas2", "demo1234"),
        officers.authenticate("supervisor", "demo1234"),
        officers.authenticate("admin", "demo1234"),
    )
    yield world, root
    root_logger = logging.getLogger()
    for handler in list(root_logger.handlers):
        if getattr(handler, "_loket", False):
            root_logger.removeHandler(handler)
            handler.close()


def words_of(person: Person) -> list[str]:
    """What an officer copies from the screen or the applicant's documents."""
    return [person.name, person.birth_place, person.address, person.occupation]


def typed(person: Person, index: int) -> str:
    nik = typed_variants(person.nik)[index % 7]
    kk = typed_variants(person.no_kk)[(index + 3) % 7]
    return f"nama {' '.join(words_of(person))}, NIK {nik}, KK {kk}"


def needles(person: Person) -> list[str]:
    found = [person.nik, person.no_kk, *typed_variants(person.nik), *typed_variants(person.no_kk)]
    return found + all_canaries(canary_population())


def test_no_canary_typed_into_a_case_reaches_the_disk(
    canary_world: tuple[World, Path],
) -> None:
    world, root = canary_world
    cases = world.services.cases
    officer = world.officer
    person = world.simulator.population.get(world.examples()["found"])
    assert person is not None
    with pytest.raises(ProgrammeNotListed):
        cases.open_case(officer, person.name, typed(person, 0))

    # 1: returned with a remark, resumed, cancelled with a reason
    case = cases.open_case(officer, "PKH", typed(person, 1))
    cases.check_documents(case, officer, {"KTP-el": True})
    assert cases.look_up(case, officer, person.nik, NikSource.TYPED).record is not None
    cases.decide(
        case, officer, Decision.RETURN, typed(person, 2), reasons=[CaseReason.NAME_DIFFERS]
    )
    world.clock.advance(60)
    resumed = cases.resume_returned(officer, case.number, person.nik, NikSource.CARD)
    cases.look_up(resumed, officer, person.nik, NikSource.CARD)
    cases.cancel(resumed, officer, typed(person, 3))

    # 2: approved; the number fields refuse what looks like a NIK or a name
    world.clock.advance(60)
    case = cases.open_case(officer, "BPNT", typed(person, 4))
    cases.check_documents(case, officer, {"KTP-el": True})
    cases.look_up(case, officer, person.nik, NikSource.TYPED)
    cases.decide(case, officer, Decision.APPROVE, typed(person, 5), documents_match=True)
    for number in (typed_variants(person.nik)[4], person.name, typed_variants(person.no_kk)[0]):
        with pytest.raises(NikNotAllowedHere):
            cases.issue(case, officer, number)
    cases.issue(case, officer, "SK-7/2026")
    cases.record_printed(case, officer)
    with pytest.raises(NikNotAllowedHere):
        cases.hand_over(case, officer, typed_variants(person.nik)[1])
    cases.record_printed(case, officer)
    cases.hand_over(case, officer, "REG-1")
    cases.close(case, officer)

    # 3: a neighbouring NIK refused by the guard, allowed by a supervisor with a typed reason
    # (the purpose names no one here: a name the gateway never answered cannot be known)
    world.clock.advance(60)
    case = cases.open_case(officer, "PKH", f"NIK {typed_variants(person.nik)[6]}")
    cases.check_documents(case, officer, {"KTP-el": True})
    neighbour = person.nik[:12] + f"{int(person.nik[12:]) + 1:04d}"
    with pytest.raises(GuardRefused):
        cases.look_up(case, officer, neighbour, NikSource.TYPED)
    override = GuardOverride(world.supervisor, typed(person, 0))
    cases.look_up(case, officer, neighbour, NikSource.TYPED, override=override)
    cases.decide(case, officer, Decision.REFUSE, typed(person, 1), reasons=[CaseReason.OTHER])
    cases.close(case, officer)

    logging.getLogger("app.test").info("canary run done: %s", typed_variants(person.nik)[0])
    world.services.core.close()
    assert (root / "data" / "loket.sqlite3").is_file() and (root / "logs" / "loket.log").is_file()
    leaks = scan_for(root, needles(person))
    assert not leaks, "typed population data found on disk:\n" + "\n".join(leaks)
