"""The case API's vocabulary: where a NIK came from, decisions, corrections, notes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.domain.case_flow import CaseState
from app.domain.outcomes import OutcomeKind
from app.services.cases.balikan_owed import NOTE_CANCELLED as NOTE_CANCELLED
from app.services.cases.balikan_owed import NOTE_INTERRUPTED as NOTE_INTERRUPTED
from app.services.cases.balikan_owed import NOTE_REFUSED as NOTE_REFUSED
from app.services.cases.balikan_owed import NOTE_RETURNED as NOTE_RETURNED
from app.services.officers import OfficerView

RESIDENT_ANSWERS = frozenset(
    {
        OutcomeKind.FOUND,
        OutcomeKind.VERIFIED,
        OutcomeKind.DECEASED,
        OutcomeKind.DUPLICATE,
        OutcomeKind.NOT_FOUND,
        OutcomeKind.INACTIVE,
        OutcomeKind.INVALID_FORMAT,
    }
)

# Notes (keterangan) sent as data balikan: the fixed list is in balikan_owed.
#: What a cancelled case stores: one of these, never the reason the officer typed.
CANCEL_NOTES = (NOTE_CANCELLED, NOTE_INTERRUPTED)


class NikSource(Enum):
    """Where the NIK came from (R-26)."""

    CARD = "card"
    IKD = "ikd"
    TYPED = "typed"


class NikCorrection(Enum):
    """Why a different NIK is checked in the same case (a fixed list: no typed text stored)."""

    TYPING_ERROR = "typing_error"
    OTHER_DOCUMENT = "other_document"
    CARD_READ = "card_read"


#: States in which the NIK may still be corrected: no decision made yet.
CORRECTABLE = frozenset({CaseState.SUBMITTED, CaseState.DOCUMENTS_CHECKED, CaseState.CROSS_CHECKED})


class Decision(Enum):
    """The officer's verification decision (flowchart step 4)."""

    APPROVE = "approve"
    RETURN = "return"
    REFUSE = "refuse"


@dataclass(frozen=True, slots=True)
class GuardOverride:
    """A supervisor allows one refused lookup, with a reason (twins, family at the counter)."""

    supervisor: OfficerView
    reason: str


def default_guidance(kind: OutcomeKind, code: str | None) -> str:
    """The outcome's name as guidance when no catalogue is given."""
    return kind.name if code is None else f"{kind.name} ({code})"
