"""ReaderService: owns the monitor and the state machine, runs reads, publishes events.

Events are delivered from background threads, to a callback or a ``queue.Queue``: the UI wraps
them in a queued Qt signal. Card data is returned to the caller only, never kept here.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable

from app.reader.card_data import CardData, PhotoRead
from app.reader.config import ReaderConfig
from app.reader.errors import (
    Busy,
    CardRemoved,
    NoCard,
    NoReader,
    NotAKtpel,
    ReaderError,
    SamBlockedRisk,
    SamError,
    SamMissing,
    ServiceUnavailable,
)
from app.reader.monitor import MonitorEvent, ReaderMonitor
from app.reader.session import KtpelSession, ReadRequest, read_uid_and_photo
from app.reader.states import Input, ReaderEvent, ReaderState, ReaderStateMachine

log = logging.getLogger(__name__)

Listener = Callable[[ReaderEvent], None] | queue.Queue[ReaderEvent]
#: Resets the SAM in the named slot (bounded attempts); raises a ReaderError when it fails.
SamReset = Callable[[str, int], object]

#: ``ReaderEvent.detail`` while the SAM is being reset, and when the resets did not help.
SAM_RECOVERING = "sam_recovering"
SAM_RESET_FAILED = "sam_reset_failed"


def _default_sam_reset(reader: str, attempts: int) -> object:
    from app.reader.sam_apdu import reset_sam

    return reset_sam(reader, attempts=attempts)


class ReaderService:
    """The reader as the rest of the application sees it."""

    def __init__(
        self,
        config: ReaderConfig,
        session: KtpelSession | None = None,
        *,
        listener: Listener | None = None,
        sam_reset: SamReset = _default_sam_reset,
    ) -> None:
        self.config = config
        self._session = session
        self._sam_reset = sam_reset
        #: A SAM error the next card may clear by resetting the SAM (never a PCID/CONF refusal).
        self._sam_recoverable = False
        self._recovery_lock = threading.Lock()
        self.sam_resets = 0
        self._machine = ReaderStateMachine(require_sam=config.require_sam)
        self._listeners: list[Listener] = [listener] if listener is not None else []
        self._cond = threading.Condition(threading.RLock())
        self._abort: threading.Event | None = None
        self._card_generation = 0
        #: The slot holding the present card (several card slots may be watched).
        self._card_reader: str | None = None
        self.last_atr_hex: str | None = None
        self.monitor = ReaderMonitor(config, self._on_monitor)

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> ReaderService:
        """Start monitoring."""
        self.monitor.start()
        return self

    def stop(self) -> None:
        """Stop monitoring promptly (SCardCancel + join)."""
        self.monitor.stop()

    def __enter__(self) -> ReaderService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def add_listener(self, listener: Listener) -> None:
        """Also deliver events to ``listener``."""
        with self._cond:
            self._listeners.append(listener)

    def set_session(self, session: KtpelSession | None) -> None:
        """Install a new session (for example after the SAM secrets changed)."""
        with self._cond:
            self._session = session
            self._feed(Input.SAM_OK)

    # --- state ----------------------------------------------------------------------------

    @property
    def current(self) -> ReaderEvent:
        """The latest event (the current state)."""
        with self._cond:
            return self._machine.current

    @property
    def cards_seen(self) -> int:
        """How many card insertions the monitor reported since the start."""
        with self._cond:
            return self._card_generation

    @property
    def state(self) -> ReaderState:
        """The current state."""
        return self.current.state

    def wait_for(self, states: Iterable[ReaderState], timeout: float) -> ReaderEvent:
        """Block until the state is one of ``states``; raise TimeoutError after ``timeout``."""
        wanted = set(states)
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._machine.state not in wanted:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"reader state still {self._machine.state.value}")
                self._cond.wait(left)
            return self._machine.current

    def _feed(
        self,
        inp: Input,
        *,
        reader: str | None = None,
        progress: int | None = None,
        detail: str | None = None,
        stale_ok: bool = False,
    ) -> None:
        with self._cond:
            event = self._machine.feed(
                inp, reader=reader, progress=progress, detail=detail, stale_ok=stale_ok
            )
            if event is None:
                return
            self._cond.notify_all()
            log.info(
                "reader state %s%s",
                event.state.value,
                f" {event.progress}%" if event.progress is not None else "",
            )
            for listener in list(self._listeners):
                try:
                    if isinstance(listener, queue.Queue):
                        listener.put(event)
                    else:
                        listener(event)
                except Exception:
                    log.exception("reader listener failed")

    def _on_monitor(self, event: MonitorEvent) -> None:
        recover = False
        with self._cond:
            if event.input is Input.CARD_REMOVED and event.reader not in (
                None,
                self._card_reader,
            ):
                return  # a card left another watched slot, not the one in use
            if event.input is Input.CARD_INSERTED:
                self._card_reader = event.reader
                self._card_generation += 1
                self.last_atr_hex = event.atr_hex
                recover = self._machine.facts.sam_fault and self._sam_recoverable
            if event.input in (Input.SAM_INSERTED, Input.SAM_REMOVED):
                self._sam_recoverable = False
            if event.input in (Input.CARD_REMOVED, Input.READER_LOST, Input.SERVICE_LOST):
                self.last_atr_hex = None
                if self._abort is not None:
                    self._abort.set()
            self._feed(event.input, reader=event.reader, detail=event.detail)
        if recover:
            threading.Thread(
                target=self.recover_sam, name="ktpel-sam-recovery", daemon=True
            ).start()

    # --- SAM recovery ---------------------------------------------------------------------

    def recover_sam(self) -> bool:
        """Reset the SAM after a SAM error (bounded attempts); True when it answers again.

        Runs at the next card (from the monitor) or before a read; a PCID/CONF refusal is
        never recovered this way (the SAM must not be opened again with the same secrets).
        """
        with self._recovery_lock:
            with self._cond:
                facts = self._machine.facts
                if not (facts.sam_fault and self._sam_recoverable):
                    return not facts.sam_fault
                sam_reader = self.monitor.slots.sam or facts.sam_reader
                attempts = self.config.sam_recovery_attempts
                if sam_reader is None or attempts == 0:
                    return False
                self._feed(Input.SAM_FAILED, detail=SAM_RECOVERING)
            self.sam_resets += 1
            try:
                self._sam_reset(sam_reader, attempts)
            except ReaderError as exc:
                log.warning("SAM recovery failed: %s (%s)", exc.code, exc)
                with self._cond:
                    if self._machine.facts.sam_fault:
                        self._feed(Input.SAM_FAILED, detail=SAM_RESET_FAILED)
                return False
            log.info("SAM answers again after a reset")
            with self._cond:
                self._sam_recoverable = False
                self._feed(Input.SAM_OK)
            return True

    # --- reads ----------------------------------------------------------------------------

    def _begin_read(self, *, needs_sam: bool) -> tuple[ReadRequest, int]:
        with self._cond:
            state = self._machine.state
            if state is ReaderState.NO_SERVICE:
                raise ServiceUnavailable("no service")
            if state is ReaderState.NO_READER:
                raise NoReader("no card slot")
            if needs_sam and state is ReaderState.NO_SAM:
                raise SamMissing("no SAM")
            if needs_sam and state is ReaderState.SAM_ERROR:
                raise SamError(f"SAM in error state ({self._machine.facts.sam_detail})")
            if state is ReaderState.READING or self._abort is not None:
                raise Busy("read in progress")
            facts = self._machine.facts
            if not facts.card_present or facts.card_reader is None:
                raise NoCard("no card")
            self._abort = threading.Event()
            self._feed(Input.READ_STARTED, stale_ok=True)
            card_reader = self._card_reader or facts.card_reader
            slots = self.monitor.slots
            request = ReadRequest(
                card_reader=card_reader,
                sam_reader=slots.sam_for(card_reader) or slots.sam,
                progress=self._progress,
                abort=self._abort,
                chunk_size=self.config.chunk_size,
            )
            return request, self._card_generation

    def _progress(self, percent: int) -> None:
        self._feed(Input.READ_PROGRESS, progress=percent, stale_ok=True)

    def _end_read(self, generation: int, inp: Input, detail: str | None = None) -> None:
        with self._cond:
            self._abort = None
            if generation == self._card_generation:
                self._feed(inp, detail=detail, stale_ok=True)

    def _failed(self, generation: int, exc: ReaderError) -> None:
        if isinstance(exc, NotAKtpel):
            self._end_read(generation, Input.NOT_KTPEL, exc.code)
            return
        self._end_read(generation, Input.READ_FAILED, exc.code)
        if isinstance(exc, SamError):
            with self._cond:
                self._sam_recoverable = not isinstance(exc, SamBlockedRisk)
                self._feed(Input.SAM_FAILED, detail=exc.code)

    def read_card(self) -> CardData:
        """Read the present card completely through the configured session.

        Returns :class:`CardData` with the NIK parsed (release it with ``wipe()`` or ``with``);
        raises CardRemoved, NotAKtpel, SamError/SamBlockedRisk, InvalidCardData, … on failure.
        """
        if self._session is None:
            raise SamMissing("no KTP-el session configured")
        session = self._session
        if self.config.require_sam and self.state is ReaderState.SAM_ERROR:
            self.recover_sam()
        request, generation = self._begin_read(needs_sam=self.config.require_sam)
        try:
            data = session.read(request)
        except ReaderError as exc:
            log.warning("card read failed: %s (%s)", exc.code, exc)
            self._failed(generation, exc)
            raise
        except BaseException:
            self._end_read(generation, Input.READ_FAILED, "unexpected")
            raise
        if request.abort.is_set():
            data.wipe()
            self._end_read(generation, Input.READ_FAILED, CardRemoved.code)
            raise CardRemoved("card left during the read")
        self._end_read(generation, Input.READ_SUCCEEDED)
        log.info(
            "card read (NIK %s, %d issue(s))",
            data.nik.masked() if data.nik else "-",
            len(data.issues),
        )
        return data

    def read_photo(self) -> PhotoRead:
        """Read UID and photo only (no SAM needed); the technician's check and SAM-less sites."""
        request, generation = self._begin_read(needs_sam=False)
        try:
            result = read_uid_and_photo(request)
        except ReaderError as exc:
            log.warning("photo read failed: %s (%s)", exc.code, exc)
            self._failed(generation, exc)
            raise
        except BaseException:
            self._end_read(generation, Input.READ_FAILED, "unexpected")
            raise
        self._end_read(generation, Input.READ_SUCCEEDED)
        return result
