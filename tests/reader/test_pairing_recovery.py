"""Slot pairing by device identity, and SAM recovery at the next card (no pcscd needed)."""

from __future__ import annotations

import threading

import pytest

from app.reader.card_data import CardData
from app.reader.config import ReaderConfig
from app.reader.controller import SAM_RECOVERING, SAM_RESET_FAILED, ReaderService
from app.reader.errors import SamBlockedRisk, SamError
from app.reader.monitor import MonitorEvent
from app.reader.session import ReadRequest
from app.reader.slots import Slots, device_id, discover, same_device
from app.reader.states import Input, ReaderState
from app.reader.synthetic import synthetic_demographic
from app.ui.reader_bridge import sam_text
from tests.reader.conftest import Recorder

ACR122U = "ACS ACR122U PICC Interface 00 00"
ACR1281_PICC = "ACS ACR1281 1S Dual Reader [ACR1281 1S Dual Reader PICC] 01 00"
ACR1281_ICC = "ACS ACR1281 1S Dual Reader [ACR1281 1S Dual Reader ICC] 02 00"
ACR1281_SAM = "ACS ACR1281 1S Dual Reader [ACR1281 1S Dual Reader SAM] 03 00"
OTHER_ACS_SAM = "ACS ACR38U SAM Reader 04 00"


def test_two_slots_of_one_reader_are_one_device() -> None:
    assert same_device("KTPel Test Reader 00 00", "KTPel Test Reader 00 01")
    assert not same_device("KTPel Test Reader 00 00", "KTPel Test Reader 01 01")
    assert device_id("KTPel Test Reader 00 01").slot == "01"


def test_an_acr122u_listed_first_does_not_hide_the_acr1281() -> None:
    names = [ACR122U, OTHER_ACS_SAM, ACR1281_ICC, ACR1281_PICC, ACR1281_SAM]
    slots = discover(names, ReaderConfig())
    assert slots.card == ACR1281_PICC
    assert slots.sam == ACR1281_SAM  # not the other ACS SAM reader listed before it
    assert slots.cards == (ACR1281_PICC, ACR122U)  # both card slots are watched
    assert slots.sam_for(ACR122U) is None
    assert ACR1281_ICC in slots.others


def test_windows_names_pair_by_model_and_instance() -> None:
    names = [
        "ACS ACR1281 1S Dual Reader PICC 1",
        "ACS ACR1281 1S Dual Reader SAM 0",
        "ACS ACR1281 1S Dual Reader PICC 0",
        "ACS ACR1281 1S Dual Reader SAM 1",
    ]
    slots = discover(names, ReaderConfig())
    assert dict(slots.pairs) == {
        "ACS ACR1281 1S Dual Reader PICC 1": "ACS ACR1281 1S Dual Reader SAM 1",
        "ACS ACR1281 1S Dual Reader PICC 0": "ACS ACR1281 1S Dual Reader SAM 0",
    }
    assert slots.sam == slots.sam_for(slots.card)


def test_configured_pair_wins() -> None:
    names = ["Vendor X Reader RF 0", "Vendor Y SAM Box 0", ACR1281_PICC, ACR1281_SAM]
    config = ReaderConfig(
        card_slot_patterns=("*RF*", "*PICC*"),
        slot_pairs=(("Vendor X Reader RF 0", "Vendor Y SAM Box 0"),),
    )
    slots = discover(names, config)
    assert (slots.card, slots.sam) == ("Vendor X Reader RF 0", "Vendor Y SAM Box 0")
    assert slots.sam_for(ACR1281_PICC) == ACR1281_SAM


def test_several_foreign_sam_slots_are_never_guessed() -> None:
    names = [ACR122U, OTHER_ACS_SAM, "Gemalto SAM Reader 05 00"]
    slots = discover(names, ReaderConfig())
    assert slots.card == ACR122U
    assert slots.sam is None


class FlakySession:
    """Fails with ``errors`` in turn, then reads a synthetic card."""

    name = "flaky"
    experimental = True

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.requests: list[ReadRequest] = []

    def read(self, request: ReadRequest) -> CardData:
        self.requests.append(request)
        if self.errors:
            raise self.errors.pop(0)
        return CardData.from_raw(synthetic_demographic(), source=self.name)


class Resets:
    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[tuple[str, int]] = []
        self.fail = fail
        self.done = threading.Event()

    def __call__(self, reader: str, attempts: int) -> object:
        self.calls.append((reader, attempts))
        self.done.set()
        if self.fail:
            raise SamError("SAM does not answer")
        return b"\x5a"


CARD, SAM = "KTPel Test Reader 00 00", "KTPel Test Reader 00 01"


def _service(session: FlakySession, resets: Resets) -> tuple[ReaderService, Recorder]:
    events = Recorder()
    svc = ReaderService(ReaderConfig(allow_virtual=True), session, listener=events,
                        sam_reset=resets)
    svc.monitor.slots = Slots(card=CARD, sam=SAM, cards=(CARD,), pairs=((CARD, SAM),))
    for event in (
        MonitorEvent(Input.SERVICE_UP),
        MonitorEvent(Input.READER_FOUND, reader=CARD),
        MonitorEvent(Input.SAM_INSERTED, reader=SAM),
        MonitorEvent(Input.CARD_INSERTED, reader=CARD),
    ):
        svc._on_monitor(event)
    return svc, events


def _next_card(svc: ReaderService) -> None:
    svc._on_monitor(MonitorEvent(Input.CARD_REMOVED, reader=CARD))
    svc._on_monitor(MonitorEvent(Input.CARD_INSERTED, reader=CARD))


def test_a_sam_error_clears_itself_at_the_next_card() -> None:
    session, resets = FlakySession(SamError("SAM F1 answered 6F00")), Resets()
    svc, events = _service(session, resets)
    with pytest.raises(SamError):
        svc.read_card()
    assert svc.current.state is ReaderState.SAM_ERROR
    assert svc.current.detail == "sam_error"
    assert "error" in sam_text(svc.current)
    _next_card(svc)
    svc.wait_for({ReaderState.CARD_PRESENT}, 30)
    assert resets.calls == [(SAM, 3)]
    assert any(e.detail == SAM_RECOVERING for e in events.events)
    with svc.read_card() as data:
        assert data.nik is not None
    assert session.requests[-1].sam_reader == SAM


def test_a_refused_pcid_conf_is_never_reset_away() -> None:
    session, resets = FlakySession(SamBlockedRisk("SAM open refused 63C2", tries_left=2)), Resets()
    svc, _events = _service(session, resets)
    with pytest.raises(SamBlockedRisk):
        svc.read_card()
    _next_card(svc)
    assert svc.current.state is ReaderState.SAM_ERROR
    assert not svc.recover_sam()
    assert resets.calls == []
    assert "PCID" in sam_text(svc.current)


def test_a_failed_reset_leaves_the_reason_on_the_status_bar() -> None:
    session, resets = FlakySession(SamError("SAM not answering")), Resets(fail=True)
    svc, events = _service(session, resets)
    with pytest.raises(SamError):
        svc.read_card()
    _next_card(svc)
    failed = events.wait(lambda e: e.detail == SAM_RESET_FAILED, timeout=30)
    assert failed.state is ReaderState.SAM_ERROR
    assert "re-seat" in sam_text(failed)
    assert resets.calls == [(SAM, 3)]


def test_settings_reach_the_reader_config() -> None:
    import dataclasses

    from app.reader.config import SamFlow
    from app.reader_wiring import reader_config
    from app.services.settings import ReaderSettings, Settings

    settings = Settings(
        reader=ReaderSettings(
            slot_pairs=("Vendor X RF 0 | Vendor Y SAM 0",), sam_flow="legacy", sam_slot_select=1
        )
    )
    config = reader_config(settings)
    assert config.slot_pairs == (("Vendor X RF 0", "Vendor Y SAM 0"),)
    assert config.sam_flow == dataclasses.replace(SamFlow.legacy(), sam_slot_select=1)
    assert reader_config(Settings()).sam_flow == SamFlow()
