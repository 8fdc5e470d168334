"""The link governor: the sender never starts while a lookup is in flight, and keeps its share."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from app.domain.outcomes import OutcomeKind
from app.services.cases.port import GatewayAnswer
from app.services.link import GovernedGateway, LinkGovernor
from app.services.simulator import GatewaySimulator
from tests.services.balikan.conftest import Enqueue, MakeSender


def test_sender_waits_while_a_lookup_is_in_flight(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator
) -> None:
    enqueue(2)
    governor = LinkGovernor(1000, 1.0)
    sender = make_sender("form", governor=governor)
    release = threading.Event()
    started = threading.Event()

    def officer_lookup() -> None:
        with governor.lookup():
            started.set()
            release.wait(5)

    officer = threading.Thread(target=officer_lookup)
    officer.start()
    started.wait(5)
    worker = threading.Thread(target=sender.send_once)
    worker.start()
    # wait until the sender has reached the governor and is held there, then check it sent nothing
    deadline = time.monotonic() + 30
    while governor.sender_waits_for_lookups == 0 and time.monotonic() < deadline:
        worker.join(0.05)
    assert governor.sender_waits_for_lookups >= 1
    assert sim.received == 0  # held back while the officer waits for the gateway
    release.set()
    worker.join(5)
    officer.join(5)
    assert sim.received == 2 and governor.sender_waits_for_lookups >= 1


def test_sender_paces_itself_to_its_share(enqueue: Enqueue, make_sender: MakeSender) -> None:
    enqueue(6)
    governor = LinkGovernor(bandwidth_kbps=40, share=0.5)  # 20 kbit/s for the sender
    sender = make_sender("form", governor=governor)
    began = time.monotonic()
    report = sender.send_once()
    elapsed = time.monotonic() - began
    assert report.delivered == 6
    # five paced gaps after the first request, each of (request bits / 20 kbit/s)
    per_item = report.bytes_moved / 6 * 8 / 20_000
    assert elapsed >= 5 * per_item * 0.9
    # six requests booked six slots of link time: the last one ends a slot after it started
    assert governor.sender_share(elapsed + per_item) <= 0.5 * 1.05


def test_stop_while_waiting_for_a_turn(enqueue: Enqueue, make_sender: MakeSender) -> None:
    enqueue(1)
    governor = LinkGovernor(1000, 1.0)
    sender = make_sender("form", governor=governor)
    stop = threading.Event()
    with governor.lookup():
        stop.set()
        report = sender.send_once(stop)
    assert report.requests == 0


def test_governed_gateway_marks_lookups() -> None:
    governor = LinkGovernor()
    seen: list[int] = []

    class Inner:
        def lookup(self, nik: str) -> GatewayAnswer:
            seen.append(governor.lookups_in_flight)
            return GatewayAnswer(kind=OutcomeKind.NOT_FOUND)

        def verify(self, nik: str, elements: Any) -> GatewayAnswer:
            seen.append(governor.lookups_in_flight)
            raise RuntimeError("boom")

    gateway = GovernedGateway(Inner(), governor)
    gateway.lookup("x")
    with pytest.raises(RuntimeError):
        gateway.verify("x", {})
    assert seen == [1, 1] and governor.lookups_in_flight == 0
    assert governor.lookups_total == 2


def test_governor_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        LinkGovernor(0, 0.3)
    with pytest.raises(ValueError):
        LinkGovernor(1000, 1.5)
