"""The read against an outside card: the vsmartcard project's own vicc (through pcscd + vpcd)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.reader.config import ReaderConfig
from app.reader.synthetic import synthetic_jpeg
from app.reader.tool import run_reader_cli
from tests.fakes.pcscd import CARD_READER, Pcscd, wait_slot
from tests.fakes.vicc import Vicc
from tests.fakes.vpcd_card import CARD_PORT

pytestmark = pytest.mark.pcsc


def _read(config: ReaderConfig, tmp_path: Path) -> tuple[int, str, bytes]:
    out = io.StringIO()
    target = tmp_path / "photo.jpg"
    code = run_reader_cli(
        ["read", "--wait", "60", "--out", str(target)], allow_virtual=True, config=config, out=out
    )
    return code, out.getvalue(), target.read_bytes() if target.exists() else b""


@pytest.fixture
def vicc_card(pcscd: Pcscd, tmp_path: Path) -> Iterator[list[Vicc]]:
    """Started vicc processes, stopped (card removed) after the test."""
    started: list[Vicc] = []
    yield started
    for vicc in started:
        vicc.remove()
    if pcscd.running:
        wait_slot(CARD_READER, present=False, timeout=60)


def test_vicc_iso7816_card_is_not_a_ktpel(
    config: ReaderConfig, vicc_card: list[Vicc], tmp_path: Path
) -> None:
    vicc = Vicc.iso7816(tmp_path, CARD_PORT)
    vicc_card.append(vicc)
    vicc.insert()
    wait_slot(CARD_READER, present=True, timeout=60)
    code, text, _photo = _read(config, tmp_path)
    assert code == 1, vicc.log()
    assert "Read failed: This card is not a KTP-el." in text
    assert "Traceback" not in text + vicc.log()


def test_photo_read_from_vicc_with_a_ktpel_file_system(
    config: ReaderConfig, vicc_card: list[Vicc], tmp_path: Path
) -> None:
    photo = synthetic_jpeg(pad_to=5000)
    vicc = Vicc.ktpel_photo(tmp_path, CARD_PORT, photo)
    vicc_card.append(vicc)
    vicc.insert()
    wait_slot(CARD_READER, present=True, timeout=60)
    code, text, read_back = _read(config, tmp_path)
    assert code == 0, text + vicc.log()
    assert read_back == photo
    assert "UID: 04112233" in text  # answered in the reader's place (see vicc_ktpel.py)
