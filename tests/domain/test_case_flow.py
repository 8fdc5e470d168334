"""The flowchart state machine: every transition listed, every other one impossible."""

from __future__ import annotations

import pytest

from app.domain.case_flow import (
    STATE_LABELS,
    STEP_OF_STATE,
    TERMINAL,
    CaseAction,
    CaseState,
    IllegalTransition,
    allowed_actions,
    next_state,
)

S, A = CaseState, CaseAction


def run(*actions: CaseAction) -> CaseState:
    state = S.SUBMITTED
    for action in actions:
        state = next_state(state, action)
    return state


def test_approve_path() -> None:
    assert (
        run(
            A.CHECK_DOCUMENTS,
            A.CROSS_CHECK,
            A.APPROVE,
            A.ISSUE,
            A.HAND_OVER,
            A.QUEUE_BALIKAN,
            A.CLOSE,
        )
        is S.CLOSED
    )


def test_fix_and_recheck_loop_stays_one_case() -> None:
    state = run(A.CHECK_DOCUMENTS, A.CROSS_CHECK, A.RETURN_FOR_FIXES)
    assert state is S.RETURNED
    for _ in range(3):
        state = next_state(state, A.COMPLETE_FIXES)
        state = next_state(state, A.CROSS_CHECK)
        assert state is S.CROSS_CHECKED
        state = next_state(state, A.RETURN_FOR_FIXES)
    state = next_state(next_state(state, A.COMPLETE_FIXES), A.CROSS_CHECK)
    assert next_state(state, A.APPROVE) is S.APPROVED


def test_several_lookups_in_one_check() -> None:
    assert run(A.CHECK_DOCUMENTS, A.CROSS_CHECK, A.CROSS_CHECK, A.CROSS_CHECK) is S.CROSS_CHECKED


def test_no_lookup_before_documents_and_no_issue_before_approval() -> None:
    with pytest.raises(IllegalTransition):
        next_state(S.SUBMITTED, A.CROSS_CHECK)
    with pytest.raises(IllegalTransition):
        next_state(S.CROSS_CHECKED, A.ISSUE)
    with pytest.raises(IllegalTransition):
        next_state(S.RETURNED, A.CROSS_CHECK)  # fixes must be completed first


def test_terminal_states_allow_nothing_and_every_state_is_labelled() -> None:
    for state in TERMINAL:
        assert allowed_actions(state) == []
    assert set(STATE_LABELS) == set(CaseState)
    assert set(STEP_OF_STATE) == set(CaseState)


def test_every_state_is_reachable_and_can_end() -> None:
    reachable = {S.SUBMITTED}
    frontier = [S.SUBMITTED]
    while frontier:
        state = frontier.pop()
        for action in allowed_actions(state):
            target = next_state(state, action)
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(CaseState)
    for state in CaseState:
        seen, stack = {state}, [state]
        while stack:
            current = stack.pop()
            for action in allowed_actions(current):
                target = next_state(current, action)
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
        assert seen & TERMINAL, state
