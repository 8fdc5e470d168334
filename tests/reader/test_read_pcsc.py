"""Reading the virtual KTP-el through pcscd: photo, the APDU SAM flow, removal, restarts."""

from __future__ import annotations

import concurrent.futures
import logging
import time

import pytest

from app.reader.card_data import CardData
from app.reader.config import SamFlow, SamKeys
from app.reader.controller import ReaderService
from app.reader.errors import (
    CardRemoved,
    InvalidCardData,
    NoCard,
    NotAKtpel,
    ReaderError,
    SamBlockedRisk,
    SamError,
    ServiceUnavailable,
)
from app.reader.sam_apdu import ApduSamSession
from app.reader.states import ReaderState
from app.reader.synthetic import synthetic_demographic, synthetic_jpeg, synthetic_nik
from tests.fakes.pcscd import CARD_READER, Pcscd, wait_slot
from tests.fakes.vpcd_card import TEST_KEYS, OtherCard, VirtualKtpel, VirtualSam
from tests.fakes.vpcd_transport import CARD_TIMING, SAM_TIMING
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
    service.wait_for({ReaderState.READY}, 30)


def test_no_card_is_a_typed_error(service: ReaderService) -> None:
    with pytest.raises(NoCard):
        service.read_card()


def test_card_removed_mid_read_aborts_promptly(
    service: ReaderService, card: VirtualKtpel, recorder: Recorder
) -> None:
    _present(card, recorder)
    card.remove_when = lambda apdu: _is_photo_read(apdu, 2000)
    with pytest.raises(CardRemoved):
        service.read_card()
    aborted = time.monotonic()
    assert card.removed_at is not None
    assert aborted - card.removed_at < 5.0  # one status poll, not the 30 s APDU timeout
    service.wait_for({ReaderState.READY}, 30)
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
            future.result(timeout=30)
        assert time.monotonic() - t0 < 5.0


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
        # The old handle dies with the old daemon: 0x80100069/6A (card gone) or 0x8010001D/13
        # (service gone), whichever the client library sees first on a loaded machine.
        with pytest.raises((CardRemoved, ServiceUnavailable)):
            future.result(timeout=60)
    card.delay_s = 0.0
    recorder.wait_state(ReaderState.CARD_PRESENT, timeout=60, after=mark + 1)
    with service.read_card() as data:
        assert data.nik is not None


def test_wrong_sam_keys_stop_and_are_never_retried(
    pcscd: Pcscd, config, sam: VirtualSam, card: VirtualKtpel, recorder: Recorder
) -> None:
    wrong = SamKeys(pcid=b"\x11" * 16, conf=b"\x22" * 32)
    session = ApduSamSession(wrong)
    with ReaderService(config, session, listener=recorder) as svc:
        svc.wait_for({ReaderState.READY}, 30)
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
        svc.wait_for({ReaderState.READY}, 30)
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


def test_a_stuck_sam_recovers_by_itself_at_the_next_card(
    service: ReaderService, card: VirtualKtpel, sam: VirtualSam, recorder: Recorder
) -> None:
    _present(card, recorder)
    sam.glitch()  # the SAM answers 6F00 to everything until it is reset
    with pytest.raises(SamError):
        service.read_card()
    assert service.state is ReaderState.SAM_ERROR
    resets = sam.resets
    card.remove()
    wait_slot(CARD_READER, present=False)
    mark = len(recorder.events)
    card.insert()
    recorder.wait_state(ReaderState.CARD_PRESENT, after=mark)
    assert sam.resets > resets  # a warm reset through SCardReconnect, not a re-seat
    assert service.sam_resets == 1
    with service.read_card() as data:
        assert data.nik is not None
    assert sam.open_attempts == 1  # the glitched open never reached the PCID/CONF check


def _ins(apdus: list[bytes]) -> list[int]:
    return [a[1] for a in apdus if a[:2] != b"\x00\xc0"]


def test_the_sam_flow_follows_the_public_integrations(
    service: ReaderService, card: VirtualKtpel, sam: VirtualSam, recorder: Recorder
) -> None:
    _present(card, recorder)
    with service.read_card() as data:
        assert data.nik is not None
    assert bytes.fromhex("00A4000002 6FF0".replace(" ", "")) in card.apdus
    assert bytes.fromhex("00B0000035") in card.apdus
    assert bytes.fromhex("00DD000008") in card.apdus
    sam_ins = _ins(sam.apdus)
    assert sam_ins[:4] == [0xF0, 0xFF, 0xF1, 0xF2]
    assert set(sam_ins[4:]) == {0xF3, 0xF4}
    f1 = next(a for a in sam.apdus if a[1] == 0xF1)
    assert f1[3] == 0x01  # P2 01: 51 bytes of card control
    assert f1[4] == 51 + 8 + 8
    assert f1[5 + 51 : 5 + 59] == b"\x80" + card.uid  # the UID between control and challenge
    assert len(f1) == 5 + 67  # case 3: no Le; the T=0 SAM answers 61 28
    assert any(a[:2] == b"\x00\xc0" for a in sam.apdus)


def test_the_earlier_flow_is_kept_behind_a_setting(
    pcscd: Pcscd, config, sam: VirtualSam, card: VirtualKtpel, recorder: Recorder
) -> None:
    sam.legacy = True
    card.expect_uid = False
    with ReaderService(config, ApduSamSession(TEST_KEYS, SamFlow.legacy()), listener=recorder
                       ) as svc:
        svc.wait_for({ReaderState.READY}, 30)
        _present(card, recorder)
        with svc.read_card() as data:
            assert data.nik is not None
    f1 = next(a for a in sam.apdus if a[1] == 0xF1)
    assert f1[4] == 16 + 8
    assert 0xFF not in _ins(sam.apdus)


def test_a_29_byte_card_control_uses_p2_00(
    pcscd: Pcscd, config, sam: VirtualSam, recorder: Recorder
) -> None:
    card = VirtualKtpel(control=bytes(range(29)))
    with ReaderService(config, ApduSamSession(TEST_KEYS), listener=recorder) as svc:
        svc.wait_for({ReaderState.READY}, 30)
        _present(card, recorder)
        try:
            with svc.read_card() as data:
                assert data.nik is not None
        finally:
            card.remove()
            wait_slot(CARD_READER, present=False)
    f1 = next(a for a in sam.apdus if a[1] == 0xF1)
    assert (f1[3], f1[4]) == (0x00, 29 + 8 + 8)


def test_a_short_photo_file_is_read_through_62_82(
    service: ReaderService, recorder: Recorder, pcscd: Pcscd
) -> None:
    card = VirtualKtpel(photo=synthetic_jpeg(16, 16))
    _present(card, recorder)
    try:
        with service.read_photo() as result:
            assert bytes(result.photo) == card.photo
        assert any(a[1] == 0xB0 for a in card.apdus)
    finally:
        card.remove()
        wait_slot(CARD_READER, present=False)


def test_realistic_timing_of_the_virtual_card(
    pcscd: Pcscd, config, recorder: Recorder
) -> None:
    card = VirtualKtpel(timing=CARD_TIMING)
    slow_sam = VirtualSam(timing=SAM_TIMING)
    slow_sam.insert()
    try:
        with ReaderService(config, ApduSamSession(TEST_KEYS), listener=recorder) as svc:
            svc.wait_for({ReaderState.READY}, 30)
            _present(card, recorder)
            t0 = time.monotonic()
            with svc.read_photo():
                pass
            photo_s = time.monotonic() - t0
            t0 = time.monotonic()
            with svc.read_card() as data:
                assert data.nik is not None
            full_s = time.monotonic() - t0
    finally:
        card.remove()
        slow_sam.remove()
        wait_slot(CARD_READER, present=False)
    # Lower bounds only: the card's own transfer time, never faster on any machine.
    assert photo_s >= 0.8
    assert full_s >= 3.0
