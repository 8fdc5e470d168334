"""The KTP-el reader as Qt signals.

The reader layer (``app.reader``) publishes plain :class:`ReaderEvent` values from its own
threads. :class:`ReaderBridge` subscribes to anything that follows :class:`CardReaderPort`
(the real ``ReaderService``, or :class:`SimulatedReader` in demo mode and tests) and
re-emits the events as a Qt signal, which Qt queues onto the UI thread. Card reads run in a
worker; the CardData goes to the case screen only and is wiped when it is released.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from app.domain.i18n import N_, _
from app.reader.card_data import CardData
from app.reader.errors import CardRemoved, NoCard, NoReader
from app.reader.session import ReadRequest
from app.reader.simulated import SimulatedSession
from app.reader.states import Input, ReaderEvent, ReaderState, ReaderStateMachine
from app.reader.synthetic import synthetic_demographic

log = logging.getLogger(__name__)


class CardReaderPort(Protocol):
    """What the UI needs from a reader: the current state, events, and a full read."""

    @property
    def current(self) -> ReaderEvent:
        """The latest event."""

    def add_listener(self, listener: Callable[[ReaderEvent], None]) -> None:
        """Call ``listener`` (from any thread) on every visible change."""

    def read_card(self) -> CardData:
        """Read the present card (blocking; raises a ReaderError subclass)."""

    def stop(self) -> None:
        """Stop watching the reader (at quit, before the window that listens goes)."""


STATE_LABELS: dict[ReaderState, str] = {
    ReaderState.NO_SERVICE: N_("no card service"),
    ReaderState.NO_READER: N_("no reader"),
    ReaderState.NO_SAM: N_("no SAM"),
    ReaderState.SAM_ERROR: N_("SAM error"),
    ReaderState.READY: N_("ready"),
    ReaderState.CARD_PRESENT: N_("card present"),
    ReaderState.READING: N_("reading"),
    ReaderState.READ: N_("card read"),
    ReaderState.READ_FAILED: N_("read failed"),
    ReaderState.NOT_KTPEL: N_("not a KTP-el"),
}

SAM_OK_STATES = frozenset(
    {
        ReaderState.READY,
        ReaderState.CARD_PRESENT,
        ReaderState.READING,
        ReaderState.READ,
        ReaderState.READ_FAILED,
        ReaderState.NOT_KTPEL,
    }
)


def reader_text(event: ReaderEvent) -> str:
    """The reader's state for the status bar."""
    text = _(STATE_LABELS[event.state])
    if event.state is ReaderState.READING and event.progress is not None:
        text += f" {event.progress}%"
    return text


#: Why the SAM is in error, by ``ReaderEvent.detail`` (the reader layer's error codes).
SAM_ERROR_REASONS: dict[str, str] = {
    "sam_error": N_("error, reset at the next card"),
    "sam_recovering": N_("resetting…"),
    "sam_reset_failed": N_("does not answer after a reset, re-seat the SAM"),
    "sam_blocked_risk": N_("PCID/CONF refused, check the SAM secrets"),
}


def sam_text(event: ReaderEvent, required: bool = True) -> str:
    """The SAM's state for the status bar (with the reason of an error)."""
    if not required:
        return _("not used")
    if event.state is ReaderState.SAM_ERROR:
        reason = SAM_ERROR_REASONS.get(event.detail or "")
        return _(reason) if reason else _("error")
    if event.state in SAM_OK_STATES:
        return _("ready")
    if event.state is ReaderState.NO_SAM:
        return _("missing")
    return _("unknown")


class ReaderBridge(QObject):
    """Re-emits a reader's events on the UI thread."""

    readerEvent = Signal(object)
    cardPresent = Signal()

    def __init__(self, reader: CardReaderPort | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader = reader
        self.last = reader.current if reader is not None else ReaderEvent(ReaderState.NO_READER)
        self.readerEvent.connect(self._remember)
        if reader is not None:
            reader.add_listener(self._from_reader_thread)

    def _from_reader_thread(self, event: ReaderEvent) -> None:
        self.readerEvent.emit(event)  # queued to the UI thread by Qt

    def _remember(self, event: ReaderEvent) -> None:
        self.last = event
        if event.state is ReaderState.CARD_PRESENT:
            self.cardPresent.emit()

    @property
    def available(self) -> bool:
        """True when a reader is configured."""
        return self.reader is not None

    def read_card(self) -> CardData:
        """Blocking read (call from a worker)."""
        if self.reader is None:
            raise NoReader("no reader configured")
        return self.reader.read_card()


class SimulatedReader:
    """A reader without PC/SC for demo mode and tests: ``tap()`` places an invented card.

    Uses the reader layer's own state machine and :class:`SimulatedSession`; refuses to exist
    outside demo mode (the session raises ``ProductionRefused``).
    """

    CARD_SLOT = "Simulated KTP-el reader (DEMO) PICC"
    SAM_SLOT = "Simulated KTP-el reader (DEMO) SAM"

    def __init__(self, *, demo: bool, step_delay_s: float = 0.02) -> None:
        SimulatedSession(demo=demo)  # raises outside demo mode
        self._demo = demo
        self._delay = step_delay_s
        self._lock = threading.RLock()
        self._machine = ReaderStateMachine(require_sam=True)
        self._listeners: list[Callable[[ReaderEvent], None]] = []
        self._card: dict[str, str] | None = None
        self._abort = threading.Event()
        for inp, reader in (
            (Input.SERVICE_UP, None),
            (Input.READER_FOUND, self.CARD_SLOT),
            (Input.SAM_INSERTED, self.SAM_SLOT),
        ):
            self._machine.feed(inp, reader=reader)

    @property
    def current(self) -> ReaderEvent:
        with self._lock:
            return self._machine.current

    def add_listener(self, listener: Callable[[ReaderEvent], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def _feed(self, inp: Input, **kwargs: Any) -> None:
        with self._lock:
            event = self._machine.feed(inp, **kwargs)
            listeners = list(self._listeners)
        if event is not None:
            for listener in listeners:
                listener(event)

    def stop(self) -> None:
        """Deliver no more events (as the real reader does once stopped)."""
        with self._lock:
            self._listeners.clear()

    def tap(self, nik: str, **fields: str) -> None:
        """An applicant places a (synthetic) KTP-el with ``nik`` on the reader."""
        with self._lock:
            self._card = {"nik": nik, **fields}
            self._abort = threading.Event()
        self._feed(Input.CARD_INSERTED, reader=self.CARD_SLOT)

    def remove(self) -> None:
        """The card leaves the reader."""
        with self._lock:
            self._card = None
            self._abort.set()
        self._feed(Input.CARD_REMOVED, reader=self.CARD_SLOT)

    def read_card(self) -> CardData:
        with self._lock:
            card = dict(self._card) if self._card else None
            abort = self._abort
        if card is None:
            raise NoCard("no card")
        self._feed(Input.READ_STARTED, stale_ok=True)
        request = ReadRequest(
            card_reader=self.CARD_SLOT,
            sam_reader=self.SAM_SLOT,
            progress=lambda p: self._feed(Input.READ_PROGRESS, progress=p, stale_ok=True),
            abort=abort,
            with_photo=False,
            with_signature=False,
        )
        try:
            nik = card.pop("nik")
            if not card:  # the reader layer's own simulated KTP-el
                session = SimulatedSession(demo=self._demo, nik=nik, step_delay_s=self._delay)
                data = session.read(request)
            else:  # a synthetic card with the given fields (matches a simulated resident)
                for percent in range(0, 100, 20):
                    request.progress(percent)
                    if abort.wait(self._delay):
                        raise CardRemoved("simulated removal")
                data = CardData.from_raw(synthetic_demographic(nik, **card), source="simulated")
        except Exception:
            self._feed(Input.READ_FAILED, stale_ok=True)
            raise
        self._feed(Input.READ_SUCCEEDED, stale_ok=True)
        return data
