"""Several requests in flight, never more than the bound; lookups hold every new request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select

from app.services.link import LinkGovernor
from app.services.persistence.models import BalikanItem
from app.services.simulator import GatewaySimulator
from tests.services.balikan.conftest import Enqueue, MakeSender


class CountingGateway(httpx.BaseTransport):
    """Holds each request until ``wanted`` are in flight together (or a timeout passes)."""

    def __init__(self, sim: GatewaySimulator, wanted: int) -> None:
        self.inner = sim.transport()
        self.wanted = wanted
        self.current = 0
        self.most = 0
        self.cond = threading.Condition()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.cond:
            self.current += 1
            self.most = max(self.most, self.current)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.current >= self.wanted, timeout=3)
        try:
            return self.inner.handle_request(request)
        finally:
            with self.cond:
                self.current -= 1


def test_requests_overlap_up_to_the_bound_and_no_further(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator
) -> None:
    niks = enqueue(13)
    gateway = CountingGateway(sim, wanted=4)
    report = make_sender("form", transport=gateway, max_in_flight=4).send_once()
    assert report.delivered == 13 and report.requests == 13
    assert gateway.most == 4  # four at once, never five
    assert sorted(d.nik for d in sim.balikan) == sorted(niks)


def test_batches_overlap_too(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator
) -> None:
    enqueue(30)
    gateway = CountingGateway(sim, wanted=3)
    report = make_sender("batch", transport=gateway, batch_size=5, max_in_flight=3).send_once()
    assert report.delivered == 30 and report.requests == 6
    assert gateway.most == 3


def test_background_work_waits_while_a_lookup_is_in_flight() -> None:
    governor = LinkGovernor(1000, 1.0)
    entered = threading.Event()
    release = threading.Event()

    def officer() -> None:
        with governor.lookup():
            entered.set()
            release.wait(30)

    thread = threading.Thread(target=officer)
    thread.start()
    assert entered.wait(5)
    started = time.monotonic()
    governor.wait_no_lookup(timeout=0.5)  # the lookup never ends meanwhile: held to the end
    assert time.monotonic() - started >= 0.5
    release.set()
    started = time.monotonic()
    governor.wait_no_lookup(timeout=30)  # returns as soon as the lookup is over
    assert time.monotonic() - started < 30 and governor.lookups_in_flight == 0
    thread.join(5)
    assert governor.reserve(100, timeout=1)  # and the sender may go again


class ArrivingGateway(httpx.BaseTransport):
    """Queues more items (cases ending meanwhile) when the first request arrives."""

    def __init__(self, sim: GatewaySimulator, arrive: Callable[[], object]) -> None:
        self.inner = sim.transport()
        self.arrive = arrive
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.requests == 1:
            self.arrive()
        return self.inner.handle_request(request)


def test_items_due_during_a_send_follow_without_an_idle_gap(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator
) -> None:
    first = enqueue(3)
    later: list[str] = []
    gateway = ArrivingGateway(sim, lambda: later.extend(enqueue(4, start=100)))
    sender = make_sender("form", transport=gateway, max_in_flight=2)
    sender.start(idle_seconds=3600.0)  # only a wake-up or a busy round starts another
    try:
        deadline = time.monotonic() + 30
        while len(sim.balikan) < 7 and time.monotonic() < deadline:
            threading.Event().wait(0.02)
    finally:
        sender.stop()
    assert sorted(d.nik for d in sim.balikan) == sorted(first + later)


def test_items_get_their_in_flight_record_only_when_their_request_is_due(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator, sessions: Any
) -> None:
    enqueue(12)
    seen: list[tuple[int, int]] = []

    class Watching(httpx.BaseTransport):
        inner = sim.transport()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            with sessions() as session:
                rows = list(session.execute(select(BalikanItem)).scalars())
            claimed = sum(1 for row in rows if row.claimed_by is not None)
            flying = sum(1 for row in rows if row.claimed_by is not None and row.sent_at)
            seen.append((claimed, flying))
            return self.inner.handle_request(request)

    report = make_sender("form", transport=Watching(), max_in_flight=1).send_once()
    assert report.delivered == 12
    # one request at a time: claimed ahead of need, but recorded in flight only a few ahead
    assert all(flying <= 3 for _claimed, flying in seen)
    assert any(claimed > flying for claimed, flying in seen)
