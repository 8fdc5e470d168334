"""The agreement's service flowchart (Lampiran II) as an explicit state machine.

1 submitted → 2 documents checked → 3 cross-checked (one or more lookups) →
4a approved → issued → 5 handed over → 6 balikan queued → 7 closed; or
4b returned for fixes → 8/9 fixes completed → 10 re-checked (back to 3);
a case can also be refused (deceased, duplicate, …) or cancelled.
Only the transitions in :data:`TRANSITIONS` exist.
"""

from __future__ import annotations

from enum import Enum

from app.domain.i18n import N_, _


class CaseState(Enum):
    """Where a case stands in the flowchart."""

    SUBMITTED = "submitted"
    DOCUMENTS_CHECKED = "documents_checked"
    CROSS_CHECKED = "cross_checked"
    APPROVED = "approved"
    ISSUED = "issued"
    HANDED_OVER = "handed_over"
    RETURNED = "returned"
    FIXES_COMPLETED = "fixes_completed"
    REFUSED = "refused"
    BALIKAN_QUEUED = "balikan_queued"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CaseAction(Enum):
    """What an officer (or the app, for balikan) does to a case."""

    CHECK_DOCUMENTS = "check_documents"
    CROSS_CHECK = "cross_check"
    APPROVE = "approve"
    RETURN_FOR_FIXES = "return_for_fixes"
    REFUSE = "refuse"
    COMPLETE_FIXES = "complete_fixes"
    ISSUE = "issue"
    HAND_OVER = "hand_over"
    QUEUE_BALIKAN = "queue_balikan"
    CLOSE = "close"
    CANCEL = "cancel"


S, A = CaseState, CaseAction

TRANSITIONS: dict[tuple[CaseState, CaseAction], CaseState] = {
    (S.SUBMITTED, A.CHECK_DOCUMENTS): S.DOCUMENTS_CHECKED,
    (S.DOCUMENTS_CHECKED, A.CROSS_CHECK): S.CROSS_CHECKED,
    (S.CROSS_CHECKED, A.CROSS_CHECK): S.CROSS_CHECKED,
    (S.CROSS_CHECKED, A.APPROVE): S.APPROVED,
    (S.CROSS_CHECKED, A.RETURN_FOR_FIXES): S.RETURNED,
    (S.CROSS_CHECKED, A.REFUSE): S.REFUSED,
    (S.RETURNED, A.COMPLETE_FIXES): S.FIXES_COMPLETED,
    (S.FIXES_COMPLETED, A.CROSS_CHECK): S.CROSS_CHECKED,
    (S.APPROVED, A.ISSUE): S.ISSUED,
    (S.ISSUED, A.HAND_OVER): S.HANDED_OVER,
    (S.HANDED_OVER, A.QUEUE_BALIKAN): S.BALIKAN_QUEUED,
    (S.REFUSED, A.QUEUE_BALIKAN): S.BALIKAN_QUEUED,
    (S.BALIKAN_QUEUED, A.CLOSE): S.CLOSED,
    (S.REFUSED, A.CLOSE): S.CLOSED,  # refused before any data was accessed: nothing owed
    (S.SUBMITTED, A.CANCEL): S.CANCELLED,
    (S.DOCUMENTS_CHECKED, A.CANCEL): S.CANCELLED,
    (S.CROSS_CHECKED, A.CANCEL): S.CANCELLED,
    (S.RETURNED, A.CANCEL): S.CANCELLED,
    (S.FIXES_COMPLETED, A.CANCEL): S.CANCELLED,
    (S.APPROVED, A.CANCEL): S.CANCELLED,
}

TERMINAL = frozenset({S.CLOSED, S.CANCELLED})

#: The flowchart step number shown to the officer for each state.
STEP_OF_STATE: dict[CaseState, int] = {
    S.SUBMITTED: 1,
    S.DOCUMENTS_CHECKED: 2,
    S.CROSS_CHECKED: 3,
    S.APPROVED: 4,
    S.REFUSED: 4,
    S.RETURNED: 8,
    S.FIXES_COMPLETED: 9,
    S.ISSUED: 4,
    S.HANDED_OVER: 5,
    S.BALIKAN_QUEUED: 6,
    S.CLOSED: 7,
    S.CANCELLED: 11,
}

STATE_LABELS: dict[CaseState, str] = {
    S.SUBMITTED: N_("Request submitted"),
    S.DOCUMENTS_CHECKED: N_("Documents checked"),
    S.CROSS_CHECKED: N_("Cross-checked with Dukcapil"),
    S.APPROVED: N_("Approved"),
    S.ISSUED: N_("Document issued"),
    S.HANDED_OVER: N_("Handed over"),
    S.RETURNED: N_("Returned for fixes"),
    S.FIXES_COMPLETED: N_("Fixes completed, re-check due"),
    S.REFUSED: N_("Refused"),
    S.BALIKAN_QUEUED: N_("Data balikan queued"),
    S.CLOSED: N_("Closed"),
    S.CANCELLED: N_("Cancelled"),
}


class IllegalTransition(ValueError):
    """The action is not possible from the case's current state."""

    def __init__(self, state: CaseState, action: CaseAction) -> None:
        super().__init__(f"{action.value} is not possible in state {state.value}")
        self.state = state
        self.action = action

    @property
    def message(self) -> str:
        """Translated explanation."""
        return _("This step is not possible now: the case is at “{state}”.").format(
            state=_(STATE_LABELS[self.state])
        )


def next_state(state: CaseState, action: CaseAction) -> CaseState:
    """The state after ``action``, or :class:`IllegalTransition`."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise IllegalTransition(state, action) from None


def allowed_actions(state: CaseState) -> list[CaseAction]:
    """Actions possible from ``state`` (in declaration order)."""
    return [action for (source, action) in TRANSITIONS if source is state]
