"""Transport rules without pcscd: T=0, PC/SC error table, short and corrupt files, back-off."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from app.reader import apdu as apdu_module
from app.reader import pcsc_errors
from app.reader.apdu import CardChannel, Response, with_le
from app.reader.config import ReaderConfig
from app.reader.errors import (
    CardRemoved,
    CardReset,
    CardUnresponsive,
    CorruptCardFile,
    NoReader,
    ReaderBusy,
    ReadFailed,
    ServiceUnavailable,
)
from app.reader.monitor import ReaderMonitor, _Restart
from app.reader.session import EF_PHOTO, FileReader
from app.reader.states import ReaderState
from app.reader.synthetic import synthetic_jpeg
from tests.fakes.vpcd_card import VirtualKtpel, VirtualSam
from tests.fakes.vpcd_transport import FAST

PCSCLITE_H = Path("/usr/include/PCSC/pcsclite.h")


def _channel(monkeypatch: pytest.MonkeyPatch, answer: Callable[[bytes], bytes]) -> list[bytes]:
    """Route SCardTransmit to ``answer``; return the list of APDUs sent."""
    sent: list[bytes] = []

    def transmit(_card: int, _protocol: int, command: list[int]) -> tuple[int, list[int]]:
        sent.append(bytes(command))
        return 0, list(answer(bytes(command)))

    monkeypatch.setattr(apdu_module.scard, "SCardTransmit", transmit)
    return sent


def _open(channel: CardChannel) -> CardChannel:
    channel._card, channel._protocol = 1, 1  # a handle as SCardConnect would give
    return channel


def test_t0_wrong_le_is_repeated_with_the_length_the_sam_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sam = VirtualSam(timing=FAST)
    sent = _channel(monkeypatch, sam._t0)
    answer = _open(CardChannel("SAM")).transmit(bytes.fromhex("00F7000000"))
    assert (answer.data, answer.sw) == (bytes.fromhex("5A4D0001"), 0x9000)
    assert sent == [bytes.fromhex("00F7000000"), bytes.fromhex("00F7000004")]


def test_t0_pending_data_is_fetched_with_get_response(monkeypatch: pytest.MonkeyPatch) -> None:
    sam = VirtualSam(timing=FAST)
    sam.opened = True
    sam.session = b"k" * 16
    sent = _channel(monkeypatch, sam._t0)
    wrapped = _open(CardChannel("SAM")).transmit(bytes.fromhex("00F3000005") + bytes(5))
    assert wrapped.sw == 0x9000
    assert wrapped.data[:2] == b"\x0c\xe0"
    assert len(wrapped.data) == 5 + 5 + 8
    assert sent[1] == bytes.fromhex("00C0000012")


def test_t0_get_response_chain_longer_than_one_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(
        [b"\x61\x00", bytes(256) + b"\x61\x10", bytes(range(16)) + b"\x90\x00"]
    )
    sent = _channel(monkeypatch, lambda _apdu: next(answers))
    result = _open(CardChannel("SAM")).transmit(bytes.fromhex("00F4000002AABB"))
    assert len(result.data) == 272
    assert result.data[-16:] == bytes(range(16))
    assert sent[1:] == [bytes.fromhex("00C0000000"), bytes.fromhex("00C0000010")]


def test_with_le_for_every_case() -> None:
    assert with_le(bytes.fromhex("00B00000"), 4) == bytes.fromhex("00B0000004")
    assert with_le(bytes.fromhex("00B0000000"), 4) == bytes.fromhex("00B0000004")
    assert with_le(bytes.fromhex("00F1000002AABB"), 9) == bytes.fromhex("00F1000002AABB09")
    assert with_le(bytes.fromhex("00F1000002AABB00"), 9) == bytes.fromhex("00F1000002AABB09")


def test_every_pcsclite_code_is_mapped() -> None:
    header = PCSCLITE_H.read_text()
    codes = {
        int(value, 16)
        for name, value in re.findall(r"#define (SCARD_[EFWP]_\w+)\s+\(\(LONG\)(0x[0-9A-F]+)\)",
                                      header)
    }
    assert len(codes) >= 60
    assert codes - set(pcsc_errors.CODES) == set()


def test_winscard_only_codes_are_mapped() -> None:
    # winerror.h codes pcsc-lite does not define.
    for code in (0x80100022, 0x80100032, 0x80100033, 0x80100034, 0x80100070, 0x80100071,
                 0x80100072):
        assert pcsc_errors.lookup(code).name.startswith("SCARD_")


@pytest.mark.parametrize(
    ("code", "error", "state"),
    [
        (0x80100069, CardRemoved, ReaderState.READY),
        (0x8010006A, CardRemoved, ReaderState.READY),
        (0x80100068, CardReset, ReaderState.READ_FAILED),
        (0x80100066, CardUnresponsive, ReaderState.READ_FAILED),
        (0x80100067, CardUnresponsive, ReaderState.READ_FAILED),
        (0x8010000B, ReaderBusy, ReaderState.READ_FAILED),
        (0x8010001D, ServiceUnavailable, ReaderState.NO_SERVICE),
        (0x80100013, ServiceUnavailable, ReaderState.NO_SERVICE),
        (0x8010002E, NoReader, ReaderState.NO_READER),
        (0x8010006D, ReadFailed, ReaderState.READ_FAILED),
        (0x00000006, ReadFailed, ReaderState.READ_FAILED),  # a Win32 error passed through
    ],
)
def test_codes_map_to_an_error_and_a_state(
    code: int, error: type[Exception], state: ReaderState
) -> None:
    raised = pcsc_errors.error_for("SCardTransmit", code)
    assert type(raised) is error
    assert raised.pcsc_code == code
    assert pcsc_errors.state_for(code) is state
    assert f"0x{code:08X}" in str(raised)


def test_transmit_raises_the_mapped_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        apdu_module.scard, "SCardTransmit", lambda *_a: (0x8010006A - (1 << 32), [])
    )
    with pytest.raises(CardRemoved):
        _open(CardChannel("card")).transmit(bytes.fromhex("00A40000027F0A"))


def _file_reader(card: VirtualKtpel, chunk: int = 248) -> FileReader:
    reader = FileReader(lambda apdu: Response.parse(card.handle(apdu)), chunk_size=chunk)
    assert reader.is_ktpel()
    reader.select(EF_PHOTO)
    return reader


def test_a_photo_shorter_than_one_chunk_is_read_through_62_82() -> None:
    card = VirtualKtpel(photo=synthetic_jpeg(16, 16), timing=FAST)
    assert len(card.photo) + 2 < 248
    assert bytes(_file_reader(card).read_length_prefixed()) == card.photo


def test_a_photo_ending_exactly_at_a_chunk_border() -> None:
    card = VirtualKtpel(photo=synthetic_jpeg(pad_to=248 * 3 - 2), timing=FAST)
    assert bytes(_file_reader(card).read_length_prefixed()) == card.photo


def test_length_header_ffff_is_a_corrupt_file() -> None:
    card = VirtualKtpel(photo_file=b"\xff\xff" + synthetic_jpeg(), timing=FAST)
    with pytest.raises(CorruptCardFile) as info:
        _file_reader(card).read_length_prefixed()
    assert "damaged" in info.value.user_message


def test_a_file_shorter_than_its_header_is_a_corrupt_file() -> None:
    photo = synthetic_jpeg(pad_to=3000)
    card = VirtualKtpel(photo_file=(5000).to_bytes(2, "big") + photo, timing=FAST)
    with pytest.raises(CorruptCardFile):
        _file_reader(card).read_length_prefixed()
    short = VirtualKtpel(photo_file=(500).to_bytes(2, "big") + photo[:100], timing=FAST)
    with pytest.raises(CorruptCardFile):
        _file_reader(short).read_length_prefixed()


def test_backoff_starts_short_again_after_each_successful_reconnect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.reader import monitor as monitor_module

    config = ReaderConfig(backoff_initial_s=0.01, backoff_max_s=5.0)
    mon = ReaderMonitor(config, lambda _event: None)
    waits: list[float] = []
    rounds = threading.Event()

    def watch(_context: int) -> None:
        if len(waits) >= 4:
            mon._stop.set()
            rounds.set()
            return
        raise _Restart("service restarted")

    real_wait = mon._stop.wait

    def record_wait(timeout: float | None = None) -> bool:
        waits.append(float(timeout or 0))
        return real_wait(0)

    monkeypatch.setattr(monitor_module, "establish_context", lambda: 1)
    monkeypatch.setattr(monitor_module, "release_context", lambda _c: None)
    monkeypatch.setattr(mon, "_watch", watch)
    monkeypatch.setattr(mon._stop, "wait", record_wait)
    mon._run()
    assert rounds.is_set()
    assert waits == [0.01, 0.01, 0.01, 0.01]


def test_a_card_reset_is_read_again_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.reader import session as session_module
    from app.reader.card_data import PhotoRead
    from app.reader.session import ReadRequest, read_uid_and_photo

    outcomes: list[Exception | PhotoRead] = [
        CardReset("SCardTransmit SCARD_W_RESET_CARD"),
        PhotoRead(uid=bytearray(b"\x04"), photo=bytearray(b"\xff\xd8")),
    ]
    calls: list[ReadRequest] = []

    def attempt(request: ReadRequest) -> PhotoRead:
        calls.append(request)
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(session_module, "_read_uid_and_photo", attempt)
    with read_uid_and_photo(ReadRequest(card_reader="card")) as result:
        assert bytes(result.photo) == b"\xff\xd8"
    assert len(calls) == 2
    outcomes[:] = [CardReset("again"), CardReset("and again")]
    with pytest.raises(CardReset):
        read_uid_and_photo(ReadRequest(card_reader="card"))
