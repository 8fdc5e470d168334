"""The background sender: delivers pending outbox items to the data balikan web service.

Exactly once, across crashes: items are claimed in a committed transaction, and each
request's items get their in-flight record (``sent_at`` set, attempt counted) committed
before the request; answers are acknowledged in a later transaction. An item killed between
the two stays pending with ``sent_at`` set and is sent again; the gateway then answers
"Data sudah pernah dikirim", which counts as delivered. So an item is never lost and never
delivered twice as a new item; within one claim it is sent at most once, and after a
SIGKILL only items with an in-flight record can be sent a second time.

Throughput: up to ``max_in_flight`` requests are in flight at once on kept-alive
connections, each paced by the link governor (no request starts while a lookup is in
flight or announced; the pace is learned from the requests' delays, see
:mod:`app.services.link_pacing`); one ledger thread does every database write (see
:mod:`send_round`). Until an answer came back through the client, one request goes alone: a
wrong certificate or token then stops the whole send after one handshake, before any other
connection is opened.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from app.services.audit import AuditTrail
from app.services.balikan.client import (
    BalikanClient,
    BalikanTlsError,
    OutgoingItem,
    StoreAnswer,
    Verdict,
)
from app.services.balikan.outbox import DEFAULT_LEASE, VIA_WEB_SERVICE, Outbox, retry_delay
from app.services.balikan.send_round import Outcome, Pair, SendReport, SendRound
from app.services.link import LinkGovernor
from app.services.persistence.models import BalikanItem

__all__ = ["ANSWER_ESTIMATE", "SENDER_ACTOR", "BalikanSender", "SendReport", "claimer_name"]

log = logging.getLogger(__name__)

SENDER_ACTOR = "system:balikan"
Hook = Callable[[str], None]
#: Bytes an answer is expected to take (status line, headers, short JSON body).
ANSWER_ESTIMATE = 300


def claimer_name(counter_id: str) -> str:
    """This process's claim tag: counter, host and process id."""
    return f"{counter_id}#{socket.gethostname()[:20]}#{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BalikanSender:
    """Sends due items in the configured body shape, paced by the link governor."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Outbox,
        client: BalikanClient,
        *,
        counter_id: str,
        shape: str = "form",
        batch_size: int = 25,
        max_in_flight: int = 4,
        governor: LinkGovernor | None = None,
        audit: AuditTrail | None = None,
        retry_base: float = 30.0,
        retry_cap: float = 3600.0,
        lease: timedelta = DEFAULT_LEASE,
        rng: random.Random | None = None,
        hook: Hook | None = None,
    ) -> None:
        if shape not in ("form", "batch"):
            raise ValueError("shape must be form or batch")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._sessions = sessions
        self._outbox = outbox
        self._client = client
        self.counter_id = counter_id
        self.claimer = claimer_name(counter_id)
        self.shape = shape
        self.batch_size = batch_size if shape == "batch" else 1
        self.max_in_flight = max_in_flight
        self.governor = governor
        self._audit = audit
        self._retry_base = retry_base
        self._retry_cap = retry_cap
        self._lease = lease
        self._rng = rng or random.Random()
        self._hook = hook
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report = SendReport()
        self.last_problem: str | None = None

    # -- recovery -------------------------------------------------------------------------
    def recover(self) -> int:
        """Free claims left by earlier processes of this counter on this host (crashed)."""
        prefix = f"{self.counter_id}#{socket.gethostname()[:20]}#"
        with self._sessions.begin() as session:
            dead = []
            for claimer in self._outbox.claimers(session):
                if not claimer.startswith(prefix) or claimer == self.claimer:
                    continue
                pid_text = claimer.rsplit("#", 1)[-1]
                if not pid_text.isdigit() or not _pid_alive(int(pid_text)):
                    dead.append(claimer)
            freed = self._outbox.release_claims(session, dead)
        if freed:
            log.info("data balikan: %d item(s) of an interrupted sender are due again", freed)
        return freed

    # -- one round ------------------------------------------------------------------------
    def send_once(
        self, stop: threading.Event | None = None, max_items: int | None = None
    ) -> SendReport:
        """Send every due item (or ``max_items``); return what happened."""
        report = SendReport()
        SendRound(self, stop if stop is not None else threading.Event(), max_items, report).run()
        self.last_report = report
        self.last_problem = report.reasons[-1] if report.stopped and report.reasons else None
        if report.requests:
            log.info(
                "data balikan: %d delivered, %d already delivered, %d to retry, %d need attention",
                report.delivered,
                report.duplicates,
                report.retried,
                report.attention,
            )
        if report.tls_refused:
            log.warning("data balikan: send stopped, the certificate is not the pinned one")
        return report

    def _hook_at(self, point: str) -> None:
        if self._hook is not None:
            self._hook(point)

    def _prepare(self, group: Sequence[OutgoingItem]) -> tuple[object, int]:
        request = (
            self._client.prepare_form(group[0])
            if self.shape == "form" and len(group) == 1
            else self._client.prepare_batch(group)
        )
        return request, self._client.request_bytes(request) + ANSWER_ESTIMATE

    def _post(
        self,
        group: Sequence[OutgoingItem],
        stop: threading.Event,
        prepared: tuple[object, int] | None = None,
    ) -> StoreAnswer | None:
        """One request (None: stopped while waiting for a turn on the link).

        ``prepared``: the request and the bytes already reserved for it on the link.
        """
        request, estimate = prepared or self._prepare(group)
        governor = self.governor
        if governor is not None and prepared is None and not governor.reserve(estimate, stop):
            return None
        ticket = governor.request_started() if governor is not None else None
        try:
            answer = self._client.send(request)  # type: ignore[arg-type]
        except BalikanTlsError:
            if governor is not None:
                governor.correct(-estimate)
            raise
        if governor is not None and ticket is not None:
            if answer.verdict is Verdict.RETRY:  # a timeout or broken answer: no delay sample
                governor.correct(answer.bytes_moved - estimate)
            else:
                governor.request_answered(ticket, estimate, answer.bytes_moved)
        return answer

    def _work(
        self,
        pairs: list[Pair],
        stop: threading.Event,
        report: SendReport,
        prepared: tuple[object, int],
    ) -> Outcome:
        """A worker thread: send one group (split when refused as a whole); no database."""
        outcome = Outcome()
        try:
            answer = self._post([o for _i, o in pairs], stop, prepared)
            assert answer is not None
            self._count(report, answer)
            self._hook_at("answered")
            if len(pairs) > 1 and answer.verdict in (Verdict.DUPLICATE, Verdict.REJECTED):
                # The batch as a whole was refused: find out item by item which are new.
                for position, pair in enumerate(pairs):
                    single = self._post([pair[1]], stop)
                    if single is None:
                        outcome.released.extend(pairs[position:])
                        break
                    self._count(report, single)
                    self._hook_at("answered")
                    outcome.answered.append(([pair], single))
            else:
                outcome.answered.append((pairs, answer))
        except BalikanTlsError:
            outcome.tls_refused = True
            outcome.released = list(pairs)
        except BaseException as error:  # handed to the round, which releases and re-raises
            outcome.error = error
            outcome.released = list(pairs)
        return outcome

    _count_lock = threading.Lock()

    def _count(self, report: SendReport, answer: StoreAnswer) -> None:
        with self._count_lock:
            report.requests += 1
            report.bytes_moved += answer.bytes_moved

    def _settle_delivered(
        self, session: Session, delivered: list[tuple[BalikanItem, Verdict]], report: SendReport
    ) -> None:
        """Items the web service took (new or already known), in two statements."""
        fresh = self._outbox.mark_delivered_many(
            session, [item for item, _verdict in delivered], VIA_WEB_SERVICE
        )
        for item, verdict in delivered:
            if item.id not in fresh:
                continue
            fresh.discard(item.id)  # an item answered twice in one round counts once
            self._record_delivery(session, item, verdict, report)

    def _record_delivery(
        self, session: Session, item: BalikanItem, verdict: Verdict, report: SendReport
    ) -> None:
        """Count one item the web service took and leave its audit record."""
        if verdict is Verdict.DELIVERED:
            report.delivered += 1
        else:
            report.duplicates += 1
        if self._audit is not None:
            self._audit.append(
                session,
                SENDER_ACTOR,
                "balikan.delivered",
                case_number=item.case_number,
                nik_hash=item.nik_hash,
                detail={"verdict": verdict.value},
            )

    def _settle(
        self, session: Session, item: BalikanItem, answer: StoreAnswer, report: SendReport
    ) -> None:
        verdict = answer.verdict
        if verdict in (Verdict.DELIVERED, Verdict.DUPLICATE):
            if self._outbox.mark_delivered(session, item, VIA_WEB_SERVICE):
                self._record_delivery(session, item, verdict, report)
            return
        if verdict is Verdict.REJECTED:
            self._outbox.mark_attention(session, item, answer.reason)
            report.attention += 1
            report.reasons.append(answer.reason)
            if self._audit is not None:
                self._audit.append(
                    session,
                    SENDER_ACTOR,
                    "balikan.rejected",
                    case_number=item.case_number,
                    nik_hash=item.nik_hash,
                    detail={"reason": answer.reason},
                )
            return
        if verdict is Verdict.UNAUTHORISED:
            report.unauthorised = True
        delay = retry_delay(item.attempts, self._retry_base, self._retry_cap, self._rng)
        self._outbox.mark_retry(session, item, answer.reason, delay)
        report.retried += 1
        report.reasons.append(answer.reason)

    # -- background thread ----------------------------------------------------------------
    def start(self, idle_seconds: float = 30.0) -> None:
        """Run in a daemon thread until :meth:`stop`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(idle_seconds,), name="balikan-sender", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Look for due items now (e.g. after a case queued one)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (an item in flight is finished or left for the next start)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        """True while the background thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self, idle_seconds: float) -> None:
        try:
            self.recover()
        except Exception as error:  # the database may be down at start; retried below
            log.warning("data balikan: recovery failed (%s)", type(error).__name__)
        while not self._stop.is_set():
            pause = idle_seconds
            try:
                report = self.send_once(self._stop)
                if report.stopped:  # wrong token or certificate: not worth retrying soon
                    pause = max(idle_seconds, 300.0)
                elif report.requests:  # items may have come due meanwhile: no idle gap
                    pause = 0.0
            except Exception as error:  # keep the thread alive; the items are safe in the DB
                log.warning("data balikan sender paused (%s)", type(error).__name__)
                self.last_problem = type(error).__name__
            self._wake.wait(pause)
            self._wake.clear()
