"""Verify by element (R-09) through the counter window, on the in-process simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.case_flow import CaseState
from app.domain.i18n import _
from app.domain.outcomes import OutcomeKind
from app.services.cases import NotIssuable, VerifyElementsMissing
from app.services.settings import settings_from_dicts
from app.services.simulator.population import Person
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_ISSUE, PAGE_NEW, PAGE_NIK, PAGE_VERIFY
from app.ui.workers import wait_for_all
from tests.services.cases.conftest import World, make_world
from tests.ui.conftest import all_text, click, open_window, sign_in, start_case


@pytest.fixture
def verify_world(tmp_path: Path) -> Iterator[World]:
    settings = settings_from_dicts(
        {
            "mode": "demo",
            "agreement": {
                "profile": "verify-only",
                "start": date(2025, 1, 1),
                "end": date(2027, 9, 16),
            },
        }
    )
    world = make_world(tmp_path / "d", settings)
    yield world
    wait_for_all(5000)
    world.services.core.close()


@pytest.fixture
def verify_window(qtbot: QtBot, verify_world: World) -> Iterator[AppWindow]:
    window = open_window(qtbot, verify_world, None)
    yield window
    window.close()
    wait_for_all(5000)


def documents_of(person: Person) -> dict[str, str]:
    """What the applicant's documents say: the person's true values."""
    return {
        "NAMA_LGKP": person.name,
        "JENIS_KLMIN": person.sex,
        "TMPT_LHR": person.birth_place,
        "TGL_LHR": person.birth_date.strftime("%d-%m-%Y"),
        "STATUS_KAWIN": person.marital_status,
        "JENIS_PKRJN": person.occupation,
        "ALAMAT": person.address,
        "NO_KK": person.no_kk,
    }


def verify(qtbot: QtBot, window: AppWindow) -> None:
    screen = window.case_screen
    click(qtbot, screen.nik_page.lookup)
    qtbot.waitUntil(lambda: screen.task is None, timeout=10000)


def marks(window: AppWindow) -> dict[str, str]:
    table = window.case_screen.verify_page.table
    return {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}


def test_verify_by_element_mismatch_refused_then_corrected_case_closes(
    qtbot: QtBot, verify_window: AppWindow, verify_world: World
) -> None:
    window, world = verify_window, verify_world
    nik = world.examples()["found"]
    person = world.simulator.population.get(nik)
    assert person is not None
    sign_in(qtbot, window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    screen = window.case_screen
    page = screen.nik_page
    start_case(qtbot, screen)

    # the NIK page offers verify by element, not a lookup by NIK
    assert page.verify_box.isVisible()
    assert page.lookup.text() == _("&Verify the elements")
    assert set(page.verify_edits) == set(documents_of(person))

    page.nik.setText(nik)
    verify(qtbot, window)  # nothing from the documents yet: refused before any hit
    assert page.notice.text() == VerifyElementsMissing().message
    assert world.simulator.hits_today() == 0 and screen.page == PAGE_NIK

    typed = documents_of(person) | {"TMPT_LHR": "KOTA LAIN SEKALI"}
    for key, value in typed.items():
        page.verify_edits[key].setText(value)
    verify(qtbot, window)
    assert screen.page == PAGE_VERIFY and world.simulator.hits_today() == 1
    case = screen.case
    assert case is not None and case.last is not None
    assert case.last.kind is OutcomeKind.VERIFIED and case.last.record is None

    # per element Sesuai / Tidak Sesuai with scores; nothing from the registry is shown
    verify_page = screen.verify_page
    shown = marks(window)
    assert shown[_("Place of birth")].startswith(_("Tidak Sesuai") + " (")
    assert shown[_("Full name")] == _("Sesuai") + " (100)"
    assert shown[_("Date of birth")].startswith(_("Sesuai"))
    assert verify_page.table.isColumnHidden(1)  # the "Dukcapil" column
    for row in range(verify_page.table.rowCount()):
        assert verify_page.table.item(row, 1).text() == "—"
    text = all_text(window)
    for private in (person.mother_name, person.father_name, person.religion, person.village):
        assert private not in text
    assert verify_page.portal_note.isVisible()  # says what does not match and what to do
    assert verify_page.recheck.hasFocus()  # the next step is checking again

    click(qtbot, verify_page.approve)  # the core refuses: one element does not match
    assert screen.message.text() == NotIssuable().message
    assert case.state is CaseState.CROSS_CHECKED and screen.page == PAGE_VERIFY

    click(qtbot, verify_page.recheck)  # back to step 3 with what was typed kept
    assert screen.page == PAGE_NIK and page.nik.text() == nik
    assert page.verify_edits["NAMA_LGKP"].text() == person.name
    assert page.verify_edits["TMPT_LHR"].hasFocus()  # the element that did not match
    page.verify_edits["TMPT_LHR"].setText(person.birth_place)
    world.clock.advance(30)
    verify(qtbot, window)
    assert screen.page == PAGE_VERIFY and world.simulator.hits_today() == 2
    assert not any(m.startswith(_("Tidak Sesuai")) for m in marks(window).values())
    assert not verify_page.portal_note.isVisible()

    click(qtbot, verify_page.approve)  # issued at once
    assert case.state is CaseState.ISSUED and screen.page == PAGE_ISSUE
    assert screen.issue_page.preview.loaded
    click(qtbot, screen.issue_page.hand_over)  # handed over, data balikan queued, closed
    assert case.state is CaseState.CLOSED and screen.page == PAGE_NEW
    assert case.last is None and person.name not in all_text(window)
