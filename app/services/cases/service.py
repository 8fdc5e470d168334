"""The use-case API of one counter: open, check, look up, decide, issue, hand over, close.

Every lookup goes through :meth:`CaseService.look_up` (or, in web-portal mode,
:meth:`CaseService.record_portal_outcome`): an open case, a signed-in officer
with an NDA on file, a stated programme, the agreement in force, no lock-out,
the pattern guard and the quota — in that order — before anything is sent.
"""

from __future__ import annotations

from app.services.cases.kinds import (
    CANCEL_NOTES,
    NOTE_CANCELLED,
    NOTE_INTERRUPTED,
    NOTE_REFUSED,
    NOTE_RETURNED,
    RESIDENT_ANSWERS,
    Decision,
    GuardOverride,
    NikCorrection,
    NikSource,
)
from app.services.cases.lookup import LookupPart
from app.services.cases.resuming import ReturnedPart

__all__ = [
    "CANCEL_NOTES",
    "NOTE_CANCELLED",
    "NOTE_INTERRUPTED",
    "NOTE_REFUSED",
    "NOTE_RETURNED",
    "RESIDENT_ANSWERS",
    "CaseService",
    "Decision",
    "GuardOverride",
    "NikCorrection",
    "NikSource",
]


class CaseService(LookupPart, ReturnedPart):
    """One counter's use cases, sharing quota, guard, lock-outs and audit with all counters.

    The parts: :class:`LookupPart` (step 3), :class:`LifecyclePart` (steps 1-2, 4),
    :class:`HandingPart` (steps 5-7) and :class:`ReturnedPart` (steps 8-10, interrupted
    cases), over :class:`CaseServiceBase`.
    """
