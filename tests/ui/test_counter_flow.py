"""Issue 14 at the counter, by key presses: the card path in three officer actions, the
typed path in 16 digits and three, and the flowchart's checks the screen enforces.

Expectations come from the issue: placing a card on the idle case screen opens a case for
the officer's last programme (asking once), reads the card and looks the NIK up by itself;
(1) documents (one key for "all present"), (2) approve (issues, printing opens), (3) hand
over (queues the data balikan, closes). Approval needs every document ticked, a "sesuai"
per element where the card differs from Dukcapil, and with a typed NIK an explicit
"documents match"; hand-over needs the printed statement and a recipient number; refuse
and quit with a case open ask once; a NIK is corrected in the same case, with a reason.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.case_flow import CaseState
from app.domain.case_reasons import CaseReason
from app.domain.i18n import _
from app.services.cases import NikCorrection
from app.services.cases.errors import (
    DocumentsIncomplete,
    ElementsUnconfirmed,
    RecipientNumberMissing,
    StatementNotPrinted,
)
from app.ui.app_window import AppWindow
from app.ui.case.case_screen import PAGE_DOCUMENTS, PAGE_NEW, PAGE_NIK, PAGE_VERIFY
from app.ui.reader_bridge import SimulatedReader
from tests.services.cases.conftest import World
from tests.ui.conftest import settle, sign_in


class Officer:
    """Presses keys on whatever has the focus, and counts them."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.actions = 0

    def key(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        widget = QApplication.focusWidget()
        assert widget is not None
        self.qtbot.keyClick(widget, key, modifier)
        self.actions += 1
        settle(self.qtbot, widget)

    def type(self, text: str) -> None:
        for char in text:
            widget = QApplication.focusWidget()
            assert widget is not None
            self.qtbot.keyClicks(widget, char)
            self.actions += 1
        settle(self.qtbot, widget)


def key(
    widget: QWidget, k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key press, then wait for the case screen's call to land."""
    _BOT[0].keyClick(widget, k, modifier)
    settle(_BOT[0], widget)


_BOT: list[QtBot] = []  # the test's qtbot, for key()


@pytest.fixture(autouse=True)
def _bot(qtbot: QtBot) -> None:
    _BOT[:] = [qtbot]


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def place_card(world: World, reader: SimulatedReader, nik: str, **changed: str) -> None:
    person = world.simulator.population.get(nik)
    assert person is not None
    fields = {  # the resident's own card, as the demo's card
        "name": person.name,
        "sex": person.sex,
        "place_of_birth": person.birth_place,
        "date_of_birth": person.birth_date.strftime("%d-%m-%Y"),
        "marital_status": person.marital_status,
        "occupation": person.occupation,
        "address": person.address,
    }
    fields.update(changed)
    reader.tap(nik, **fields)


def test_card_path_in_three_officer_actions(
    qtbot: QtBot, window: AppWindow, world: World, reader: SimulatedReader
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    asked: list[int] = []

    def ask() -> tuple[str, str]:
        asked.append(1)
        return ("BPNT", "Penyaluran BPNT")

    screen.ask_programme = ask
    officer = Officer(qtbot)
    for round_ in range(2):
        nik = world.examples()["found"]
        place_card(world, reader, nik)
        qtbot.waitUntil(
            lambda: screen.page == PAGE_DOCUMENTS and screen.card is not None, timeout=10000
        )
        qtbot.waitUntil(lambda: screen.task is None, timeout=10000)
        case = screen.case
        assert case is not None and case.programme == "BPNT"
        assert case.purpose == "Penyaluran BPNT"
        officer.key(Qt.Key.Key_Return)  # (1) every document present
        qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
        assert case.state is CaseState.CROSS_CHECKED and case.documents_ok is True
        officer.key(Qt.Key.Key_Space)  # (2) approve: issued, printing opened
        qtbot.waitUntil(lambda c=case: c.state is CaseState.ISSUED)  # type: ignore[misc]
        assert case.statement_printed
        officer.key(Qt.Key.Key_Return)  # (3) hand over: balikan queued, closed
        qtbot.waitUntil(lambda c=case: c.state is CaseState.CLOSED)  # type: ignore[misc]
        assert screen.page == PAGE_NEW and screen.case is None
        assert officer.actions == 3 * (round_ + 1)
        reader.remove()
        world.clock.advance(3600)
    assert len(asked) == 1  # the programme is asked for the first card only
    assert world.services.status().balikan_pending == 2


def test_typed_path_in_sixteen_digits_and_three(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    officer = Officer(qtbot)
    assert focused() is screen.new_page.nik
    officer.type(world.examples()["found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    case = screen.case
    assert case is not None
    officer.key(Qt.Key.Key_Return)  # (1) all documents present: looked up by itself
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    # the button says what approving confirms
    assert screen.verify_page.approve.text() == _("Documents match the data shown — &approve (4a)")
    officer.key(Qt.Key.Key_Space)  # (2) documents match the data shown — approve
    qtbot.waitUntil(lambda: case.state is CaseState.ISSUED)
    officer.key(Qt.Key.Key_Return)  # (3) hand over
    qtbot.waitUntil(lambda: case.state is CaseState.CLOSED and not screen.working)
    assert officer.actions == 16 + 3


def test_no_document_ticked_is_not_approved(qtbot: QtBot, window: AppWindow, world: World) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    qtbot.keyClicks(focused(), world.examples()["found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    key(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    case = screen.case
    assert case is not None and case.documents_ok is False
    key(screen.verify_page.approve, Qt.Key.Key_Space)
    assert case.state is CaseState.CROSS_CHECKED
    assert DocumentsIncomplete().message in screen.message.text()


def test_a_card_that_differs_needs_sesuai_per_element(
    qtbot: QtBot, window: AppWindow, world: World, reader: SimulatedReader
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    screen.ask_programme = lambda: ("PKH", "Pendaftaran PKH")
    place_card(world, reader, world.examples()["found"], name="WARGA CONTOH LAIN")
    qtbot.waitUntil(
        lambda: screen.page == PAGE_DOCUMENTS and screen.card is not None, timeout=10000
    )
    qtbot.waitUntil(lambda: screen.task is None, timeout=10000)
    key(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    case = screen.case
    assert case is not None
    assert list(screen.verify_page.sesuai) == ["nama_lengkap"]
    box = screen.verify_page.sesuai["nama_lengkap"]
    qtbot.waitUntil(lambda: focused() is box)  # the officer starts at the element to check
    key(screen.verify_page.approve, Qt.Key.Key_Space)
    assert case.state is CaseState.CROSS_CHECKED
    assert ElementsUnconfirmed().message in screen.message.text()
    qtbot.keyClick(box, Qt.Key.Key_Space)  # checked with the documents: sesuai
    key(screen.verify_page.approve, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: case.state is CaseState.ISSUED)


def test_hand_over_waits_for_the_print_and_a_recipient_number(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    screen.print_statement = lambda: False  # the officer closed the print dialog
    qtbot.keyClicks(focused(), world.examples()["found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    key(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    key(focused(), Qt.Key.Key_Space)
    case = screen.case
    assert case is not None and case.state is CaseState.ISSUED
    assert not screen.issue_page.hand_over.isEnabled()
    key(focused(), Qt.Key.Key_Return)
    assert case.state is CaseState.ISSUED
    assert StatementNotPrinted().message in screen.message.text()
    screen.issue_page.preview.printed.emit()  # printed from the preview (Ctrl+P)
    screen.issue_page.recipient.clear()
    screen.issue_page.recipient.setFocus()
    key(focused(), Qt.Key.Key_Return)
    assert case.state is CaseState.ISSUED  # never replaced by the document number
    assert RecipientNumberMissing().message in screen.message.text()
    qtbot.keyClicks(focused(), "REG-5")
    key(focused(), Qt.Key.Key_Return)
    assert case.state is CaseState.CLOSED and case.recipient_number == "REG-5"


def test_refuse_asks_once_and_no_means_no(qtbot: QtBot, window: AppWindow, world: World) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    answers = [False, True]
    asked: list[str] = []

    def confirm(title: str, question: str) -> bool:
        asked.append(title)
        return answers.pop(0)

    screen.confirm = confirm
    qtbot.keyClicks(focused(), world.examples()["deceased"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    key(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    case = screen.case
    assert case is not None
    screen.verify_page.set_reasons([CaseReason.REFER_TO_DUKCAPIL])
    key(screen.verify_page.refuse, Qt.Key.Key_Space)
    assert len(asked) == 1 and case.state is CaseState.CROSS_CHECKED
    key(screen.verify_page.refuse, Qt.Key.Key_Space)
    assert len(asked) == 2 and case.state is CaseState.REFUSED


def test_quit_with_a_case_open_asks_once(qtbot: QtBot, window: AppWindow, world: World) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    asked: list[str] = []
    screen.confirm = lambda title, question: asked.append(question) is not None  # "no"
    qtbot.keyClicks(focused(), world.examples()["found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    window.quit()
    assert len(asked) == 1 and window.isVisible() and screen.case is not None
    assert screen.case.number in asked[0]


def test_a_mistyped_nik_is_corrected_in_the_same_case(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    reasons: list[int] = []

    def ask() -> NikCorrection:
        reasons.append(1)
        return NikCorrection.TYPING_ERROR

    screen.ask_correction = ask
    qtbot.keyClicks(focused(), world.examples()["not_found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    key(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    case = screen.case
    assert case is not None
    # the not-found screen says which NIK was checked
    assert world.examples()["not_found"] in screen.verify_page.outcome.text()
    number, hits = case.number, world.simulator.hits_today()
    qtbot.keyClick(screen.verify_page.recheck, Qt.Key.Key_Space)  # "Periksa ulang"
    assert screen.page == PAGE_NIK
    world.clock.advance(60)
    screen.nik_page.nik.clear()
    qtbot.keyClicks(screen.nik_page.nik, world.examples()["found"])
    key(screen.nik_page.nik, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    assert screen.case is case and case.number == number  # the same case
    assert reasons == [1]  # asked once, why
    assert world.simulator.hits_today() == hits + 1  # a new, counted lookup
    assert case.last is not None and case.last.kind.name == "FOUND"
    assert "returned" not in screen.message.text().lower()


def test_a_stalled_database_call_leaves_the_screen_painting_and_answering(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    import threading

    sign_in(qtbot, window)
    screen = window.case_screen
    cases = world.services.cases
    release = threading.Event()
    entered = threading.Event()
    real = cases.check_documents

    def stalled(*args: object, **kwargs: object) -> object:
        entered.set()
        release.wait(30)  # the database holds the call until the test lets it go
        return real(*args, **kwargs)  # type: ignore[arg-type]

    cases.check_documents = stalled  # type: ignore[method-assign]
    qtbot.keyClicks(focused(), world.examples()["found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # all present: the call stalls
    qtbot.waitUntil(entered.is_set)
    assert screen.working and screen.busy.isVisible()  # a visible busy state
    box = screen.documents_page.boxes["form"]
    assert box.isChecked()
    qtbot.keyClick(box, Qt.Key.Key_Space)  # the UI thread answers keys meanwhile
    assert not box.isChecked()
    screen.busy.repaint()  # painting runs on the UI thread, which is free
    release.set()
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    case = screen.case
    assert case is not None and case.documents_ok is True and not screen.working


def test_the_step_bar_shows_the_step_the_screen_asks_for(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    sign_in(qtbot, window)
    screen = window.case_screen
    assert screen.steps.current_text() == _("1 Request")
    qtbot.keyClicks(focused(), world.examples()["found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS and not screen.working)
    assert screen.steps.current_text() == _("2 Documents")
    key(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    assert screen.steps.current_text() == _("4 Verification")
    key(focused(), Qt.Key.Key_Space)
    case = screen.case
    assert case is not None and case.state is CaseState.ISSUED
    assert screen.steps.current_text() == _("5 Hand over")  # the page asks for the hand-over


def test_a_returned_case_with_a_wrong_nik_can_still_be_cancelled(
    qtbot: QtBot, window: AppWindow, world: World
) -> None:
    from app.services.cases import NikMismatch

    sign_in(qtbot, window)
    screen = window.case_screen
    qtbot.keyClicks(focused(), world.examples()["found"])
    qtbot.waitUntil(lambda: screen.page == PAGE_DOCUMENTS and not screen.working)
    key(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.page == PAGE_VERIFY and screen.task is None, timeout=10000)
    case = screen.case
    assert case is not None
    number = case.number
    screen.verify_page.set_reasons([CaseReason.KK_DIFFERS])
    key(screen.verify_page.return_button, Qt.Key.Key_Space)
    assert case.state is CaseState.RETURNED
    key(screen.issue_page.close_case, Qt.Key.Key_Space)  # next applicant
    qtbot.waitUntil(lambda: screen.new_page.returned.count() == 1)
    key(screen.new_page.resume_button, Qt.Key.Key_Space)
    assert screen.page == PAGE_NIK and screen.cancel_case.isEnabled()
    world.clock.advance(60)
    screen.nik_page.nik.setText(world.examples()["not_found"])  # not this case's NIK
    key(screen.nik_page.nik, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.task is None)
    assert NikMismatch().message in screen.message.text()
    assert screen.cancel_case.isEnabled()  # not stuck
    screen.ask_reason = lambda title, label: "pemohon pergi"
    key(screen.cancel_case, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.page == PAGE_NEW and screen.resume_number is None)
    with world.services.core.sessions() as session:
        from sqlalchemy import select

        from app.services.persistence.models import CaseRow

        row = session.execute(select(CaseRow).where(CaseRow.number == number)).scalar_one()
        assert row.state == CaseState.CANCELLED.value
