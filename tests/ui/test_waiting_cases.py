"""Supervisors close returned and interrupted cases from the Reports menu; the window ends
old returned cases at start-up (R-20)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.services.cases import Decision, NikSource
from app.services.persistence.models import BalikanItem, CaseRow
from app.ui.app_window import AppWindow
from app.ui.workers import wait_for_all
from tests.services.cases.conftest import World
from tests.ui.conftest import click, open_window, sign_in


def settled(qtbot: QtBot, dialog: object) -> None:
    """The dialog's database work (off the UI thread) is done and shown."""
    qtbot.waitUntil(lambda: dialog.task is None, timeout=10000)  # type: ignore[attr-defined]


def returned_case(world: World) -> str:
    cases = world.services.cases
    case = cases.open_case(world.officer, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer, {"KTP-el": True, "KK": True})
    cases.look_up(case, world.officer, world.examples()["found"], NikSource.TYPED)
    cases.decide(case, world.officer, Decision.RETURN)
    return str(case.number)


def state_and_item(world: World, number: str) -> tuple[str, str]:
    with world.services.core.sessions() as session:
        row = session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one()
        item = session.execute(
            select(BalikanItem).where(BalikanItem.case_number == number)
        ).scalar_one()
        return row.state, item.status


def test_a_supervisor_closes_a_returned_case_from_the_reports_menu(
    qtbot: QtBot, window: AppWindow, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = returned_case(world)
    sign_in(qtbot, window, "petugas")
    assert not window.waiting_cases_action.isEnabled()
    window.sign_out()
    sign_in(qtbot, window, "supervisor")
    assert window.waiting_cases_action.isEnabled()
    window.waiting_cases_action.trigger()
    dialog = window.waiting_dialog
    settled(qtbot, dialog)
    assert [w.number for w in dialog.returned] == [number]
    assert dialog.returned_table.item(0, 0).text() == number
    assert dialog.returned_table.item(0, 2).text() == "0"
    monkeypatch.setattr(dialog, "confirm", lambda _text: True)
    click(qtbot, dialog.close_returned_button)
    settled(qtbot, dialog)
    assert state_and_item(world, number) == ("cancelled", "pending")
    assert dialog.returned == []
    assert not dialog.close_returned_button.isEnabled()
    dialog.close()


def test_the_window_ends_old_returned_cases_at_start_up(qtbot: QtBot, world: World) -> None:
    number = returned_case(world)
    world.clock.advance(31 * 24 * 3600)
    window = open_window(qtbot, world, None)
    try:
        qtbot.waitUntil(lambda: state_and_item(world, number)[0] == "cancelled", timeout=10000)
        assert state_and_item(world, number) == ("cancelled", "pending")
    finally:
        window.close()
        wait_for_all(5000)


def test_a_supervisor_closes_an_interrupted_case_only_once_it_is_an_hour_old(
    qtbot: QtBot, window: AppWindow, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = world.services.cases
    case = cases.open_case(world.officer2, "PKH", "Pendaftaran bantuan")
    cases.check_documents(case, world.officer2, {"KTP-el": True, "KK": True})
    cases.look_up(case, world.officer2, world.examples()["found"], NikSource.TYPED)
    number = str(case.number)  # its counter stops here
    sign_in(qtbot, window, "supervisor")
    window.waiting_cases_action.trigger()
    dialog = window.waiting_dialog
    settled(qtbot, dialog)
    assert dialog.interrupted == []  # in use a moment ago: not offered
    assert not dialog.close_interrupted_button.isEnabled()
    dialog.close()
    world.clock.advance(2 * 3600)
    window.waiting_cases_action.trigger()
    dialog = window.waiting_dialog
    settled(qtbot, dialog)
    assert [w.number for w in dialog.interrupted] == [number]
    assert dialog.interrupted_table.item(0, 1).text() == world.services.core.settings.counter_id
    monkeypatch.setattr(dialog, "confirm", lambda _text: True)
    click(qtbot, dialog.close_interrupted_button)
    settled(qtbot, dialog)
    assert state_and_item(world, number) == ("cancelled", "pending")
    assert dialog.interrupted == []
    dialog.close()
