"""Reading the virtual KTP-el through pcscd: photo, the APDU SAM flow, removal, restarts."""

from __future__ import annotations

import concurrent.futures
import logging
import time

import pytest

from app.reader.card_data import CardData
from app.reader.config import SamKeys
from app.reader.controller import ReaderService
from app.reader.errors import (
    CardRemoved,
    InvalidCardData,
    NoCard,
    NotAKtpel,
    ReaderError,
    SamBlockedRisk,
    ServiceUnavailable,
)
from app.reader.sam_apdu import ApduSamSession
from app.reader.states import ReaderState
from app.reader.synthetic import synthetic_demographic, synthetic_nik
from tests.fakes.pcscd import CARD_READER, Pcscd, wait_slot
from tests.fakes.vpcd_card import TEST_KEYS, OtherCard, VirtualKtpel, VirtualSam
from tests.reader.conftest import Recorder

pytestmark = pytest.mark.pcsc


def _present(card: VirtualKtpel | OtherCard, recorder: Recorder) -> None:
    mark = len(recorder.events)
    card.insert()
    recorder.wait_state(ReaderState.CARD_PRESENT, after=mark)


def _is_photo_read(apdu: bytes, offset: int) -> bool:
    return apdu[1] == 0xB0 and ((apdu[2] << 8) | apdu[3]) >= offset


def test_reads_uid_and_photo_with_progress(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder
) -> None:
    _present(card, recorder)
    mark = len(recorder.events)
    with service.read_photo() as result:
        assert bytes(result.photo) == card.photo
        assert bytes(result.uid) == card.uid
        assert result.atr_hex.startswith("3B8A8001")
    assert not result.photo  # wiped on release
    progress = [e.progress for e in recorder.events[mark:] if e.state is ReaderState.READING]
    assert progress == sorted(progress)
    assert len(progress) >= 5
    assert recorder.events[-1].state is ReaderState.READ
    # Every command ran inside one transaction, on a fresh handle: no ``FF CA`` before SELECT.
    assert card.apdus[0] == bytes.fromhex("00A40000027F0A")


def test_full_read_through_the_experimental_sam_flow(
    service: ReaderService, card: VirtualKtpel, sam: VirtualSam, recorder: Recorder
) -> None:
    _present(card, recorder)
    with service.read_card() as data:
        assert data.nik is not None
        assert data.nik.value == synthetic_nik()
        assert data.name == "WARGA CONTOH"
        assert data.fields["kabupaten_kota"] == "PURBALINGGA"
        assert data.valid_for_life
        assert data.issues == ()
        assert bytes(data.photo) == card.photo
        assert bytes(data.signature_png).startswith(b"\x89PNG\r\n\x1a\n")
        assert bytes(data.uid) == card.uid
    assert data.wiped
    assert data.nik is None
    assert not data.fields
    assert not data.photo
    assert service.state is ReaderState.READ
    assert sam.open_attempts == 1
    assert any(a[:2] == b"\x0c\xe0" for a in card.apdus)  # wrapped APDUs were used


def test_not_a_ktpel(service: ReaderService, recorder: Recorder, pcscd: Pcscd) -> None:
    other = OtherCard()
    _present(other, recorder)
    try:
        with pytest.raises(NotAKtpel) as info:
            service.read_photo()
        assert info.value.user_message == "This card is not a KTP-el."
        assert service.state is ReaderState.NOT_KTPEL
    finally:
        other.remove()
        wait_slot(CARD_READER, present=False)
    service.wait_for({ReaderState.READY}, 5)


def test_no_card_is_a_typed_error(service: ReaderService) -> None:
    with pytest.raises(NoCard):
        service.read_card()


def test_card_removed_mid_read_aborts_within_a_second(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder
) -> None:
    _present(card, recorder)
    card.remove_when = lambda apdu: _is_photo_read(apdu, 2000)
    with pytest.raises(CardRemoved):
        service.read_card()
    aborted = time.monotonic()
    assert card.removed_at is not None
    assert aborted - card.removed_at < 1.0
    service.wait_for({ReaderState.READY}, 2)
    assert ReaderState.READ not in recorder.states


def test_card_removed_while_a_slow_card_is_read(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder
) -> None:
    card.delay_s = 0.2
    _present(card, recorder)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(service.read_photo)
        recorder.wait(lambda e: e.state is ReaderState.READING and (e.progress or 0) >= 10)
        card.remove()
        t0 = time.monotonic()
        with pytest.raises(CardRemoved):
            future.result(timeout=5)
        assert time.monotonic() - t0 < 1.0


def test_slow_card_is_read_completely(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder
) -> None:
    card.delay_s = 0.01
    _present(card, recorder)
    with service.read_card() as data:
        assert bytes(data.photo) == card.photo


def test_pcscd_restart_during_a_read(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder, pcscd: Pcscd
) -> None:
    card.delay_s = 0.05
    _present(card, recorder)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(service.read_card)
        mark = len(recorder.events)
        recorder.wait(lambda e: e.state is ReaderState.READING and (e.progress or 0) >= 10,
                      after=mark)
        pcscd.restart()
        with pytest.raises((CardRemoved, ServiceUnavailable)):
            future.result(timeout=5)
    card.delay_s = 0.0
    recorder.wait_state(ReaderState.CARD_PRESENT, timeout=10, after=mark + 1)
    with service.read_card() as data:
        assert data.nik is not None


def test_wrong_sam_keys_stop_and_are_never_retried(
    pcscd: Pcscd, config, sam: VirtualSam, card: VirtualKtpel, recorder: Recorder
) -> None:
    wrong = SamKeys(pcid=b"\x11" * 16, conf=b"\x22" * 32)
    session = ApduSamSession(wrong)
    with ReaderService(config, session, listener=recorder) as svc:
        svc.wait_for({ReaderState.READY}, 5)
        _present(card, recorder)
        with pytest.raises(SamBlockedRisk) as info:
            svc.read_card()
        assert info.value.tries_left == 2
        assert "SIFILMA" in info.value.user_message
        assert svc.state is ReaderState.SAM_ERROR
        with pytest.raises(ReaderError):
            svc.read_card()
        assert session.refused
    assert sam.open_attempts == 1
    assert sam.tries == 2


def test_invalid_nik_on_the_card(
    pcscd: Pcscd, config, sam: VirtualSam, recorder: Recorder
) -> None:
    card = VirtualKtpel(demographic=synthetic_demographic("33030155059"))
    with ReaderService(config, ApduSamSession(TEST_KEYS), listener=recorder) as svc:
        svc.wait_for({ReaderState.READY}, 5)
        _present(card, recorder)
        try:
            with pytest.raises(InvalidCardData):
                svc.read_card()
            assert svc.state is ReaderState.READ_FAILED
        finally:
            card.remove()
            wait_slot(CARD_READER, present=False)


def test_logs_carry_no_card_data_or_secrets(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _present(card, recorder)
    data: CardData = service.read_card()
    nik = data.nik.value if data.nik else ""
    text = caplog.text + " ".join(repr(r.args) for r in caplog.records) + repr(data)
    data.wipe()
    assert nik
    assert nik not in text
    assert nik[:4] + "•" * 8 + nik[-4:] in text
    for secret in (TEST_KEYS.pcid, TEST_KEYS.conf, TEST_KEYS.open_block()):
        assert secret.hex() not in text.lower()
    for value in ("WARGA CONTOH", "JL. CONTOH", "KEMANGKON", "15-05-1990"):
        assert value not in text
    assert "redacted" in repr(TEST_KEYS)
