"""Which case steps wait for the disk at commit (issue 17: fewer fsyncs, same durability).

A step whose loss would hide something owed or contradict what left the counter commits with
``synchronous=FULL`` (SQLite level 2): the lookup sent (a counted hit), its answer (a data
balikan item becomes owed), the issue (a document number goes to paper), the hand-over (the
data balikan is queued), a return or refusal (the applicant leaves with a slip), closing a
refused case (it queues the data balikan). A step that only moves the case on at this
counter commits with ``synchronous=NORMAL`` (level 1): opening, documents, an approval,
"printed", closing after the hand-over. Every other transaction stays FULL.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from app.services.cases import Decision, NikSource
from tests.services.cases.conftest import World
from tests.services.sql_trace import trace

FULL, NORMAL = 2, 1


def _levels(world: World, step: Callable[[], object]) -> list[int]:
    """The SQLite safety level of each commit ``step()`` makes."""
    return trace(world.services.core.engine, step).levels


def test_the_approved_case_waits_for_the_disk_only_where_something_leaves_the_counter(
    world: World,
) -> None:
    cases, officer = world.services.cases, world.officer
    opened: list[object] = []
    assert _levels(world, lambda: opened.append(cases.open_case(officer, "PKH", "Daftar"))) == [
        NORMAL
    ]
    case = opened[0]
    assert _levels(world, lambda: cases.check_documents(case, officer, {"KTP-el": True})) == [
        NORMAL
    ]
    found = world.examples()["found"]
    assert _levels(world, lambda: cases.look_up(case, officer, found, NikSource.TYPED)) == [
        FULL,
        FULL,
    ]
    approve = lambda: cases.decide(case, officer, Decision.APPROVE, documents_match=True)  # noqa: E731
    assert _levels(world, approve) == [NORMAL]
    assert _levels(world, lambda: cases.issue(case, officer)) == [FULL]
    assert _levels(world, lambda: cases.record_printed(case, officer)) == [NORMAL]
    assert _levels(world, lambda: cases.hand_over(case, officer, "REG-1")) == [FULL]
    assert _levels(world, lambda: cases.close(case, officer)) == [NORMAL]


def test_a_refusal_and_closing_the_refused_case_wait_for_the_disk(world: World) -> None:
    cases, officer = world.services.cases, world.officer
    case = cases.open_case(officer, "PKH", "Daftar")
    cases.check_documents(case, officer, {"KTP-el": True})
    cases.look_up(case, officer, world.examples()["found"], NikSource.TYPED)
    assert _levels(world, lambda: cases.decide(case, officer, Decision.REFUSE)) == [FULL]
    assert _levels(world, lambda: cases.close(case, officer)) == [FULL]


def test_a_return_for_fixes_waits_for_the_disk(world: World) -> None:
    cases, officer = world.services.cases, world.officer
    case = cases.open_case(officer, "PKH", "Daftar")
    cases.check_documents(case, officer, {"KTP-el": False})
    cases.look_up(case, officer, world.examples()["found"], NikSource.TYPED)
    assert _levels(world, lambda: cases.decide(case, officer, Decision.RETURN)) == [FULL]


def test_the_transaction_after_a_relaxed_one_on_the_same_connection_is_full_again(
    world: World,
) -> None:
    cases, officer = world.services.cases, world.officer
    case = cases.open_case(officer, "PKH", "Daftar")  # relaxed
    assert case.number
    sessions = world.services.core.sessions

    def _other() -> None:
        with sessions.begin() as session:
            session.execute(text("SELECT 1"))

    assert _levels(world, _other) == [FULL]
