"""The sender: both body shapes, duplicates, batch splitting, retries, attention, recovery."""

from __future__ import annotations

import json
import random
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.balikan.client import Verdict, classify, scrub
from app.services.balikan.outbox import (
    ATTENTION,
    DELIVERED,
    PENDING,
    BalikanParams,
    Outbox,
    retry_delay,
)
from app.services.persistence.models import BalikanItem
from app.services.simulator import Fault, GatewaySimulator
from tests.services.balikan.conftest import Enqueue, MakeSender, MovableClock, synthetic_nik


def items(sessions: sessionmaker[Session]) -> list[BalikanItem]:
    with sessions() as session:
        return list(session.execute(select(BalikanItem).order_by(BalikanItem.id)).scalars())


def new_deliveries(sim: GatewaySimulator) -> list[str]:
    return [d.nik for d in sim.balikan if not d.duplicate]


def test_form_shape_delivers_each_item_once_and_forgets_the_nik(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator, sessions: Any
) -> None:
    niks = enqueue(5)
    report = make_sender("form").send_once()
    assert (report.delivered, report.duplicates, report.requests) == (5, 0, 5)
    assert sorted(new_deliveries(sim)) == sorted(niks)
    assert {d.shape for d in sim.balikan} == {"form"}
    first = next(d for d in sim.balikan if d.nik == niks[0])
    assert first.params == ({"JENIS_PROGRAM": "PKH", "NO_PENERIMA": "REG-00000"},)
    for item in items(sessions):
        assert item.status == DELIVERED
        assert item.nik_ciphertext is None  # only the keyed hash stays
        assert len(item.nik_hash) == 64 and item.delivered_via == "web_service"
        assert item.sent_at is not None and item.delivered_at is not None


def test_batch_shape_groups_items(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator
) -> None:
    niks = enqueue(23)
    report = make_sender("batch", batch_size=10).send_once()
    assert report.requests == 3 and report.delivered == 23
    assert sorted(new_deliveries(sim)) == sorted(niks)
    assert {d.shape for d in sim.balikan} == {"batch"}


def test_unacknowledged_item_is_resent_and_counted_once(
    enqueue: Enqueue,
    make_sender: MakeSender,
    sim: GatewaySimulator,
    sessions: sessionmaker[Session],
    outbox: Outbox,
) -> None:
    niks = enqueue(3)
    outgoing = []
    with sessions() as session:
        for item in session.execute(select(BalikanItem)).scalars():
            outgoing.append(outbox.outgoing(item))
    # the gateway got two of them before the counter crashed (no acknowledgement stored)
    sender = make_sender("form")
    for entry in outgoing[:2]:
        assert sender._client.store_form(entry).verdict is Verdict.DELIVERED
    report = sender.send_once()
    assert (report.delivered, report.duplicates) == (1, 2)
    assert sorted(new_deliveries(sim)) == sorted(niks)
    assert all(item.status == DELIVERED for item in items(sessions))


class StrictBatchGateway(httpx.BaseTransport):
    """A gateway that refuses a whole batch when any NIK in it was sent before."""

    def __init__(self, sim: GatewaySimulator) -> None:
        self.inner = sim.transport()
        self.sim = sim
        self.batches = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            self.batches += 1
            batch = json.loads(request.read())
            seen = {d.nik for d in self.sim.balikan}
            entries = [e for group in batch for e in group["data"]]
            if len(entries) > 1 and any(e["NIK"] in seen for e in entries):
                body = json.dumps({"message": "Data sudah pernah dikirim"}).encode()
                return httpx.Response(400, content=body, request=request)
        return self.inner.handle_request(request)


def test_batch_refused_as_duplicate_is_resent_one_by_one(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator, sessions: Any
) -> None:
    niks = enqueue(5)
    gateway = StrictBatchGateway(sim)
    sender = make_sender("batch", transport=gateway, batch_size=5)
    # one of the five reached the gateway earlier (crash before the acknowledgement)
    with sessions() as session:
        first = session.execute(select(BalikanItem).order_by(BalikanItem.id)).scalars().first()
        sender._client.store_batch([sender._outbox.outgoing(first)])
    report = sender.send_once()
    assert report.requests == 6  # the refused batch, then each item alone
    assert (report.delivered, report.duplicates) == (4, 1)
    assert sorted(new_deliveries(sim)) == sorted(niks)  # each exactly once as new
    assert all(item.status == DELIVERED for item in items(sessions))


@pytest.mark.parametrize("fault", [Fault.HTTP_500, Fault.TIMEOUT, Fault.RESET, Fault.NON_JSON])
def test_server_errors_and_timeouts_are_retried_with_backoff(
    fault: Fault,
    enqueue: Enqueue,
    make_sender: MakeSender,
    sim: GatewaySimulator,
    sessions: Any,
    clock: MovableClock,
) -> None:
    [nik] = enqueue(1)
    sim.faults.inject(fault)
    sender = make_sender("form", retry_base=60.0, rng=random.Random(1))
    report = sender.send_once()
    assert report.retried == 1 and report.delivered == 0
    [item] = items(sessions)
    assert item.status == PENDING and item.attempts == 1 and item.nik_ciphertext is not None
    assert item.last_error and item.next_attempt_at is not None
    assert 30 <= (item.next_attempt_at - clock()).total_seconds() <= 60
    assert sender.send_once().requests == 0  # not due yet
    clock.advance(seconds=61)
    again = sender.send_once()
    # a timed-out request may have reached the gateway: then it answers "already sent"
    assert again.settled == 1 and again.duplicates == (fault in (Fault.TIMEOUT, Fault.RESET))
    assert new_deliveries(sim).count(nik) == 1
    assert items(sessions)[0].status == DELIVERED


def test_other_client_errors_need_attention(
    enqueue: Enqueue, make_sender: MakeSender, sessions: Any
) -> None:
    enqueue(1)

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"message": "Data tidak valid 3303010101900000"})

    report = make_sender("form", transport=httpx.MockTransport(refuse)).send_once()
    assert report.attention == 1
    [item] = items(sessions)
    assert item.status == ATTENTION and item.nik_ciphertext is not None
    assert item.last_error is not None and "422" in item.last_error
    assert "3303010101900000" not in item.last_error  # answers are scrubbed of NIKs


def test_wrong_token_stops_the_round_without_blaming_the_items(
    enqueue: Enqueue, make_sender: MakeSender, sessions: Any
) -> None:
    enqueue(3)
    sender = make_sender("form", token="wrong")
    report = sender.send_once()
    assert report.unauthorised and report.requests == 1
    assert sender.last_problem is not None and "401" in sender.last_problem
    assert all(item.status == PENDING for item in items(sessions))


def test_claimed_items_are_not_taken_twice(
    enqueue: Enqueue, outbox: Outbox, sessions: sessionmaker[Session], clock: MovableClock
) -> None:
    enqueue(4)
    with sessions.begin() as session:
        first = outbox.claim(session, "A#h#1", 3)
    with sessions.begin() as session:
        second = outbox.claim(session, "B#h#2", 3)
    assert {i.id for i in first}.isdisjoint({i.id for i in second}) and len(second) == 1
    clock.advance(minutes=6)  # the leases ran out (A died): the items are due again
    with sessions.begin() as session:
        third = outbox.claim(session, "B#h#2", 10)
    assert len(third) == 4 and all(i.attempts == 2 for i in third)


def test_recover_frees_claims_of_a_dead_process_of_this_counter(
    enqueue: Enqueue, make_sender: MakeSender, outbox: Outbox, sessions: Any
) -> None:
    enqueue(2)
    sender = make_sender("form")
    dead = sender.claimer.rsplit("#", 1)[0] + "#999999999"
    with sessions.begin() as session:
        outbox.claim(session, dead, 2)
        outbox.claim(session, "OTHER#h#1", 2)
    assert sender.recover() == 2
    assert sender.send_once().delivered == 2


def test_undecryptable_item_needs_attention(
    enqueue: Enqueue, make_sender: MakeSender, sessions: Any
) -> None:
    enqueue(1)
    with sessions.begin() as session:
        item = session.execute(select(BalikanItem)).scalar_one()
        item.case_number = "C-OTHER"  # the ciphertext is bound to the case number
    report = make_sender("form").send_once()
    assert report.attention == 1 and report.requests == 0


def test_deliveries_are_audited_without_the_nik(
    enqueue: Enqueue, make_sender: MakeSender, sessions: Any, audit: AuditTrail
) -> None:
    niks = enqueue(2)
    make_sender("batch").send_once()
    with sessions() as session:
        assert audit.verify(session) is None
        from app.services.persistence.models import AuditRecord

        rows = list(session.execute(select(AuditRecord)).scalars())
    assert [r.action for r in rows] == ["balikan.delivered"] * 2
    assert not any(nik in r.detail for r in rows for nik in niks)


def test_note_goes_to_the_number_field_without_a_note_key(keys: Any) -> None:
    params = BalikanParams(programme="PKH", note="DITOLAK")
    assert params.as_param("NO_PENERIMA", "JENIS_PROGRAM", "") == [
        {"JENIS_PROGRAM": "PKH", "NO_PENERIMA": "DITOLAK"}
    ]


@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=2**32))
def test_backoff_grows_is_capped_and_jittered(attempts: int, seed: int) -> None:
    delay = retry_delay(attempts, 10.0, 600.0, random.Random(seed))
    ceiling = min(600.0, 10.0 * 2 ** (attempts - 1))
    assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize(
    ("status", "body", "verdict"),
    [
        (200, b'{"message": "Success"}', Verdict.DELIVERED),
        (400, b'{"message": "Data sudah pernah dikirim"}', Verdict.DUPLICATE),
        (400, b'{"message": "param tidak lengkap"}', Verdict.REJECTED),
        (422, b'{"message": "Data tidak valid"}', Verdict.REJECTED),
        (401, b'{"message": "Unauthenticated."}', Verdict.UNAUTHORISED),
        (429, b"", Verdict.RETRY),
        (500, b"<html>", Verdict.RETRY),
        (502, b"", Verdict.RETRY),
        (200, b'{"message": "Gagal"}', Verdict.RETRY),
        (200, b"not json", Verdict.RETRY),
    ],
)
def test_classify(status: int, body: bytes, verdict: Verdict) -> None:
    assert classify(status, body)[0] is verdict


def test_scrub_removes_long_numbers() -> None:
    assert synthetic_nik(1) not in scrub(f"NIK {synthetic_nik(1)} ditolak")


def test_stop_during_a_split_gives_the_rest_back(
    enqueue: Enqueue, make_sender: MakeSender, sim: GatewaySimulator, sessions: Any
) -> None:
    import threading

    from app.services.link import LinkGovernor

    enqueue(3)
    governor = LinkGovernor(1000, 1.0)
    sender = make_sender(
        "batch", transport=StrictBatchGateway(sim), batch_size=3, governor=governor
    )
    with sessions() as session:
        first = session.execute(select(BalikanItem).order_by(BalikanItem.id)).scalars().first()
        sender._client.store_batch([sender._outbox.outgoing(first)])
    stop = threading.Event()

    def stop_at_answer(point: str) -> None:
        if point == "answered":
            stop.set()

    sender._hook = stop_at_answer
    sender._stop = stop
    report = sender.send_once(stop)
    assert report.requests == 1
    assert all(i.claimed_by is None and i.status == PENDING for i in items(sessions))
