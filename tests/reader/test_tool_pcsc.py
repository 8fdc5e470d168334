"""``loket reader`` sub-commands against pcscd and the virtual reader."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.reader.config import ReaderConfig
from app.reader.tool import run_reader_cli
from tests.fakes.pcscd import CARD_READER, SAM_READER, Pcscd, wait_slot
from tests.fakes.vpcd_card import VirtualKtpel, VirtualSam

pytestmark = pytest.mark.pcsc


def _run(argv: list[str], config: ReaderConfig, *, allow_virtual: bool = True) -> tuple[int, str]:
    out = io.StringIO()
    code = run_reader_cli(argv, allow_virtual=allow_virtual, config=config, out=out)
    return code, out.getvalue()


def test_list_shows_roles_and_presence(config: ReaderConfig, sam: VirtualSam) -> None:
    code, text = _run(["list"], config)
    assert code == 0
    assert f"{CARD_READER}\n    card slot; empty" in text
    assert f"{SAM_READER}\n    SAM slot; card present, ATR 3B68" in text


def test_list_refuses_virtual_readers_in_production(pcscd: Pcscd) -> None:
    code, text = _run(["list"], ReaderConfig(), allow_virtual=False)
    assert code == 1
    assert "refused: virtual reader outside demo mode" in text


def test_sam_status(config: ReaderConfig, sam: VirtualSam) -> None:
    code, text = _run(["sam"], config)
    assert code == 0
    assert "SAM UID: 5A4D0001" in text
    assert sam.open_attempts == 0  # the status check never sends PCID/CONF


def test_sam_missing(config: ReaderConfig, pcscd: Pcscd) -> None:
    code, text = _run(["sam"], config)
    assert code == 1
    assert "No SAM was found" in text


def test_watch_prints_events(config: ReaderConfig, sam: VirtualSam) -> None:
    code, text = _run(["watch", "--seconds", "0.5"], config)
    assert code == 0
    assert "ready" in text


def test_read_prints_uid_and_photo(config: ReaderConfig, card: VirtualKtpel) -> None:
    card.insert()
    wait_slot(CARD_READER, present=True)
    code, text = _run(["read", "--wait", "5"], config)
    assert code == 0, text
    assert "UID: 04A1B2C3D4E5F6" in text
    assert f"Photo: {len(card.photo)} bytes, JPEG 240×320" in text


def test_read_out_only_in_demo(
    config: ReaderConfig, card: VirtualKtpel, tmp_path: Path
) -> None:
    target = tmp_path / "photo.jpg"
    code, text = _run(["read", "--out", str(target)], config, allow_virtual=False)
    assert code == 2
    assert not target.exists()
    card.insert()
    wait_slot(CARD_READER, present=True)
    code, text = _run(["read", "--wait", "5", "--out", str(target)], config)
    assert code == 0, text
    assert target.read_bytes() == card.photo
    assert target.stat().st_mode & 0o077 == 0


def test_read_without_card_times_out(config: ReaderConfig, pcscd: Pcscd) -> None:
    code, text = _run(["read", "--wait", "0.5"], config)
    assert code == 1
    assert "No card was placed" in text
