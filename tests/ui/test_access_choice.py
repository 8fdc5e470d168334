"""Seed 002 (Kota Magelang): the counter offers the portal lookup and the web-service verify,
the officer picks one per case, and step 3 follows the choice (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.i18n import _
from app.domain.outcomes import OutcomeKind
from app.services.settings import settings_from_dicts
from app.ui.case.case_screen import PAGE_VERIFY
from app.ui.status_bar import link_text
from app.ui.workers import wait_for_all
from tests.services.cases.conftest import World, make_world
from tests.ui.conftest import click, open_window, sign_in, start_case


def world_for(tmp_path: Path, profile: str) -> World:
    settings = settings_from_dicts(
        {
            "mode": "demo",
            "agreement": {
                "profile": profile,
                "access_method": "web_service",
                "portal_url": "https://portal.example.invalid/",
                "start": date(2025, 1, 1),
                "end": date(2027, 9, 16),
            },
        }
    )
    return make_world(tmp_path / "d", settings)


@pytest.fixture
def magelang(tmp_path: Path) -> Iterator[World]:
    world = world_for(tmp_path, "magelang-9")
    yield world
    wait_for_all(5000)
    world.services.core.close()


def test_magelang_offers_both_granted_checks_and_step_three_follows_the_choice(
    qtbot: QtBot, magelang: World
) -> None:
    window = open_window(qtbot, magelang, None)
    sign_in(qtbot, window)
    screen = window.case_screen
    chooser, page = screen.access_chooser, screen.nik_page
    assert chooser.isVisible()
    labels = [button.text() for button in chooser.buttons.values()]
    assert labels == [_("Look up NIK (web portal)"), _("Verify elements (web service)")]

    # verify by element through the web service
    chooser.select("verify", "web_service")
    start_case(qtbot, screen)
    assert page.verify_box.isVisible() and not page.portal_box.isVisible()
    assert page.lookup.text() == _("&Verify the elements")
    nik = magelang.examples()["found"]
    person = magelang.simulator.population.get(nik)
    assert person is not None
    page.nik.setText(nik)
    page.verify_edits["NAMA_LGKP"].setText(person.name)
    click(qtbot, page.lookup)
    qtbot.waitUntil(lambda: screen.task is None, timeout=10000)
    assert screen.page == PAGE_VERIFY and magelang.simulator.hits_today() == 1
    assert screen.case is not None and screen.case.last is not None
    assert screen.case.last.kind is OutcomeKind.VERIFIED
    screen.ask_reason = lambda _title, _label: "pemohon pergi"
    screen.cancel()
    qtbot.waitUntil(lambda: screen.case is None, timeout=10000)  # cancelled off the UI thread

    # the lookup by NIK through the web portal: assisted, the gateway is not called
    chooser.select("lookup", "web_portal")
    start_case(qtbot, screen)
    assert page.portal_box.isVisible() and not page.verify_box.isVisible()
    assert page.lookup.text() == _("Record &outcome")
    magelang.clock.advance(30)
    page.nik.setText(magelang.examples()["found"])
    page.documents_match.setChecked(True)
    click(qtbot, page.lookup)
    assert screen.case is not None and screen.case.last is not None
    assert screen.case.last.via_portal
    assert magelang.simulator.hits_today() == 1

    status = magelang.services.status()
    assert link_text(status, None) == (
        _("Access: {methods}").format(
            methods=_("Look up NIK (web portal)") + ", " + _("Verify elements (web service)")
        )
        + " — "
        + _("simulator (DEMO)")
    )
    window.close()


def test_a_single_grant_shows_no_choice(qtbot: QtBot, tmp_path: Path) -> None:
    world = world_for(tmp_path, "verify-only")
    window = open_window(qtbot, world, None)
    sign_in(qtbot, window)
    screen = window.case_screen
    assert not screen.access_chooser.isVisible()
    assert list(screen.access_chooser.buttons) == [("verify", "web_service")]
    start_case(qtbot, screen)
    assert screen.nik_page.verify_box.isVisible() and not screen.nik_page.portal_box.isVisible()
    window.close()
    wait_for_all(5000)
    world.services.core.close()
