"""Full cases through the counter window, on the in-process simulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.case_flow import CaseState
from app.domain.case_reasons import CaseReason
from app.domain.i18n import _
from app.domain.nik import NikError
from app.domain.outcomes import OutcomeKind
from app.services.cases import NikSource
from app.services.cases.errors import ReasonRequired
from app.services.dukcapil import guidance_for
from app.services.settings import settings_from_dicts
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_ISSUE, PAGE_NEW, PAGE_NIK, PAGE_VERIFY
from app.ui.reader_bridge import SimulatedReader
from app.ui.workers import wait_for_all
from tests.services.cases.conftest import World, make_world, portal_settings
from tests.ui.conftest import all_text, click, look_up, open_window, sign_in, start_case


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
    click(qtbot, screen.verify_page.approve)  # approving issues and opens printing
    assert screen.page == PAGE_ISSUE and case.state is CaseState.ISSUED
    assert screen.issue_page.preview.loaded
    assert screen.issue_page.preview.document.pageCount() == 1
    click(qtbot, screen.issue_page.hand_over)  # hands over, queues data balikan, closes
    qtbot.waitUntil(lambda: "1" in window.status.balikan.text(), timeout=10000)
    assert case.state is CaseState.CLOSED
    assert case.nik is None and case.last is None  # the core's wipe ran
    assert screen.page == PAGE_NEW and screen.case is None
    assert nik not in all_text(window)
    assert not screen.issue_page.preview.loaded


def test_fix_and_recheck_loop_stays_one_case_across_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = make_world(data)
    secrets = first.services.core.secrets
    window = open_window(qtbot, first, None)
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = first.examples()["found"]
    look_up(qtbot, screen, nik)
    case = screen.case
    assert case is not None
    number = case.number
    screen.verify_page.note.setText("KK belum diperbarui")
    click(qtbot, screen.verify_page.return_button)  # no reason ticked: refused, asks for one
    assert case.state is not CaseState.RETURNED
    assert ReasonRequired().message in screen.message.text()
    screen.verify_page.set_reasons([CaseReason.KK_DIFFERS])
    click(qtbot, screen.verify_page.return_button)
    assert case.state is CaseState.RETURNED and case.nik is None  # wiped as the applicant left
    assert nik not in all_text(window)
    assert screen.issue_page.stage == "done"
    click(qtbot, screen.issue_page.close_case)
    window.close()
    wait_for_all()
    first.services.core.close()

    clock = first.clock
    clock.advance(3 * 24 * 3600)  # three days later, the app restarted
    second = make_world(data, clock=clock, secrets=secrets)  # type: ignore[arg-type]
    window = open_window(qtbot, second, None)
    sign_in(qtbot, window, "petugas2")
    screen = window.case_screen
    listed = [
        screen.new_page.returned.item(i).text() for i in range(screen.new_page.returned.count())
    ]
    assert any(number in text for text in listed)
    click(qtbot, screen.new_page.resume_button)
    assert screen.steps.current_text() == _("8–10 Fix & re-check")
    look_up(qtbot, screen, nik)
    resumed = screen.case
    assert resumed is not None and resumed.number == number  # the same case
    assert resumed.state is CaseState.CROSS_CHECKED and screen.page == PAGE_VERIFY
    click(qtbot, screen.verify_page.approve)
    click(qtbot, screen.issue_page.hand_over)
    assert resumed.state is CaseState.CLOSED
    window.close()
    wait_for_all()
    second.services.core.close()


@pytest.mark.parametrize(
    "example", ["found", "deceased", "duplicate", "not_found", "inactive", "invalid_format"]
)
def test_every_resident_answer_shows_its_guidance(
    qtbot: QtBot, window: AppWindow, world: World, example: str
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    look_up(qtbot, screen, world.examples()[example])
    case = screen.case
    assert case is not None
    if example == "invalid_format":  # caught as typed, before any hit (parse_nik's message)
        assert screen.nik_page.nik_feedback.text() == NikError("province").message
        assert case.last is None and world.simulator.hits_today() == 0
        return
    assert case.last is not None
    guidance = guidance_for(case.last.kind, case.last.code)
    assert screen.page == PAGE_VERIFY
    assert guidance.title in screen.verify_page.outcome.text()
    assert guidance.next_step in screen.verify_page.outcome.text()
    assert screen.verify_page.approve.isEnabled() is (example == "found")
    if example != "found":  # nothing of a resident is shown after a refusal
        assert screen.verify_page.table.rowCount() == 0
        screen.verify_page.set_reasons([CaseReason.REFER_TO_DUKCAPIL])
        click(qtbot, screen.verify_page.refuse)
        click(qtbot, screen.issue_page.close_case)
        assert case.state is CaseState.CLOSED


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"password": "salah"}, OutcomeKind.LOGIN_FAILED),
        ({"user_active": False}, OutcomeKind.USER_INACTIVE),
        ({"institution_active": False}, OutcomeKind.INSTITUTION_INACTIVE),
    ],
)
def test_access_answers_block_with_guidance_until_the_administrator_clears(
    qtbot: QtBot, window: AppWindow, world: World, change: dict[str, object], kind: OutcomeKind
) -> None:
    world.simulator.config = replace(
        world.simulator.config, account=replace(world.simulator.config.account, **change)
    )
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    look_up(qtbot, screen, world.examples()["found"])
    assert screen.page == PAGE_NIK  # not an answer about the resident: still step 3
    notice = screen.nik_page.notice.text()
    assert guidance_for(kind).title in notice and screen.nik_page.notice.isVisible()
    qtbot.waitUntil(
        lambda: window.banner.isVisible() and "administrator" in window.banner.text().lower(),
        timeout=10000,
    )
    look_up(qtbot, screen, world.examples()["found"], world.clock)
    assert "administrator" in screen.nik_page.notice.text().lower()  # blocked before sending
    screen.release()
    window.sign_out()
    sign_in(qtbot, window, "admin")
    window.show_admin()
    click(qtbot, window.admin.clear_blocks)
    qtbot.waitUntil(lambda: window.admin.task is None, timeout=10000)
    assert not world.services.status().lockouts
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10000)


def test_quota_warning_then_exhaustion_refuses_with_what_to_do(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = settings_from_dicts({"mode": "demo", "quota": {"daily_limit": 5}})
    world = make_world(tmp_path / "d", settings)
    window = open_window(qtbot, world, None)
    sign_in(qtbot, window)
    screen = window.case_screen
    people = [p.nik for p in world.simulator.population.people()[::97]]
    for index in range(5):
        start_case(qtbot, screen)
        look_up(qtbot, screen, people[index], world.clock)
        assert screen.page == PAGE_VERIFY
        if index == 3:  # 4 of 5 used: the warning is on screen
            qtbot.waitUntil(window.banner.isVisible, timeout=10000)
            qtbot.waitUntil(lambda: "1" in window.status.quota.text(), timeout=10000)
        screen.verify_page.note.setText("uji")
        screen.verify_page.set_reasons([CaseReason.NOT_ELIGIBLE])
        click(qtbot, screen.verify_page.refuse)
        click(qtbot, screen.issue_page.close_case)
    start_case(qtbot, screen)
    hits = world.simulator.hits_today()
    look_up(qtbot, screen, people[6], world.clock)
    assert screen.page == PAGE_NIK
    assert (
        _("tomorrow") in screen.nik_page.notice.text() or "besok" in screen.nik_page.notice.text()
    )
    assert world.simulator.hits_today() == hits  # refused before sending
    qtbot.waitUntil(window.banner.isVisible, timeout=10000)
    window.close()
    wait_for_all()
    world.services.core.close()


def test_guard_refusal_and_supervisor_override(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    people = world.simulator.population.people()
    base = people[0].nik
    neighbour = base[:12] + f"{int(base[12:]) + 1:04d}"
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    look_up(qtbot, screen, base)
    screen.verify_page.set_reasons([CaseReason.NOT_ELIGIBLE])
    click(qtbot, screen.verify_page.refuse)
    click(qtbot, screen.issue_page.close_case)
    start_case(qtbot, screen)
    look_up(qtbot, screen, people[50].nik)  # too soon after the last lookup
    assert screen.nik_page.notice.isVisible() and not screen.nik_page.override.isVisible()
    look_up(qtbot, screen, neighbour, world.clock)  # sequential NIK: refused, overridable
    assert screen.nik_page.override.isVisible()
    hits = world.simulator.hits_today()
    screen.ask_override = lambda refusal: ("petugas2", "demo1234", "kembar")
    click(qtbot, screen.nik_page.override)
    qtbot.waitUntil(lambda: screen.task is None and screen.nik_page.lookup.isEnabled())
    assert "supervisor" in screen.nik_page.notice.text().lower()  # an officer cannot allow it
    assert world.simulator.hits_today() == hits
    screen.ask_override = lambda refusal: ("supervisor", "demo1234", "Kembar, keduanya hadir")
    click(qtbot, screen.nik_page.override)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=10000)
    assert world.simulator.hits_today() == hits + 1


def test_card_tap_through_the_reader_events_fills_the_nik_and_compares(
    qtbot: QtBot, window: AppWindow, world: World, reader: SimulatedReader
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = world.examples()["found"]
    person = world.simulator.population.get(nik)
    assert person is not None
    reader.tap(nik, name=person.name, sex=person.sex, place_of_birth="KOTA LAIN")
    qtbot.waitUntil(lambda: screen.nik_page.nik.text() == nik, timeout=10000)
    assert screen.nik_page.source is NikSource.CARD
    qtbot.waitUntil(lambda: window.status.reader.text() == "Pembaca kartu: kartu terbaca")
    assert window.bridge.last is not None and window.bridge.last.state.value == "read"
    click(qtbot, screen.nik_page.lookup)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY, timeout=10000)
    rows = {
        screen.verify_page.table.item(r, 0).text(): r
        for r in range(screen.verify_page.table.rowCount())
    }
    name_row = rows[_("Full name")]
    place_row = rows[_("Place of birth")]
    assert screen.verify_page.table.item(name_row, 2).text() == person.name
    assert screen.verify_page.table.item(name_row, 3).text() == _("yes")
    assert screen.verify_page.table.item(place_row, 3).text() == _("NO")
    card = screen.card
    assert card is not None
    screen.ask_reason = lambda title, label: "pemohon pergi"
    screen.cancel()
    qtbot.waitUntil(lambda: card.wiped and screen.card is None)
    assert nik not in all_text(window)
    reader.remove()


def test_web_portal_mode_opens_the_portal_and_records_the_outcome(
    qtbot: QtBot, tmp_path: Path
) -> None:
    world = make_world(tmp_path / "d", portal_settings())
    window = open_window(qtbot, world, None)
    sign_in(qtbot, window)
    screen = window.case_screen
    opened: list[str] = []
    screen.open_url = lambda url: opened.append(url.toString()) or True
    qtbot.waitUntil(lambda: "portal" in window.status.link.text().lower(), timeout=10000)
    start_case(qtbot, screen)
    assert screen.nik_page.portal_box.isVisible() and not screen.nik_page.cancel.isVisible()
    click(qtbot, screen.nik_page.open_portal)
    assert opened == ["https://portal.example.invalid/"]
    screen.nik_page.nik.setText("3303014505900001")
    index = screen.nik_page.outcome.findData(OutcomeKind.FOUND)
    screen.nik_page.outcome.setCurrentIndex(index)
    screen.nik_page.documents_match.setChecked(True)
    click(qtbot, screen.nik_page.lookup)
    assert screen.page == PAGE_VERIFY
    assert screen.verify_page.portal_note.isVisible()
    click(qtbot, screen.verify_page.approve)
    click(qtbot, screen.issue_page.hand_over)
    assert world.services.status().balikan_pending == 1
    assert world.services.status().quota.used == 1  # the portal hit still counts
    window.close()
    wait_for_all()
    world.services.core.close()


def test_idle_lock_wipes_the_screen_and_the_case_data(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = world.examples()["found"]
    look_up(qtbot, screen, nik)
    case = screen.case
    assert case is not None and case.last is not None
    window.idle.set_minutes(0.002)  # about 120 ms without input
    window.idle.start()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.login, timeout=5000)
    assert case.nik is None and case.last is None  # the core's wipe ran
    assert nik not in all_text(window)
    assert window.login.username.isReadOnly() and window.login.lock_notice.isVisible()
    window.idle.set_minutes(5)
    sign_in(qtbot, window)
    assert screen.case is case and screen.page == PAGE_NIK  # same case, data looked up again
    assert screen.nik_page.notice.isVisible()
    look_up(qtbot, screen, nik, world.clock)
    assert screen.page == PAGE_VERIFY


def test_cancel_while_the_gateway_is_slow(qtbot: QtBot, window: AppWindow, world: World) -> None:
    from app.services.simulator.faults import LinkShape

    world.simulator.faults.link = LinkShape(latency_ms=800)
    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    screen.nik_page.nik.setText(world.examples()["found"])
    click(qtbot, screen.nik_page.lookup)
    assert screen.nik_page.cancel.isVisible()
    task = screen.task
    click(qtbot, screen.nik_page.cancel)  # the UI is free at once
    assert screen.task is None and screen.nik_page.lookup.isEnabled()
    assert screen.nik_page.notice.isVisible()
    assert task is not None
    qtbot.waitUntil(lambda: task.finished, timeout=10000)
    case = screen.case
    assert case is not None
    # the answer arrived after the officer cancelled: counted, then wiped on arrival
    qtbot.waitUntil(lambda: case.last is not None and case.last.record is None, timeout=10000)
    assert world.simulator.hits_today() == 1
    assert screen.page != PAGE_VERIFY


def test_a_card_read_is_recorded_on_the_case_and_never_behind_a_lock(
    qtbot: QtBot, window: AppWindow, world: World, reader: SimulatedReader
) -> None:
    from sqlalchemy import select

    from app.services.persistence.models import AuditRecord, BalikanItem

    sign_in(qtbot, window)
    screen = window.case_screen
    start_case(qtbot, screen)
    nik = world.examples()["found"]
    reader.tap(nik, name="WARGA CONTOH")
    qtbot.waitUntil(lambda: screen.nik_page.nik.text() == nik, timeout=10000)
    with world.services.core.sessions() as session:
        actions = [r.action for r in session.execute(select(AuditRecord)).scalars()]
        assert "card.read" in actions  # the read itself is processing, audited
        assert session.execute(select(BalikanItem.status)).scalar_one() == "held"
    reader.remove()
    qtbot.waitUntil(
        lambda: window.bridge.last is not None and window.bridge.last.state.value == "ready",
        timeout=5000,
    )
    window.lock()
    assert screen.locked and screen.card is None
    reader.tap(nik, name="WARGA CONTOH")  # a card placed on the reader of a locked counter
    # wait until the window has been told a card is present, then check that it did not read it
    qtbot.waitUntil(
        lambda: window.bridge.last is not None and window.bridge.last.state.value == "card_present",
        timeout=10000,
    )
    # the screen reacts to cardPresent in the same dispatch: no read task was started
    assert screen.task is None
    assert screen.card is None and nik not in all_text(window)
    reader.remove()
