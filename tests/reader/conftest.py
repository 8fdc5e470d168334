"""Fixtures for the reader tests: one pcscd per test session, virtual card and SAM."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.reader.config import ReaderConfig
from app.reader.controller import ReaderService
from app.reader.sam_apdu import ApduSamSession
from app.reader.states import ReaderEvent, ReaderState
from tests.fakes.pcscd import CARD_READER, SAM_READER, Pcscd, PcscdUnavailable, wait_slot
from tests.fakes.vpcd_card import TEST_KEYS, VirtualKtpel, VirtualSam


@pytest.fixture(scope="session")
def pcscd_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """Our own pcscd for the whole session; with CI=true a missing daemon fails the run."""
    daemon = Pcscd(Path(tmp_path_factory.mktemp("pcscd")))
    try:
        daemon.start()
    except PcscdUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"pcscd/vpcd unavailable with CI=true: {exc}")
        pytest.skip(f"pcscd/vpcd unavailable: {exc}")
    yield daemon
    daemon.stop()


@pytest.fixture
def pcscd(pcscd_daemon: Pcscd) -> Iterator[Pcscd]:
    """The running daemon (restarted if a previous test stopped it)."""
    if not pcscd_daemon.running:
        pcscd_daemon.start()
    yield pcscd_daemon
    if not pcscd_daemon.running:
        pcscd_daemon.start()


def _take_off(card: VirtualKtpel | VirtualSam, reader: str, pcscd: Pcscd) -> None:
    card.remove()
    if pcscd.running:
        wait_slot(reader, present=False)


@pytest.fixture
def card(pcscd: Pcscd) -> Iterator[VirtualKtpel]:
    """A virtual KTP-el, not yet on the reader."""
    c = VirtualKtpel()
    yield c
    _take_off(c, CARD_READER, pcscd)


@pytest.fixture
def sam(pcscd: Pcscd) -> Iterator[VirtualSam]:
    """A virtual SAM, already in the SAM slot."""
    s = VirtualSam()
    s.insert()
    wait_slot(SAM_READER, present=True)
    yield s
    _take_off(s, SAM_READER, pcscd)


@pytest.fixture
def config() -> ReaderConfig:
    """Exact virtual slot names, short debounce and back-off."""
    return ReaderConfig(
        card_slot_patterns=(CARD_READER,),
        sam_slot_patterns=(SAM_READER,),
        allow_virtual=True,
        debounce_ms=100,
        poll_timeout_ms=2000,
        backoff_initial_s=0.05,
        backoff_max_s=0.4,
    )


class Recorder:
    """Collects events and lets a test wait for one (on a condition, not a sleep)."""

    def __init__(self) -> None:
        self.events: list[ReaderEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: ReaderEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[ReaderEvent], bool], timeout: float = 5.0,
             *, after: int = 0) -> ReaderEvent:
        """The first event from index ``after`` matching ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events[after:]:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    states = [e.state.value for e in self.events[after:]]
                    raise TimeoutError(f"no matching event; saw {states}")
                self._cond.wait(left)

    def wait_state(self, state: ReaderState, timeout: float = 5.0, *, after: int = 0
                   ) -> ReaderEvent:
        """The first event in ``state``."""
        return self.wait(lambda e: e.state is state, timeout, after=after)

    @property
    def states(self) -> list[ReaderState]:
        """The states seen so far."""
        with self._cond:
            return [e.state for e in self.events]


@pytest.fixture
def recorder() -> Recorder:
    """An event recorder."""
    return Recorder()


@pytest.fixture
def service(
    pcscd: Pcscd, config: ReaderConfig, sam: VirtualSam, recorder: Recorder
) -> Iterator[ReaderService]:
    """A started ReaderService with the experimental APDU session, in READY."""
    svc = ReaderService(config, ApduSamSession(TEST_KEYS), listener=recorder)
    svc.start()
    svc.wait_for({ReaderState.READY}, 5)
    yield svc
    svc.stop()
