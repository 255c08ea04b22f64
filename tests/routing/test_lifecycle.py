from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routing.lifecycle import Action, InvalidTransition, Status, allowed_actions, next_status
from routing.sla import Deadlines, deadlines, escalation_due, resumed_deadlines

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_happy_path() -> None:
    status = Status.NEW
    for action in (
        Action.ROUTE,
        Action.ACKNOWLEDGE,
        Action.REPLY,
        Action.REQUEST_INFO,
        Action.PROVIDE_INFO,
        Action.RESOLVE,
        Action.CLOSE,
    ):
        status = next_status(status, action)
    assert status == Status.CLOSED


def test_invalid_transition_names_state_and_allowed_actions() -> None:
    with pytest.raises(InvalidTransition) as error:
        next_status(Status.RESOLVED, Action.ACKNOWLEDGE)
    message = str(error.value)
    assert "resolved" in message and "reopen" in message and "close" in message


def test_final_states_allow_nothing() -> None:
    assert allowed_actions(Status.CLOSED) == []
    assert allowed_actions(Status.REJECTED) == []
    assert "none" in str(InvalidTransition(Status.CLOSED, Action.REOPEN))


def test_reopened_goes_back_to_routed() -> None:
    assert next_status(Status.RESOLVED, Action.REOPEN) == Status.REOPENED
    assert next_status(Status.REOPENED, Action.ROUTE) == Status.ROUTED


def test_escalation_levels() -> None:
    due = deadlines(T0, 3, 7)
    args = (due.ack_due_at, due.resolve_due_at)
    assert escalation_due(Status.ROUTED, 0, *args, T0 + timedelta(days=2)) is None
    assert escalation_due(Status.ROUTED, 0, *args, T0 + timedelta(days=3)) == 2
    assert escalation_due(Status.ROUTED, 2, *args, T0 + timedelta(days=4)) is None
    assert escalation_due(Status.ACKNOWLEDGED, 0, *args, T0 + timedelta(days=4)) is None
    assert escalation_due(Status.ACKNOWLEDGED, 0, *args, T0 + timedelta(days=7)) == 3
    assert escalation_due(Status.ROUTED, 2, *args, T0 + timedelta(days=8)) == 3
    assert escalation_due(Status.ROUTED, 3, *args, T0 + timedelta(days=30)) is None


def test_paused_and_final_tickets_never_escalate() -> None:
    due = deadlines(T0, 3, 7)
    late = T0 + timedelta(days=30)
    for status in (Status.AWAITING_INFO, Status.RESOLVED, Status.CLOSED, Status.REJECTED):
        assert escalation_due(status, 0, due.ack_due_at, due.resolve_due_at, late) is None


def test_pause_moves_both_deadlines() -> None:
    resumed = resumed_deadlines(Deadlines(T0, T0 + timedelta(days=4)), timedelta(hours=30))
    assert resumed.ack_due_at == T0 + timedelta(hours=30)
    assert resumed.resolve_due_at == T0 + timedelta(days=4, hours=30)
