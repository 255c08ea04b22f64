"""The ticket state machine, in one place.

new -> routed -> acknowledged -> in_progress <-> awaiting_info -> resolved -> closed,
plus rejected (with a reason) and reopened (by the citizen, within a window after
resolution; the ticket goes back to routed with its escalation raised).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ROUTED = "routed"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    AWAITING_INFO = "awaiting_info"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    REOPENED = "reopened"


class Action(StrEnum):
    ROUTE = "route"
    ACKNOWLEDGE = "acknowledge"
    REPLY = "reply"
    REQUEST_INFO = "request-info"
    PROVIDE_INFO = "provide-info"
    TRANSFER = "transfer"
    RESOLVE = "resolve"
    REJECT = "reject"
    REOPEN = "reopen"
    CLOSE = "close"


OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.ROUTED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.AWAITING_INFO,
        Status.REOPENED,
    }
)
# Officers have not attended yet: the acknowledgement clock runs.
UNACKNOWLEDGED_STATUSES = frozenset({Status.NEW, Status.ROUTED, Status.REOPENED})
# The SLA clocks run (they pause while the desk awaits the citizen's information).
CLOCK_RUNNING_STATUSES = OPEN_STATUSES - {Status.AWAITING_INFO}

# (status, action) -> next status. Reply keeps the ticket where an officer is working on it,
# and moves a freshly acknowledged ticket into progress.
_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.NEW, Action.ROUTE): Status.ROUTED,
    (Status.REOPENED, Action.ROUTE): Status.ROUTED,
    (Status.ROUTED, Action.ACKNOWLEDGE): Status.ACKNOWLEDGED,
    (Status.ROUTED, Action.TRANSFER): Status.ROUTED,
    (Status.ROUTED, Action.REJECT): Status.REJECTED,
    (Status.ACKNOWLEDGED, Action.REPLY): Status.IN_PROGRESS,
    (Status.ACKNOWLEDGED, Action.REQUEST_INFO): Status.AWAITING_INFO,
    (Status.ACKNOWLEDGED, Action.TRANSFER): Status.ROUTED,
    (Status.ACKNOWLEDGED, Action.RESOLVE): Status.RESOLVED,
    (Status.ACKNOWLEDGED, Action.REJECT): Status.REJECTED,
    (Status.IN_PROGRESS, Action.REPLY): Status.IN_PROGRESS,
    (Status.IN_PROGRESS, Action.REQUEST_INFO): Status.AWAITING_INFO,
    (Status.IN_PROGRESS, Action.TRANSFER): Status.ROUTED,
    (Status.IN_PROGRESS, Action.RESOLVE): Status.RESOLVED,
    (Status.IN_PROGRESS, Action.REJECT): Status.REJECTED,
    (Status.AWAITING_INFO, Action.PROVIDE_INFO): Status.IN_PROGRESS,
    (Status.AWAITING_INFO, Action.REPLY): Status.AWAITING_INFO,
    (Status.AWAITING_INFO, Action.RESOLVE): Status.RESOLVED,
    (Status.AWAITING_INFO, Action.REJECT): Status.REJECTED,
    (Status.RESOLVED, Action.REOPEN): Status.REOPENED,
    (Status.RESOLVED, Action.CLOSE): Status.CLOSED,
}


class InvalidTransition(Exception):
    """Refused: the ticket's status does not allow the action. Nothing has changed."""

    def __init__(self, status: Status, action: Action) -> None:
        super().__init__(status, action)
        self.status = status
        self.action = action

    @property
    def allowed(self) -> list[str]:
        return allowed_actions(self.status)

    def __str__(self) -> str:
        allowed = ", ".join(self.allowed) or "none (the ticket is final)"
        return (
            f"cannot {self.action.value} a ticket that is {self.status.value}; "
            f"allowed actions: {allowed}"
        )


def allowed_actions(status: Status) -> list[str]:
    return [action.value for (state, action) in _TRANSITIONS if state == status]


def next_status(status: Status, action: Action) -> Status:
    """The status after ``action``, or raise InvalidTransition (which changes nothing)."""
    try:
        return _TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(status, action) from None


def is_open(status: Status) -> bool:
    return status in OPEN_STATUSES
