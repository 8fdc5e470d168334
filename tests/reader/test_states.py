"""The pure reader state machine."""

from __future__ import annotations

import pytest

from app.reader.states import (
    READ_INPUTS_ALLOWED,
    Input,
    InvalidTransition,
    ReaderEvent,
    ReaderState,
    ReaderStateMachine,
)

S = ReaderState


def ready(require_sam: bool = True) -> ReaderStateMachine:
    m = ReaderStateMachine(require_sam=require_sam)
    m.feed(Input.SERVICE_UP)
    m.feed(Input.READER_FOUND, reader="R PICC")
    if require_sam:
        m.feed(Input.SAM_INSERTED, reader="R SAM")
    return m


def test_starts_without_service() -> None:
    assert ReaderStateMachine().state is S.NO_SERVICE


def test_the_whole_happy_path() -> None:
    m = ReaderStateMachine()
    seen = [m.feed(Input.SERVICE_UP), m.feed(Input.READER_FOUND, reader="R PICC"),
            m.feed(Input.SAM_INSERTED, reader="R SAM"), m.feed(Input.CARD_INSERTED),
            m.feed(Input.READ_STARTED), m.feed(Input.READ_PROGRESS, progress=40),
            m.feed(Input.READ_SUCCEEDED), m.feed(Input.CARD_REMOVED)]
    assert [e.state for e in seen if e] == [
        S.NO_READER, S.NO_SAM, S.READY, S.CARD_PRESENT, S.READING, S.READING, S.READ, S.READY,
    ]
    assert seen[5] == ReaderEvent(S.READING, 40, None, "R PICC", "R SAM")


@pytest.mark.parametrize(("final", "state"), [
    (Input.READ_FAILED, S.READ_FAILED), (Input.NOT_KTPEL, S.NOT_KTPEL),
])
def test_failures_end_when_the_card_leaves(final: Input, state: ReaderState) -> None:
    m = ready()
    m.feed(Input.CARD_INSERTED)
    m.feed(Input.READ_STARTED)
    event = m.feed(final, detail="x")
    assert event is not None
    assert event.state is state
    assert event.detail == "x"
    assert m.feed(Input.CARD_REMOVED) == ReaderEvent(S.READY, None, None, "R PICC", "R SAM")


def test_removal_mid_read_goes_to_ready_and_late_results_are_ignored() -> None:
    m = ready()
    m.feed(Input.CARD_INSERTED)
    m.feed(Input.READ_STARTED)
    assert m.feed(Input.CARD_REMOVED).state is S.READY  # type: ignore[union-attr]
    assert m.feed(Input.READ_PROGRESS, progress=90, stale_ok=True) is None
    assert m.feed(Input.READ_SUCCEEDED, stale_ok=True) is None
    assert m.state is S.READY


def test_read_inputs_outside_their_states_are_programming_errors() -> None:
    m = ready()
    with pytest.raises(InvalidTransition):
        m.feed(Input.READ_STARTED)  # no card
    with pytest.raises(InvalidTransition):
        m.feed(Input.READ_SUCCEEDED)


def test_progress_is_clamped_and_monotonic() -> None:
    m = ready()
    m.feed(Input.CARD_INSERTED)
    m.feed(Input.READ_STARTED)
    assert m.feed(Input.READ_PROGRESS, progress=150).progress == 100  # type: ignore[union-attr]
    assert m.feed(Input.READ_PROGRESS, progress=20) is None


def test_sam_error_and_recovery() -> None:
    m = ready()
    m.feed(Input.CARD_INSERTED)
    assert m.feed(Input.SAM_FAILED, detail="sam_blocked_risk").state is S.SAM_ERROR  # type: ignore[union-attr]
    assert m.feed(Input.SAM_REMOVED).state is S.NO_SAM  # type: ignore[union-attr]
    assert m.feed(Input.SAM_INSERTED).state is S.CARD_PRESENT  # type: ignore[union-attr]


def test_service_loss_forgets_everything() -> None:
    m = ready()
    m.feed(Input.CARD_INSERTED)
    m.feed(Input.READ_STARTED)
    event = m.feed(Input.SERVICE_LOST, detail="0x80100013")
    assert event == ReaderEvent(S.NO_SERVICE, None, "0x80100013", None, None)
    m.feed(Input.SERVICE_UP)
    assert m.state is S.NO_READER


def test_without_sam_requirement_the_sam_is_ignored() -> None:
    m = ready(require_sam=False)
    assert m.state is S.READY
    m.feed(Input.SAM_FAILED)
    assert m.state is S.READY


def test_reader_lost_clears_the_card() -> None:
    m = ready()
    m.feed(Input.CARD_INSERTED)
    assert m.feed(Input.READER_LOST).state is S.NO_READER  # type: ignore[union-attr]
    m.feed(Input.READER_FOUND, reader="R PICC")
    assert m.state is S.READY


def test_no_change_no_event() -> None:
    m = ready()
    assert m.feed(Input.SAM_OK) is None
    assert m.current.state is S.READY


def test_read_restart_allowed_after_each_outcome() -> None:
    assert READ_INPUTS_ALLOWED[Input.READ_STARTED] == {
        S.CARD_PRESENT, S.READ, S.READ_FAILED, S.NOT_KTPEL,
    }
