"""VendorSdkSession against a fake EktpSdk shared library built here with gcc."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.reader.config import SamKeys
from app.reader.errors import ReadFailed, SamBlockedRisk, SdkUnavailable
from app.reader.session import ReadRequest
from app.reader.vendor_sdk import VendorSdkSession
from tests.fakes.vpcd_card import TEST_KEYS

SOURCE = Path(__file__).resolve().parents[1] / "fakes" / "ektp_sdk" / "fake_ektpsdk.c"


@pytest.fixture(scope="module")
def fake_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fake library, compiled once per module."""
    gcc = shutil.which("gcc")
    if gcc is None:
        if os.environ.get("CI") == "true":
            pytest.fail("gcc is required to build the fake vendor SDK")
        pytest.skip("gcc not available")
    out = tmp_path_factory.mktemp("sdk") / "libektpsdk_fake.so"
    subprocess.run([gcc, "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", str(out),
                    str(SOURCE)], check=True)
    return out


@pytest.fixture
def probes(fake_sdk: Path) -> Iterator[ctypes.CDLL]:
    """The same library instance (dlopen shares it) for the test probes."""
    return ctypes.CDLL(str(fake_sdk))


def test_reads_through_the_sdk(fake_sdk: Path, probes: ctypes.CDLL) -> None:
    progress: list[int] = []
    session = VendorSdkSession(str(fake_sdk), TEST_KEYS)
    before = probes.FakeContextsOpen()
    with session.read(ReadRequest(card_reader="-", progress=progress.append)) as data:
        assert data.nik is not None
        assert data.nik.value == "3303015505900001"
        assert data.name == "WARGA CONTOH"
        assert bytes(data.photo).startswith(b"\xff\xd8")
        assert bytes(data.signature_png).startswith(b"\x89PNG")
        assert data.source == "vendor-sdk"
    assert progress[0] == 0
    assert progress[-1] == 100
    assert probes.FakeContextsOpen() == before  # the context was released


def test_wrong_keys_are_never_retried(fake_sdk: Path, probes: ctypes.CDLL) -> None:
    session = VendorSdkSession(str(fake_sdk), SamKeys(pcid=b"\x01" * 16, conf=b"\x02" * 32))
    calls = probes.FakeConnectCalls()
    with pytest.raises(SamBlockedRisk):
        session.read(ReadRequest(card_reader="-"))
    with pytest.raises(SamBlockedRisk):
        session.read(ReadRequest(card_reader="-"))
    assert probes.FakeConnectCalls() == calls + 1
    assert session.refused


def test_read_error_is_a_failed_read(
    fake_sdk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EKTP_READ_RC", "27")
    session = VendorSdkSession(str(fake_sdk), TEST_KEYS)
    with pytest.raises(ReadFailed, match="27"):
        session.read(ReadRequest(card_reader="-"))
    assert not session.refused


def test_missing_or_wrong_library(tmp_path: Path) -> None:
    with pytest.raises(SdkUnavailable):
        VendorSdkSession(str(tmp_path / "absent.so"), TEST_KEYS)
    bogus = tmp_path / "bogus.so"
    bogus.write_bytes(b"not a library")
    with pytest.raises(SdkUnavailable):
        VendorSdkSession(str(bogus), TEST_KEYS)


def test_library_without_the_exports(tmp_path: Path, fake_sdk: Path) -> None:
    source = tmp_path / "empty.c"
    source.write_text("int Something(void) { return 0; }\n")
    lib = tmp_path / "libempty.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(lib), str(source)], check=True)
    with pytest.raises(SdkUnavailable, match="EktpConnect"):
        VendorSdkSession(str(lib), TEST_KEYS)
