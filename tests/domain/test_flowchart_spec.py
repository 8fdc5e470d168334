"""The service flowchart, written out by hand from the agreement, checked against the code.

Source: Lampiran II of the agreements (seed 000, also the template in seed 004), "Flowchart
diagram alur layanan": 1 request submitted with documents → 2 officer checks request and
attachments → 3 cross-check with Dukcapil by NIK → 4 verification: a. matches → approval and
issue; b. not found / not matching → 8 applicant fixes → 9 officer completes the file → 10 re-check
(back to 3) → 5 hand over → 6 data balikan → 7 done → 11 end.

Decisions documented in ``app/domain/case_flow.py`` and the requirements digest: a case may be
refused at step 4 (deceased, duplicate, non-active: nothing is issued, data balikan is still owed
after a "Data Ditemukan" answer, nothing after a refusal before any access); a case may be
cancelled only before anything was issued; several lookups may be made in one check.

This table is deliberately NOT imported from the code under test: it is the expectation.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.case_flow import (
    CaseAction,
    CaseState,
    IllegalTransition,
    allowed_actions,
    next_state,
)

STATES = [
    "submitted", "documents_checked", "cross_checked", "approved", "issued", "handed_over",
    "returned", "fixes_completed", "refused", "balikan_queued", "closed", "cancelled",
]
ACTIONS = [
    "check_documents", "cross_check", "approve", "return_for_fixes", "refuse",
    "complete_fixes", "issue", "hand_over", "queue_balikan", "close", "cancel",
]

# (state, action) -> next state, from Lampiran II and the documented decisions.
EXPECTED: dict[tuple[str, str], str] = {
    ("submitted", "check_documents"): "documents_checked",          # step 1 → 2
    ("documents_checked", "cross_check"): "cross_checked",          # step 2 → 3
    ("cross_checked", "cross_check"): "cross_checked",              # another lookup in step 3
    ("cross_checked", "approve"): "approved",                       # 4a
    ("cross_checked", "return_for_fixes"): "returned",              # 4b → 8
    ("cross_checked", "refuse"): "refused",                         # 4: cannot be served
    ("returned", "complete_fixes"): "fixes_completed",              # 8 → 9
    ("fixes_completed", "cross_check"): "cross_checked",            # 10 → back to 3
    ("approved", "issue"): "issued",                                # 4a: issue the document
    ("issued", "hand_over"): "handed_over",                         # 5
    ("handed_over", "queue_balikan"): "balikan_queued",             # 6
    ("refused", "queue_balikan"): "balikan_queued",                 # owed after an access
    ("refused", "close"): "closed",                                 # refused before any access
    ("balikan_queued", "close"): "closed",                          # 7 → 11
    # cancel: only while nothing has been issued
    ("submitted", "cancel"): "cancelled",
    ("documents_checked", "cancel"): "cancelled",
    ("cross_checked", "cancel"): "cancelled",
    ("returned", "cancel"): "cancelled",
    ("fixes_completed", "cancel"): "cancelled",
    ("approved", "cancel"): "cancelled",
}

# Moves that the flowchart forbids and that a careless table could easily allow.
FORBIDDEN_EXAMPLES = [
    ("submitted", "approve"),            # no approval without documents and a check
    ("submitted", "cross_check"),        # step 2 comes before step 3
    ("documents_checked", "approve"),    # no approval without a cross-check
    ("cross_checked", "issue"),          # no issue without approval
    ("approved", "hand_over"),           # nothing to hand over before it is issued
    ("returned", "cross_check"),         # fixes (8, 9) come before the re-check (10)
    ("returned", "approve"),
    ("handed_over", "close"),            # data balikan (6) before done (7)
    ("issued", "cancel"),                # an issued document is not cancelled
    ("handed_over", "cancel"),
    ("balikan_queued", "cancel"),        # owed data balikan is never dropped
    ("refused", "approve"),
    ("closed", "cross_check"),
    ("cancelled", "check_documents"),
]


def test_the_code_knows_exactly_these_states_and_actions() -> None:
    assert sorted(s.value for s in CaseState) == sorted(STATES)
    assert sorted(a.value for a in CaseAction) == sorted(ACTIONS)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_each_move_is_allowed_exactly_when_the_flowchart_allows_it(
    state: str, action: str
) -> None:
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(IllegalTransition):
            next_state(CaseState(state), CaseAction(action))
    else:
        assert next_state(CaseState(state), CaseAction(action)) is CaseState(expected)


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_per_state(state: str) -> None:
    expected = {action for (source, action) in EXPECTED if source == state}
    assert {a.value for a in allowed_actions(CaseState(state))} == expected


@pytest.mark.parametrize(("state", "action"), FORBIDDEN_EXAMPLES)
def test_forbidden_moves_are_refused(state: str, action: str) -> None:
    assert (state, action) not in EXPECTED  # the table above agrees with the flowchart
    with pytest.raises(IllegalTransition):
        next_state(CaseState(state), CaseAction(action))


@given(st.lists(st.sampled_from(ACTIONS), max_size=30))
def test_random_sequences_follow_the_flowchart(actions: list[str]) -> None:
    state = "submitted"
    for action in actions:
        expected = EXPECTED.get((state, action))
        if expected is None:
            with pytest.raises(IllegalTransition):
                next_state(CaseState(state), CaseAction(action))
        else:
            assert next_state(CaseState(state), CaseAction(action)).value == expected
            state = expected
