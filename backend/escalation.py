"""The SLA sweep: raise what is overdue, once, safely with several workers.

A pass selects overdue open tickets in batches (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
concurrent workers split the backlog instead of doubling it), raises each to the level its
breach demands, writes one event and the notifications, and commits per batch. A ticket
already at that level is not selected again, so a second pass at the same time changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Ticket
from backend.notifications import notify_citizen, notify_officers
from backend.tickets import SYSTEM_SLA, add_event
from routing.lifecycle import CLOCK_RUNNING_STATUSES, UNACKNOWLEDGED_STATUSES, Status
from routing.sla import ACK_BREACH_LEVEL, RESOLVE_BREACH_LEVEL, escalation_due

log = logging.getLogger(__name__)

# Listed positively (IN, not NOT IN): the indexes that lead with status serve the query.
RUNNING = sorted(s.value for s in CLOCK_RUNNING_STATUSES)
UNACKED = sorted(s.value for s in UNACKNOWLEDGED_STATUSES)


def status_in(statuses: list[str]) -> Any:
    # Written into the SQL as literals, so that PostgreSQL can match the partial indexes of
    # open tickets (ix_tickets_open_*) whatever plan it caches.
    return Ticket.status.in_(
        bindparam("statuses", statuses, expanding=True, literal_execute=True, unique=True)
    )


def overdue_clause(now: datetime) -> Any:
    """``routing.sla.is_overdue`` in SQL, for listings, counts and metrics."""
    return or_(
        and_(status_in(RUNNING), Ticket.resolve_due_at <= now),
        and_(status_in(UNACKED), Ticket.ack_due_at <= now),
    )


@dataclass
class SweepResult:
    examined: int = 0
    escalated_to_head: int = 0
    escalated_to_leadership: int = 0

    @property
    def escalated(self) -> int:
        return self.escalated_to_head + self.escalated_to_leadership


def overdue_query(as_of: datetime, batch_size: int) -> Select[Ticket]:
    """Tickets that must be raised as of ``as_of``.

    Written so both arms are index range scans (ix_tickets_resolve_sweep, ix_tickets_ack_sweep):
    equality lists on status and level, then a range on the deadline. Only tickets that still
    need raising are read, however many open tickets there are.
    """
    below_resolve = list(range(RESOLVE_BREACH_LEVEL))
    below_ack = list(range(ACK_BREACH_LEVEL))
    return (
        select(Ticket)
        .where(
            or_(
                and_(
                    Ticket.status.in_(RUNNING),
                    Ticket.escalation_level.in_(below_resolve),
                    Ticket.resolve_due_at <= as_of,
                ),
                and_(
                    Ticket.status.in_(UNACKED),
                    Ticket.escalation_level.in_(below_ack),
                    Ticket.ack_due_at <= as_of,
                ),
            )
        )
        # No ORDER BY: SQLite would walk the primary key instead of the deadline indexes.
        .limit(batch_size)
        .with_for_update(skip_locked=True, of=Ticket)
    )


def sweep(factory: sessionmaker[Session], as_of: datetime, batch_size: int = 500) -> SweepResult:
    result = SweepResult()
    while True:
        with factory() as session, session.begin():
            tickets = list(session.scalars(overdue_query(as_of, batch_size)).unique())
            if not tickets:
                break
            for ticket in tickets:
                result.examined += 1
                _escalate(session, ticket, as_of, result)
        if len(tickets) < batch_size:
            break
    if result.escalated:
        log.info(
            "sla sweep as of %s: %d to head, %d to leadership",
            as_of.isoformat(),
            result.escalated_to_head,
            result.escalated_to_leadership,
        )
    return result


def _escalate(session: Session, ticket: Ticket, as_of: datetime, result: SweepResult) -> None:
    target = escalation_due(
        Status(ticket.status),
        ticket.escalation_level,
        ticket.ack_due_at,
        ticket.resolve_due_at,
        as_of,
    )
    if target is None:
        return
    previous = ticket.escalation_level
    ticket.escalation_level = target
    ticket.updated_at = as_of
    reason = "not resolved by" if target == RESOLVE_BREACH_LEVEL else "not acknowledged by"
    due = ticket.resolve_due_at if target == RESOLVE_BREACH_LEVEL else ticket.ack_due_at
    event = add_event(
        session,
        ticket,
        SYSTEM_SLA,
        "escalate",
        ticket.status,
        ticket.status,
        f"level {previous} -> {target}: {reason} {due.isoformat()}",
        as_of,
    )
    notify_citizen(session, ticket, "escalated", event.id)
    notify_officers(session, ticket, "escalated", event.id)
    if target == RESOLVE_BREACH_LEVEL:
        result.escalated_to_leadership += 1
    else:
        result.escalated_to_head += 1
