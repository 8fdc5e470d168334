"""The reader's state machine: pure, explicit, no I/O.

Facts (service up, card slot found, SAM present, card present) come from the monitor; the read
phase comes from the session. The visible state is derived in a fixed order:

    no service → no reader → no SAM / SAM error → ready → card present →
    reading (progress %) → read | read failed | not a KTP-el → (card removed) → ready
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace


class ReaderState(enum.Enum):
    """What the status bar shows."""

    NO_SERVICE = "no_service"
    NO_READER = "no_reader"
    NO_SAM = "no_sam"
    SAM_ERROR = "sam_error"
    READY = "ready"
    CARD_PRESENT = "card_present"
    READING = "reading"
    READ = "read"
    READ_FAILED = "read_failed"
    NOT_KTPEL = "not_ktpel"


class Phase(enum.Enum):
    """Where the read of the present card stands."""

    IDLE = "idle"
    READING = "reading"
    READ = "read"
    FAILED = "failed"
    NOT_KTPEL = "not_ktpel"


class Input(enum.Enum):
    """Everything that can happen to the machine."""

    SERVICE_UP = "service_up"
    SERVICE_LOST = "service_lost"
    READER_FOUND = "reader_found"
    READER_LOST = "reader_lost"
    SAM_INSERTED = "sam_inserted"
    SAM_REMOVED = "sam_removed"
    SAM_FAILED = "sam_failed"
    SAM_OK = "sam_ok"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    READ_STARTED = "read_started"
    READ_PROGRESS = "read_progress"
    READ_SUCCEEDED = "read_succeeded"
    READ_FAILED = "read_failed"
    NOT_KTPEL = "not_ktpel"


@dataclass(frozen=True)
class ReaderEvent:
    """One visible change, delivered to the UI (which wraps it in a Qt signal)."""

    state: ReaderState
    progress: int | None = None
    detail: str | None = None
    card_reader: str | None = None
    sam_reader: str | None = None


@dataclass(frozen=True)
class Facts:
    """What is known about the hardware, plus the read phase."""

    service: bool = False
    card_reader: str | None = None
    sam_reader: str | None = None
    sam_present: bool = False
    sam_fault: bool = False
    #: Why the SAM is in error (kept apart from ``detail``, which card events overwrite).
    sam_detail: str | None = None
    card_present: bool = False
    phase: Phase = Phase.IDLE
    progress: int | None = None
    detail: str | None = None


class InvalidTransition(Exception):
    """An input that makes no sense in the current state (a programming error)."""


_READ_PHASE_STATES = {
    Phase.IDLE: ReaderState.CARD_PRESENT,
    Phase.READING: ReaderState.READING,
    Phase.READ: ReaderState.READ,
    Phase.FAILED: ReaderState.READ_FAILED,
    Phase.NOT_KTPEL: ReaderState.NOT_KTPEL,
}

#: The states in which each read input is accepted. Other inputs are accepted everywhere.
READ_INPUTS_ALLOWED: dict[Input, frozenset[ReaderState]] = {
    Input.READ_STARTED: frozenset(
        {
            ReaderState.CARD_PRESENT,
            ReaderState.READ,
            ReaderState.READ_FAILED,
            ReaderState.NOT_KTPEL,
        }
    ),
    Input.READ_PROGRESS: frozenset({ReaderState.READING}),
    Input.READ_SUCCEEDED: frozenset({ReaderState.READING}),
    Input.READ_FAILED: frozenset({ReaderState.READING}),
    Input.NOT_KTPEL: frozenset({ReaderState.READING}),
}


def derive_state(facts: Facts, *, require_sam: bool = True) -> ReaderState:
    """The visible state for ``facts``, in the fixed priority order."""
    if not facts.service:
        return ReaderState.NO_SERVICE
    if facts.card_reader is None:
        return ReaderState.NO_READER
    if require_sam and (facts.sam_reader is None or not facts.sam_present):
        return ReaderState.NO_SAM
    if require_sam and facts.sam_fault:
        return ReaderState.SAM_ERROR
    if not facts.card_present:
        return ReaderState.READY
    return _READ_PHASE_STATES[facts.phase]


class ReaderStateMachine:
    """Holds the facts and turns inputs into :class:`ReaderEvent` values.

    ``feed`` returns the new event when something visible changed, else ``None``. Read inputs
    arriving in a state that does not accept them raise :class:`InvalidTransition`, except
    those of a read that the card's removal already ended (``stale_ok``), which are ignored.
    """

    def __init__(self, *, require_sam: bool = True) -> None:
        self._require_sam = require_sam
        self._facts = Facts()
        self._last = self._event()

    @property
    def facts(self) -> Facts:
        """The current facts."""
        return self._facts

    @property
    def state(self) -> ReaderState:
        """The current visible state."""
        return derive_state(self._facts, require_sam=self._require_sam)

    @property
    def current(self) -> ReaderEvent:
        """The event describing the current state."""
        return self._last

    def feed(
        self,
        inp: Input,
        *,
        reader: str | None = None,
        progress: int | None = None,
        detail: str | None = None,
        stale_ok: bool = False,
    ) -> ReaderEvent | None:
        """Apply ``inp``; return the event to publish, or ``None`` when nothing visible changed."""
        allowed = READ_INPUTS_ALLOWED.get(inp)
        if allowed is not None and self.state not in allowed:
            if stale_ok:
                return None
            raise InvalidTransition(f"{inp.value} in state {self.state.value}")
        f = self._facts
        match inp:
            case Input.SERVICE_UP:
                f = replace(f, service=True, detail=None)
            case Input.SERVICE_LOST:
                f = Facts(detail=detail)
            case Input.READER_FOUND:
                f = replace(f, card_reader=reader, detail=None)
            case Input.READER_LOST:
                f = replace(
                    f,
                    card_reader=None,
                    card_present=False,
                    phase=Phase.IDLE,
                    progress=None,
                    detail=detail,
                )
            case Input.SAM_INSERTED:
                f = replace(
                    f,
                    sam_reader=reader or f.sam_reader,
                    sam_present=True,
                    sam_fault=False,
                    sam_detail=None,
                )
            case Input.SAM_REMOVED:
                f = replace(
                    f,
                    sam_present=False,
                    sam_fault=False,
                    sam_detail=None,
                    sam_reader=reader if reader is not None else f.sam_reader,
                )
            case Input.SAM_FAILED:
                f = replace(f, sam_fault=True, detail=detail, sam_detail=detail)
            case Input.SAM_OK:
                f = replace(f, sam_fault=False, detail=None, sam_detail=None)
            case Input.CARD_INSERTED:
                f = replace(
                    f,
                    card_reader=reader or f.card_reader,  # the watched slot holding the card
                    card_present=True,
                    phase=Phase.IDLE,
                    progress=None,
                    detail=None,
                )
            case Input.CARD_REMOVED:
                f = replace(f, card_present=False, phase=Phase.IDLE, progress=None, detail=detail)
            case Input.READ_STARTED:
                f = replace(f, phase=Phase.READING, progress=0, detail=None)
            case Input.READ_PROGRESS:
                pct = max(0, min(100, progress if progress is not None else 0))
                f = replace(f, progress=max(pct, f.progress or 0))
            case Input.READ_SUCCEEDED:
                f = replace(f, phase=Phase.READ, progress=100, detail=None)
            case Input.READ_FAILED:
                f = replace(f, phase=Phase.FAILED, progress=None, detail=detail)
            case Input.NOT_KTPEL:
                f = replace(f, phase=Phase.NOT_KTPEL, progress=None, detail=detail)
        self._facts = f
        event = self._event()
        if event == self._last:
            return None
        self._last = event
        return event

    def _event(self) -> ReaderEvent:
        state = self.state
        f = self._facts
        return ReaderEvent(
            state=state,
            progress=f.progress if state is ReaderState.READING else None,
            detail=f.sam_detail if state is ReaderState.SAM_ERROR else f.detail,
            card_reader=f.card_reader,
            sam_reader=f.sam_reader,
        )
