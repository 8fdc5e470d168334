"""The sender's pace learned from its requests' delays, and the "expect a lookup" hint."""

from __future__ import annotations

import threading
import time

from app.services.link import GovernedGateway, LinkGovernor
from app.services.link_pacing import CAUTIOUS, CUT, QUEUE_TARGET, DelayPacer
from app.services.simulator import GatewaySimulator
from tests.services.balikan.conftest import Enqueue, MakeSender

CEILING = 950_000.0
BANDWIDTH = 1_000_000.0
SIZE = 700  # bytes of one request and its answer
BASE = 0.085  # seconds of a request on an empty link, its own bytes left out
OWN = SIZE * 8 / BANDWIDTH


def _feed(
    pacer: DelayPacer, start: float, seconds: float, queue: float, gap: float = 0.01
) -> float:
    """Requests answered every ``gap`` for ``seconds``, each waiting ``queue`` in the link."""
    now = start
    while now < start + seconds:
        pacer.observe(now, SIZE, BASE + OWN + queue)
        now += gap
    return now


def test_no_queue_keeps_the_ceiling() -> None:
    pacer = DelayPacer(CEILING, BANDWIDTH)
    _feed(pacer, 0.0, 5.0, queue=0.0)
    assert pacer.rate_bps == CEILING
    assert pacer.cuts == 0


def test_a_standing_queue_cuts_the_pace_once_per_congestion() -> None:
    pacer = DelayPacer(CEILING, BANDWIDTH)
    # answers every 5 ms: the link delivers 1.12 Mbit/s, more than the ceiling asks
    now = _feed(pacer, 0.0, 1.0, queue=0.0, gap=0.005)
    # every request of the next round trips waits three times the target: one cut, then held
    now = _feed(pacer, now, 0.3, queue=3 * QUEUE_TARGET, gap=0.005)
    assert pacer.cuts == 1
    assert pacer.rate_bps == CEILING * CUT
    assert pacer.limit_bps == CEILING


def test_a_cut_follows_the_rate_the_link_delivered() -> None:
    pacer = DelayPacer(CEILING, BANDWIDTH)
    # answers of 700 bytes every 7 ms: the link delivers 800 kbit/s, under the ceiling
    now = _feed(pacer, 0.0, 1.0, queue=0.0, gap=0.007)
    _feed(pacer, now, 0.3, queue=3 * QUEUE_TARGET, gap=0.007)
    assert pacer.cuts == 1
    delivered = SIZE * 8 / 0.007
    assert delivered * CUT * 0.95 <= pacer.rate_bps <= delivered * CUT * 1.05


def test_occasional_late_answers_are_no_queue() -> None:
    pacer = DelayPacer(CEILING, BANDWIDTH)
    now = 0.0
    for index in range(600):  # two of every three answers late: a busy processor, collisions
        late = 4 * QUEUE_TARGET if index % 3 else 0.0
        pacer.observe(now, SIZE, BASE + OWN + late)
        now += 0.01
    assert pacer.cuts == 0
    assert pacer.rate_bps == CEILING


def test_the_pace_grows_back_after_the_queue_is_gone() -> None:
    pacer = DelayPacer(CEILING, BANDWIDTH)
    now = _feed(pacer, 0.0, 1.0, queue=0.0)
    now = _feed(pacer, now, 0.3, queue=3 * QUEUE_TARGET)
    cut = pacer.rate_bps
    assert cut < CEILING
    now = _feed(pacer, now, 1.0, queue=0.0)
    grown = pacer.rate_bps
    assert cut < grown < CEILING  # climbing, not jumping back
    _feed(pacer, now, 30.0, queue=0.0)
    assert pacer.rate_bps == CEILING  # no queue for long: the old limit is forgotten


def test_samples_beside_a_lookup_are_left_out() -> None:
    governor = LinkGovernor(1000, 0.95)
    ticket = governor.request_started()
    with governor.lookup():
        pass
    governor.request_answered(ticket, SIZE, SIZE)
    assert governor._pacer.samples == 0
    ticket = governor.request_started()
    governor.request_answered(ticket, SIZE, SIZE)
    assert governor._pacer.samples == 1


def _reserve_in_thread(governor: LinkGovernor) -> tuple[threading.Thread, threading.Event]:
    granted = threading.Event()

    def reserve() -> None:
        if governor.reserve(100):
            granted.set()

    thread = threading.Thread(target=reserve, daemon=True)
    thread.start()
    return thread, granted


def _wait_held(governor: LinkGovernor) -> None:
    deadline = time.monotonic() + 30
    while governor.sender_waits_for_lookups == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert governor.sender_waits_for_lookups == 1


def test_an_expected_lookup_holds_the_sender_until_it_came_and_went() -> None:
    governor = LinkGovernor(1000, 0.95)
    assert not governor.lookups_likely
    governor.expect_lookup(within=3600)
    assert governor.lookups_likely
    thread, granted = _reserve_in_thread(governor)
    _wait_held(governor)
    assert not granted.is_set()
    with governor.lookup():
        assert not granted.is_set()  # the lookup itself holds it too
    thread.join(30)
    assert granted.is_set()


def test_a_hint_no_lookup_follows_times_out() -> None:
    now = [100.0]
    governor = LinkGovernor(1000, 0.95, monotonic=lambda: now[0])
    governor.expect_lookup(within=10)
    thread, granted = _reserve_in_thread(governor)
    _wait_held(governor)
    assert not granted.is_set()
    now[0] += 11  # the officer never pressed "check"
    thread.join(30)
    assert granted.is_set()
    assert governor.lookups_total == 0


def test_sender_starts_nothing_while_a_lookup_is_expected(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator
) -> None:
    enqueue(3)
    governor = LinkGovernor(1000, 1.0)
    governor.expect_lookup(within=3600)
    sender = make_sender("form", governor=governor)
    worker = threading.Thread(target=sender.send_once)
    worker.start()
    _wait_held(governor)
    assert sim.received == 0  # the officer is about to look a NIK up
    with governor.lookup():
        assert sim.received == 0
    worker.join(30)
    assert not worker.is_alive()
    assert sim.received == 3


def test_smaller_batches_while_lookups_are_likely(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator
) -> None:
    enqueue(120)
    quiet = make_sender("batch", batch_size=25, governor=LinkGovernor(1000, 1.0))
    alone = quiet.send_once()
    enqueue(120, start=120)
    busy_link = LinkGovernor(1000, 1.0)
    with busy_link.lookup():  # an officer looked a NIK up a moment ago
        pass
    assert busy_link.lookups_likely
    beside = make_sender("batch", batch_size=25, governor=busy_link).send_once()
    assert alone.settled == beside.settled == 120
    # a request of a quiet link carries about twice the items of one while lookups are likely
    assert beside.requests >= 1.5 * alone.requests, (alone.requests, beside.requests)


def test_governed_gateway_announces_a_query() -> None:
    governor = LinkGovernor(1000, 0.95)
    warmed: list[bool] = []

    class Inner:
        def warm(self) -> None:
            warmed.append(governor.lookups_likely)

    GovernedGateway(Inner(), governor).expect_query()  # type: ignore[arg-type]
    assert warmed == [True]
    assert governor.hints_total == 1


def test_no_probing_past_the_limit_while_lookups_are_likely() -> None:
    cautious = DelayPacer(CEILING, BANDWIDTH)
    bold = DelayPacer(CEILING, BANDWIDTH)
    for pacer, likely in ((cautious, True), (bold, False)):
        now = _feed(pacer, 0.0, 1.0, queue=0.0, gap=0.005)
        now = _feed(pacer, now, 0.3, queue=3 * QUEUE_TARGET, gap=0.005)
        assert pacer.limit_bps == CEILING
        assert pacer.rate_bps == CUT * CEILING
        for _ in range(200):  # a second with no queue
            pacer.observe(now, SIZE, BASE + OWN, cautious=likely)
            now += 0.005
    assert cautious.pace(cautious=True) == CAUTIOUS * CEILING  # no nearer the limit
    assert bold.pace() > CAUTIOUS * CEILING  # probing towards it


def test_a_cut_while_lookups_are_likely_is_undone_within_seconds() -> None:
    pacer = DelayPacer(CEILING, BANDWIDTH)
    now = _feed(pacer, 0.0, 1.0, queue=0.0, gap=0.005)
    for _ in range(3):  # three stalls in a row, each cutting the pace
        while pacer.cuts < _ + 1:
            pacer.observe(now, SIZE, BASE + OWN + 3 * QUEUE_TARGET, cautious=True)
            now += 0.005
    low = pacer.pace(cautious=True)
    assert low < 0.95 * CAUTIOUS * CEILING
    start = now
    while now < start + 30:  # half a minute with no queue, lookups still likely
        pacer.observe(now, SIZE, BASE + OWN, cautious=True)
        now += 0.005
    assert pacer.pace(cautious=True) == CAUTIOUS * CEILING  # back where it was
