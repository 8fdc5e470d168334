"""The agreement's data balikan values at the counter (issue 15).

Seed 003 (Serdang Bedagai, Pasal 2 ayat (2) huruf b) asks for the PKH number, the sembako
number and the DTKS id: the decision asks them, an approval without the DTKS id is refused
on the screen, and the item sent to Dukcapil carries what was typed. Seed 000 (Purbalingga,
Pasal 2 ayat (2) huruf b) asks for the recipient number and the programme, which the case
already holds: nothing more is typed, and the hand-over asks for the number in the
agreement's own words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.domain.case_flow import CaseState
from app.services.persistence.models import BalikanItem
from app.services.settings import settings_from_dicts
from app.ui.case.case_screen import PAGE_VERIFY
from app.ui.workers import wait_for_all
from tests.services.cases.conftest import World, make_world
from tests.ui.conftest import click, open_window, sign_in, start_case


@pytest.fixture
def serdang(tmp_path: Path) -> Iterator[World]:
    settings = settings_from_dicts(
        {
            "mode": "demo",
            "agreement": {
                "profile": "serdang-bedagai-5",
                "access_method": "web_service",
                "start": date(2025, 1, 1),
                "end": date(2027, 9, 16),
            },
        }
    )
    world = make_world(tmp_path / "d", settings)
    yield world
    wait_for_all(5000)
    world.services.core.close()


def _sent_params(world: World) -> dict[str, str]:
    with world.services.core.sessions() as session:
        (item,) = session.execute(select(BalikanItem)).scalars()
        entry = json.loads(item.params)[0]
    assert isinstance(entry, dict)
    return entry


def test_the_decision_asks_the_agreements_values_and_the_item_carries_them(
    qtbot: QtBot, serdang: World
) -> None:
    window = open_window(qtbot, serdang, None)
    sign_in(qtbot, window)
    screen = window.case_screen
    form = screen.balikan_form
    assert [edit.accessibleName() for edit in form.edits.values()] == [
        "Nomor penerima PKH",
        "Nomor penerima sembako",
        "ID DTKS",
    ]
    start_case(qtbot, screen)
    case = screen.case
    assert case is not None
    screen.nik_page.nik.setText(serdang.examples()["found"])
    click(qtbot, screen.nik_page.lookup)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    assert form.isVisible()

    click(qtbot, screen.verify_page.approve)  # the DTKS id is required by the agreement
    assert case.state is CaseState.CROSS_CHECKED
    assert "ID DTKS wajib diisi." in screen.message.text()
    assert form.errors["id_dtks"].isVisible()

    form.edits["id_dtks"].setText("DTKS-3322-77")
    form.edits["nomor_sembako"].setText("SBK-9")
    click(qtbot, screen.verify_page.approve)
    qtbot.waitUntil(lambda: case.state is CaseState.ISSUED, timeout=10000)
    assert form.values()["id_dtks"] == ""  # cleared with the decision
    qtbot.waitUntil(lambda: screen.issue_page.hand_over.isEnabled(), timeout=10000)
    click(qtbot, screen.issue_page.hand_over)
    qtbot.waitUntil(lambda: case.state is CaseState.CLOSED, timeout=10000)
    params = _sent_params(serdang)
    assert params["ID_DTKS"] == "DTKS-3322-77"
    assert params["NOMOR_SEMBAKO"] == "SBK-9"
    assert "NOMOR_PKH" not in params  # left empty: optional in the agreement


def test_values_the_case_holds_are_not_typed_again(qtbot: QtBot, world: World) -> None:
    window = open_window(qtbot, world, None)  # the demo's Purbalingga profile
    sign_in(qtbot, window)
    screen = window.case_screen
    assert screen.balikan_form.edits == {}
    assert not screen.balikan_form.isVisibleTo(screen)
    label = screen.issue_page.recipient_label.text()
    assert label == "Nomor/keterangan penerima program/bantuan"
