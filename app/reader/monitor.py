"""The reader monitor: its own thread and PC/SC context, waiting on status changes.

Not pyscard's CardMonitor (which dies for good when pcscd restarts). The thread waits with
``SCardGetStatusChange`` (finite timeout) on the card slot, the SAM slot and the PnP
pseudo-reader; on the service errors it drops the context and re-establishes it with
back-off; ``stop()`` wakes it with ``SCardCancel`` and joins.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from smartcard import scard

from app.reader.apdu import (
    PNP_NOTIFICATION,
    SCARD_E_CANCELLED,
    SCARD_E_READER_UNAVAILABLE,
    SCARD_E_TIMEOUT,
    SCARD_E_UNKNOWN_READER,
    SERVICE_DOWN,
    establish_context,
    hr_text,
    list_readers,
    release_context,
)
from app.reader.config import ReaderConfig
from app.reader.errors import ReaderError, ServiceUnavailable
from app.reader.pcsc_errors import hr32
from app.reader.slots import Slots, discover
from app.reader.states import Input

log = logging.getLogger(__name__)

#: ``ReaderEvent.detail`` when the only readers present are virtual ones, refused.
VIRTUAL_REFUSED = "virtual_reader_refused"
_GONE_STATES = scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE


@dataclass(frozen=True)
class MonitorEvent:
    """A hardware fact: one of the SERVICE_*, READER_*, SAM_INSERTED/REMOVED, CARD_* inputs."""

    input: Input
    reader: str | None = None
    atr_hex: str | None = None
    detail: str | None = None
    slots: Slots | None = None


class _Restart(Exception):
    """Leave the wait loop and re-establish the context."""


class ReaderMonitor:
    """Watches the slots on a daemon thread and calls ``sink`` with :class:`MonitorEvent`."""

    def __init__(self, config: ReaderConfig, sink: Callable[[MonitorEvent], None]) -> None:
        self._config = config
        self._sink = sink
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._context: int | None = None
        self._thread: threading.Thread | None = None
        self.slots = Slots(card=None, sam=None)
        self.contexts_established = 0
        #: The pause before the next attempt to reach the service (reset after each success).
        self.backoff_s = config.backoff_initial_s

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is not None:
            raise RuntimeError("monitor already started")
        self._thread = threading.Thread(target=self._run, name="ktpel-reader-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel the blocked wait and join the thread."""
        self._stop.set()
        if self._thread is None:
            return
        deadline = time.monotonic() + timeout
        # Cancel repeatedly: the thread may be between two waits when the first cancel lands.
        while self._thread.is_alive() and time.monotonic() < deadline:
            with self._lock:
                if self._context is not None:
                    scard.SCardCancel(self._context)
            self._thread.join(0.05)
        if self._thread.is_alive():  # pragma: no cover - would mean a stuck PC/SC call
            log.error("reader monitor did not stop within %.1f s", timeout)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # --- thread ---------------------------------------------------------------------------

    def _emit(self, event: MonitorEvent) -> None:
        try:
            self._sink(event)
        except Exception:  # a faulty listener must not kill the monitor
            log.exception("reader event listener failed")

    def _run(self) -> None:
        service_reported: bool | None = None
        while not self._stop.is_set():
            try:
                context = establish_context()
            except ServiceUnavailable as exc:
                if service_reported is not False:
                    log.warning("smart-card service unavailable (%s); retrying", exc.detail)
                    self._emit(MonitorEvent(Input.SERVICE_LOST, detail=exc.detail))
                    service_reported = False
                self._pause()
                continue
            with self._lock:
                self._context = context
            self.contexts_established += 1
            try:
                if self._stop.is_set():
                    break
                self._emit(MonitorEvent(Input.SERVICE_UP))
                service_reported = True
                # Reached the service: the next loss starts from the shortest pause again.
                self.backoff_s = self._config.backoff_initial_s
                self._watch(context)
            except (_Restart, ServiceUnavailable) as exc:
                log.warning("smart-card service lost (%s); re-establishing", exc)
                self.slots = Slots(card=None, sam=None)
                self._emit(MonitorEvent(Input.SERVICE_LOST, detail=str(exc)))
                service_reported = False
                self._pause()
            finally:
                with self._lock:
                    self._context = None
                release_context(context)
        log.debug("reader monitor stopped")

    def _pause(self) -> None:
        """Wait the current back-off (or until stopped), then double it up to the maximum."""
        self._stop.wait(self.backoff_s)
        self.backoff_s = min(self.backoff_s * 2, self._config.backoff_max_s)

    def _discover(self, context: int) -> Slots:
        try:
            names = list_readers(context)
        except ReaderError as exc:
            raise _Restart(str(exc)) from None
        slots = discover(names, self._config)
        if slots != self.slots:
            if slots.refused:
                log.warning("refusing virtual reader(s): %s", ", ".join(slots.refused))
            log.info("reader slots: card=%s sam=%s", slots.card, slots.sam)
        return slots

    def _publish_slots(self, old: Slots, new: Slots) -> None:
        self.slots = new
        if new.card is None and new.refused and new.refused != old.refused:
            self._emit(MonitorEvent(Input.READER_LOST, detail=VIRTUAL_REFUSED, slots=new))
        elif new.card != old.card:
            self._emit(
                MonitorEvent(Input.READER_FOUND, reader=new.card, slots=new)
                if new.card
                else MonitorEvent(Input.READER_LOST, detail="card slot gone", slots=new)
            )
        if new.sam != old.sam and new.sam is None:
            self._emit(MonitorEvent(Input.SAM_REMOVED, reader=None, slots=new))

    def _watch(self, context: int) -> None:
        cfg = self._config
        slots = self._discover(context)
        self._publish_slots(self.slots, slots)
        present: dict[str, bool] = {}
        counts: dict[str, int] = {}
        pending_since: float | None = None
        pending_atr = ""
        pending_reader: str | None = None
        states = self._reader_states(slots)
        while not self._stop.is_set():
            timeout = cfg.poll_timeout_ms
            if pending_since is not None:
                left = cfg.debounce_ms - (time.monotonic() - pending_since) * 1000
                timeout = max(1, min(timeout, int(left)))
            hresult, result = scard.SCardGetStatusChange(context, timeout, states)
            code = hr32(hresult)
            if code == SCARD_E_CANCELLED:
                if self._stop.is_set():
                    return
                continue
            if code in SERVICE_DOWN:
                raise _Restart(f"SCardGetStatusChange {hr_text(code)}")
            if code in (SCARD_E_UNKNOWN_READER, SCARD_E_READER_UNAVAILABLE):
                new = self._discover(context)
                self._publish_slots(self.slots, new)
                slots, states, present, counts = new, self._reader_states(new), {}, {}
                continue
            if code not in (0, SCARD_E_TIMEOUT):
                raise _Restart(f"SCardGetStatusChange {hr_text(code)}")
            rediscover = False
            if code == 0:
                for name, event_state, atr in result:
                    if name == PNP_NOTIFICATION:
                        rediscover = rediscover or bool(event_state & scard.SCARD_STATE_CHANGED)
                        continue
                    if event_state & _GONE_STATES:
                        rediscover = True
                        continue
                    is_present = bool(event_state & scard.SCARD_STATE_PRESENT)
                    was = present.get(name, False)
                    count, counts[name] = counts.get(name), (event_state >> 16) & 0xFFFF
                    swapped = (
                        is_present
                        and was
                        and count is not None
                        and ((counts[name] - count) & 0xFFFF) >= 2
                    )
                    if swapped and name in slots.watched and pending_since is None:
                        # Removed and put back between two waits: a new card (maybe another).
                        self._emit(MonitorEvent(Input.CARD_REMOVED, reader=name))
                        pending_since, pending_atr = time.monotonic(), bytes(atr).hex().upper()
                        pending_reader = name
                        continue
                    if is_present == was:
                        continue
                    present[name] = is_present
                    atr_hex = bytes(atr).hex().upper()
                    if name == slots.sam:
                        self._emit(
                            MonitorEvent(
                                Input.SAM_INSERTED if is_present else Input.SAM_REMOVED,
                                reader=name,
                                atr_hex=atr_hex or None,
                            )
                        )
                    elif name in slots.watched:
                        if is_present:
                            pending_since, pending_atr = time.monotonic(), atr_hex
                            pending_reader = name
                        elif pending_since is not None and pending_reader == name:
                            pending_since = None  # left before the debounce ended
                        else:
                            self._emit(MonitorEvent(Input.CARD_REMOVED, reader=name))
                states = [(name, event_state) for name, event_state, _atr in result]
            if pending_since is not None and (
                (time.monotonic() - pending_since) * 1000 >= cfg.debounce_ms
            ):
                pending_since = None
                log.info("card inserted (ATR %s)", pending_atr)
                self._emit(
                    MonitorEvent(
                        Input.CARD_INSERTED, reader=pending_reader, atr_hex=pending_atr or None
                    )
                )
            if rediscover:
                new = self._discover(context)
                if new != slots:
                    self._publish_slots(self.slots, new)
                    for gone in [n for n in present if n not in (*new.watched, new.sam)]:
                        if gone in slots.watched and present[gone]:
                            self._emit(MonitorEvent(Input.CARD_REMOVED, reader=gone))
                        del present[gone]
                    slots, states = new, self._reader_states(new)

    @staticmethod
    def _reader_states(slots: Slots) -> list[tuple[str, int]]:
        names = [*slots.watched, *([slots.sam] if slots.sam else [])]
        return [(n, scard.SCARD_STATE_UNAWARE) for n in names] + [
            (PNP_NOTIFICATION, scard.SCARD_STATE_UNAWARE)
        ]
