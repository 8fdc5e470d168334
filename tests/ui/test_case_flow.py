"""Full cases through the counter window, on the in-process simulator."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.domain.case_flow import CaseState
from app.domain.outcomes import OutcomeKind
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_ISSUE, PAGE_NEW, PAGE_VERIFY
from tests.services.cases.conftest import World
from tests.ui.conftest import all_text, click, look_up, sign_in, start_case


def test_approve_path_issues_prints_hands_over_and_wipes(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = world.examples()["found"]
    look_up(qtbot, screen, nik)
    assert screen.page == PAGE_VERIFY
    case = screen.case
    assert case is not None and case.last is not None and case.last.kind is OutcomeKind.FOUND
    shown = screen.verify_page.shown_text()
    assert nik in shown  # the permitted NIK element is on screen
    assert "ISLAM" not in shown  # religion is never permitted
    click(qtbot, screen.verify_page.approve)
    assert screen.page == PAGE_ISSUE and case.state is CaseState.APPROVED
    click(qtbot, screen.issue_page.issue)
    assert case.state is CaseState.ISSUED
    assert screen.issue_page.preview.loaded
    assert screen.issue_page.preview.document.pageCount() == 1
    click(qtbot, screen.issue_page.hand_over)
    assert case.state is CaseState.BALIKAN_QUEUED
    assert "1" in window.status.balikan.text()
    click(qtbot, screen.issue_page.close_case)
    assert case.state is CaseState.CLOSED
    assert case.nik is None and case.last is None  # the core's wipe ran
    assert screen.page == PAGE_NEW and screen.case is None
    assert nik not in all_text(window)
    assert not screen.issue_page.preview.loaded
