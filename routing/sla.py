"""SLA deadlines and escalation decisions (pure; times are timezone-aware UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from routing.lifecycle import CLOCK_RUNNING_STATUSES, UNACKNOWLEDGED_STATUSES, Status

ACK_BREACH_LEVEL = 2  # department head
RESOLVE_BREACH_LEVEL = 3  # ministry leadership
MAX_LEVEL = 3


@dataclass(frozen=True)
class Deadlines:
    ack_due_at: datetime
    resolve_due_at: datetime


def deadlines(start: datetime, ack_days: int, resolve_days: int) -> Deadlines:
    return Deadlines(start + timedelta(days=ack_days), start + timedelta(days=resolve_days))


def urgent_deadlines(start: datetime, due: Deadlines, ack_hours: float) -> Deadlines:
    """A critical grievance's deadlines: acknowledged within ``ack_hours`` (the directory's
    ``sla.critical.ack_hours``), never later than its category's clock; resolution unchanged."""
    ack = min(due.ack_due_at, start + timedelta(hours=ack_hours))
    return Deadlines(ack, due.resolve_due_at)


def resumed_deadlines(current: Deadlines, paused_for: timedelta) -> Deadlines:
    """Deadlines after the clocks were paused (awaiting the citizen's information)."""
    return Deadlines(current.ack_due_at + paused_for, current.resolve_due_at + paused_for)


def is_overdue(
    status: Status, ack_due_at: datetime, resolve_due_at: datetime, now: datetime
) -> bool:
    """The one meaning of "overdue" (the queue's filter, its badge, the dashboard, metrics and
    the sweep): the clocks run and the resolution is due, or nobody has attended yet (the
    status says so: a reopened ticket must be attended again) and the acknowledgement is due.
    ``backend/escalation.py: overdue_clause`` is its SQL form, kept equal by a test."""
    if status not in CLOCK_RUNNING_STATUSES:
        return False
    return now >= resolve_due_at or (status in UNACKNOWLEDGED_STATUSES and now >= ack_due_at)


def running_clock(status: Status) -> str | None:
    """Which deadline the desk is racing: "ack" until an officer attends, then "resolve";
    None while the clocks are paused or the ticket is concluded."""
    if status not in CLOCK_RUNNING_STATUSES:
        return None
    return "ack" if status in UNACKNOWLEDGED_STATUSES else "resolve"


def escalation_due(
    status: Status,
    level: int,
    ack_due_at: datetime,
    resolve_due_at: datetime,
    as_of: datetime,
) -> int | None:
    """The level a ticket must be raised to as of ``as_of``, or None when nothing is due.

    Clocks are paused while awaiting the citizen, so such tickets never escalate.
    """
    if status not in CLOCK_RUNNING_STATUSES:
        return None
    target = level
    if as_of >= resolve_due_at:
        target = max(target, RESOLVE_BREACH_LEVEL)
    elif status in UNACKNOWLEDGED_STATUSES and as_of >= ack_due_at:
        target = max(target, ACK_BREACH_LEVEL)
    return target if target > level else None
