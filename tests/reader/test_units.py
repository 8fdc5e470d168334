"""Slot discovery, config, card data, simulated session, errors, import rules."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from app.reader.card_data import CardData
from app.reader.config import ReaderConfig, SamKeys
from app.reader.errors import CardRemoved, InvalidCardData, ProductionRefused, ReaderError
from app.reader.parsers import parse_demographic
from app.reader.session import ReadRequest
from app.reader.simulated import SimulatedSession
from app.reader.slots import discover, is_virtual
from app.reader.synthetic import synthetic_demographic, synthetic_record

ACS = ["ACS ACR1281 1S Dual Reader ICC 0", "ACS ACR1281 1S Dual Reader PICC 0",
       "ACS ACR1281 1S Dual Reader SAM 0"]


def test_default_patterns_find_common_dual_readers() -> None:
    slots = discover(ACS, ReaderConfig())
    assert slots.card == "ACS ACR1281 1S Dual Reader PICC 0"
    assert slots.sam == "ACS ACR1281 1S Dual Reader SAM 0"
    assert slots.others == ("ACS ACR1281 1S Dual Reader ICC 0",)
    omnikey = ["HID Global OMNIKEY 5422 Smartcard Reader 0",
               "HID Global OMNIKEY 5422CL Smartcard Reader 0"]
    slots = discover(omnikey, ReaderConfig())
    assert (slots.card, slots.sam) == (omnikey[1], omnikey[0])


def test_sam_from_the_same_device_is_preferred() -> None:
    names = ["Other SAM Reader 0", "ACS ACR1281 PICC 0", "ACS ACR1281 SAM 0"]
    assert discover(names, ReaderConfig()).sam == "ACS ACR1281 SAM 0"


def test_virtual_readers_refused_unless_allowed() -> None:
    names = ["Virtual PCD 00 00", "Virtual PCD 00 01"]
    refused = discover(names, ReaderConfig())
    assert refused.card is None
    assert refused.refused == tuple(names)
    allowed = discover(names, ReaderConfig(allow_virtual=True))
    assert (allowed.card, allowed.sam) == tuple(names)
    assert is_virtual("KTPel Test Reader 00 00", ReaderConfig().virtual_markers)
    assert not is_virtual("ACS ACR1281 1S Dual Reader PICC 0", ReaderConfig().virtual_markers)


def test_custom_patterns_are_case_insensitive() -> None:
    cfg = ReaderConfig(card_slot_patterns=("*crt-603*rf*",), sam_slot_patterns=("*crt-603*sam*",))
    slots = discover(["Creator CRT-603 RF 0", "Creator CRT-603 SAM 0"], cfg)
    assert (slots.card, slots.sam) == ("Creator CRT-603 RF 0", "Creator CRT-603 SAM 0")


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        ReaderConfig(chunk_size=300)
    with pytest.raises(ValueError):
        SamKeys(pcid=b"1", conf=b"2" * 32)


def test_sam_keys_xor_and_redaction() -> None:
    keys = SamKeys(pcid=b"\x0f" * 16, conf=b"\xf0" * 16 + b"\x0f" * 16)
    assert keys.open_block() == b"\xff" * 16 + b"\x00" * 16
    assert "0f" not in repr(keys)
    assert "redacted" in str(keys)


def test_card_data_wipes_and_hides() -> None:
    photo = bytearray(b"\xff\xd8photo")
    data = CardData.from_raw(synthetic_demographic(), uid=b"\x01\x02", photo=photo,
                             signature_png=b"\x89PNG")
    assert "WARGA" not in repr(data)
    assert "3303••••••••0001" in repr(data)
    buffer = data.photo
    with data:
        assert data.nik is not None
        assert data.nik.value == "3303015505900001"
    assert data.wiped
    assert data.nik is None
    assert data.fields == {}
    assert data.name == ""
    assert buffer == bytearray()
    assert data.uid == bytearray()


def test_card_nik_goes_through_parse_nik() -> None:
    with pytest.raises(InvalidCardData) as info:
        CardData.from_record(parse_demographic(synthetic_demographic("12345")))
    assert "12345" not in str(info.value)


def test_simulated_session_refuses_production() -> None:
    with pytest.raises(ProductionRefused):
        SimulatedSession(demo=False)


def test_simulated_session_reads_and_aborts() -> None:
    session = SimulatedSession(demo=True, step_delay_s=0)
    seen: list[int] = []
    with session.read(ReadRequest(card_reader="demo", progress=seen.append)) as data:
        assert data.name == "WARGA CONTOH"
        assert bytes(data.photo).startswith(b"\xff\xd8")
    assert seen[-1] == 100
    abort = threading.Event()
    abort.set()
    with pytest.raises(CardRemoved):
        SimulatedSession(demo=True).read(ReadRequest(card_reader="demo", abort=abort))


def test_every_error_has_a_message_and_a_code() -> None:
    classes = [ReaderError, *ReaderError.__subclasses__()]
    for cls in list(classes):
        classes.extend(cls.__subclasses__())
    for cls in classes:
        error = cls()
        assert error.user_message
        assert error.code
    assert synthetic_record()["name"] == "WARGA CONTOH"


def test_reader_layer_imports_no_qt_and_no_services() -> None:
    code = (
        "import sys, pkgutil, importlib, app.reader\n"
        "for m in pkgutil.iter_modules(app.reader.__path__):\n"
        "    importlib.import_module('app.reader.' + m.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'app.services',"
        " 'app.ui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
