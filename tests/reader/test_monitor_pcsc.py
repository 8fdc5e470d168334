"""The monitor against a real pcscd with the vpcd virtual reader."""

from __future__ import annotations

import dataclasses
import time

import pytest

from app.reader.config import ReaderConfig
from app.reader.controller import ReaderService
from app.reader.errors import NoReader
from app.reader.monitor import VIRTUAL_REFUSED
from app.reader.states import ReaderState
from tests.fakes.pcscd import CARD_READER, SAM_READER, Pcscd, wait_slot
from tests.fakes.vpcd_card import SAM_PORT, VirtualKtpel, VirtualSam
from tests.reader.conftest import Recorder

pytestmark = pytest.mark.pcsc


def test_insert_and_remove_are_reported(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder
) -> None:
    mark = len(recorder.events)
    t0 = time.monotonic()
    card.insert()
    event = recorder.wait_state(ReaderState.CARD_PRESENT, after=mark)
    assert time.monotonic() - t0 < 10.0  # debounce + one poll; generous for a loaded machine
    assert event.card_reader == CARD_READER
    assert service.last_atr_hex
    assert service.last_atr_hex.startswith("3B8A8001")
    mark = len(recorder.events)
    card.remove()
    recorder.wait_state(ReaderState.READY, after=mark)


def test_a_card_lifted_before_the_debounce_is_not_reported(
    pcscd: Pcscd, config: ReaderConfig, sam: VirtualSam, card: VirtualKtpel, recorder: Recorder
) -> None:
    slow = dataclasses.replace(config, debounce_ms=1500)
    with ReaderService(slow, listener=recorder) as svc:
        svc.wait_for({ReaderState.READY}, 30)
        card.insert()
        wait_slot(CARD_READER, present=True)
        card.remove()
        wait_slot(CARD_READER, present=False)
        card.insert()
        recorder.wait_state(ReaderState.CARD_PRESENT, timeout=30)
    assert recorder.states.count(ReaderState.CARD_PRESENT) == 1


def test_sam_slot_drives_no_sam_state(
    pcscd: Pcscd, config: ReaderConfig, recorder: Recorder
) -> None:
    sam = VirtualSam()
    with ReaderService(config, listener=recorder) as svc:
        event = svc.wait_for({ReaderState.NO_SAM}, 30)
        assert event.card_reader == CARD_READER
        sam.insert()
        try:
            recorder.wait_state(ReaderState.READY)
            mark = len(recorder.events)
        finally:
            sam.remove()
        recorder.wait_state(ReaderState.NO_SAM, after=mark)
    wait_slot(SAM_READER, present=False)


def test_stop_is_prompt_with_scard_cancel(
    pcscd: Pcscd, config: ReaderConfig, sam: VirtualSam
) -> None:
    long_wait = dataclasses.replace(config, poll_timeout_ms=60_000)
    svc = ReaderService(long_wait).start()
    svc.wait_for({ReaderState.READY}, 30)
    t0 = time.monotonic()
    svc.stop()
    assert time.monotonic() - t0 < 10.0  # far below the 60 s wait it cancels
    assert not svc.monitor.running


def test_survives_pcscd_restart_during_a_wait(
    service: ReaderService, pcscd: Pcscd, card: VirtualKtpel, recorder: Recorder
) -> None:
    card.insert()
    recorder.wait_state(ReaderState.CARD_PRESENT)
    contexts = service.monitor.contexts_established
    mark = len(recorder.events)
    pcscd.restart()
    recorder.wait_state(ReaderState.NO_SERVICE, after=mark)
    # The card and the SAM stay on the reader: both reconnect to the new daemon.
    recorder.wait_state(ReaderState.CARD_PRESENT, timeout=60, after=mark)
    assert service.monitor.contexts_established > contexts
    assert service.monitor.running
    # Reconnected: the next loss waits the shortest pause again, however often it restarted.
    for _ in range(3):
        mark = len(recorder.events)
        pcscd.restart()
        recorder.wait_state(ReaderState.CARD_PRESENT, timeout=60, after=mark)
    assert service.monitor.backoff_s == service.config.backoff_initial_s


def test_service_absent_at_start_then_appearing(
    pcscd: Pcscd, config: ReaderConfig, recorder: Recorder
) -> None:
    pcscd.stop()
    sam = VirtualSam()
    with ReaderService(config, listener=recorder) as svc:
        svc.wait_for({ReaderState.NO_SERVICE}, 30)
        pcscd.start()
        sam.insert()
        try:
            svc.wait_for({ReaderState.READY}, 30)
        finally:
            sam.remove()
            wait_slot(SAM_READER, present=False)


def test_virtual_reader_refused_outside_demo(
    pcscd: Pcscd, sam: VirtualSam, card: VirtualKtpel, recorder: Recorder
) -> None:
    production = ReaderConfig(allow_virtual=False, debounce_ms=50)
    card.insert()
    with ReaderService(production, listener=recorder) as svc:
        event = recorder.wait(lambda e: e.detail == VIRTUAL_REFUSED)
        assert event.state is ReaderState.NO_READER
        assert set(svc.monitor.slots.refused) == {CARD_READER, SAM_READER}
        with pytest.raises(NoReader):
            svc.read_photo()


def test_every_card_slot_is_watched(
    pcscd: Pcscd, config: ReaderConfig, recorder: Recorder
) -> None:
    # vpcd cannot emulate a second device in one pcscd (its driver state is per slot number,
    # not per device: a second vpcd reader mixes up the ports), so the reader's two slots
    # stand in for two card readers here; the pairing rules themselves are unit-tested.
    two_card_slots = dataclasses.replace(
        config,
        card_slot_patterns=(CARD_READER, SAM_READER),
        sam_slot_patterns=(),
        require_sam=False,
    )
    second = VirtualKtpel(port=SAM_PORT)
    with ReaderService(two_card_slots, listener=recorder) as svc:
        svc.wait_for({ReaderState.READY}, 30)
        assert svc.monitor.slots.cards == (CARD_READER, SAM_READER)
        mark = len(recorder.events)
        second.insert()
        try:
            event = recorder.wait_state(ReaderState.CARD_PRESENT, after=mark)
            assert event.card_reader == SAM_READER
            with svc.read_photo() as photo:
                assert bytes(photo.photo) == second.photo
        finally:
            mark = len(recorder.events)
            second.remove()
        recorder.wait_state(ReaderState.READY, after=mark)
    wait_slot(SAM_READER, present=False)
