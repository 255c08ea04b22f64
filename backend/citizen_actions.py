"""What a citizen does on their own ticket: writes to the officers (an answer to a request for
information restarts the clocks; a more urgent message raises the ticket), rates it, reopens
it. Each function works inside the caller's transaction, as ``backend/tickets.py``'s do."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from backend.models import Ticket, TicketEvent, TicketMessage
from backend.notifications import (
    citizen_language,
    critical_note,
    notify_citizen,
    notify_officers,
    notify_portal,
)
from backend.tickets import (
    CITIZEN,
    SYSTEM_ROUTER,
    CitizenRefused,
    NotOwner,
    add_event,
    resume_clocks,
)
from routing.lifecycle import UNACKNOWLEDGED_STATUSES, Action, Status, next_status
from routing.sla import MAX_LEVEL, Deadlines, deadlines, urgent_deadlines
from routing.urgency import CRITICAL, LEVELS, Urgency


def reopen_allowed(ticket: Ticket, now: datetime, reopen_window: timedelta) -> bool:
    """The citizen may still reopen: resolved, within the window after resolution."""
    if ticket.status != Status.RESOLVED.value:
        return False
    resolved_at = ticket.resolved_at or ticket.updated_at
    return now - resolved_at <= reopen_window


def is_owner(ticket: Ticket, channel: str | None, channel_user_id: str | None) -> bool:
    return bool(channel) and ticket.channel == channel and ticket.channel_user_id == channel_user_id


def follow_language(ticket: Ticket, language: str | None, *texts: str | None) -> None:
    """Later notifications of the ticket follow the conversation's language (when the caller
    says it) and the script the citizen writes in (``citizen_language``)."""
    ticket.language = citizen_language(language or ticket.language, *texts)


def _own_open_status(ticket: Ticket, channel: str, channel_user_id: str, refused: str) -> Status:
    """The ticket's status, once it is the caller's own and not final (closed or rejected:
    ``refused`` says what it can no longer take)."""
    if not is_owner(ticket, channel, channel_user_id):
        raise NotOwner(ticket.number)
    current = Status(ticket.status)
    if current in (Status.CLOSED, Status.REJECTED):
        raise CitizenRefused(
            "ticket_final", f"ticket {ticket.number} is {current.value}: {refused}", current.value
        )
    return current


def add_citizen_message(
    session: Session,
    ticket: Ticket,
    channel: str,
    channel_user_id: str,
    text: str,
    now: datetime,
    language: str | None = None,
    *,
    urgency: Urgency | None = None,
    critical_ack_hours: float = 4.0,
) -> TicketMessage:
    """The citizen writes on their ticket; an answer to a request for information restarts
    the clocks, and a message more urgent than the ticket (``urgency``, as read by the triage)
    raises it."""
    current = _own_open_status(ticket, channel, channel_user_id, "it takes no more messages")
    follow_language(ticket, language, text)
    message = TicketMessage(ticket_id=ticket.id, at=now, author="citizen", text=text)
    session.add(message)
    to_status = current.value
    action = "message"
    if current == Status.AWAITING_INFO:
        to_status = next_status(current, Action.PROVIDE_INFO).value
        action = Action.PROVIDE_INFO.value
        resume_clocks(ticket, now)
        ticket.status = to_status
    ticket.updated_at = now
    event = add_event(session, ticket, CITIZEN, action, current.value, to_status, text[:500], now)
    notify_officers(session, ticket, "citizen_message", event.id, text)
    if urgency is not None:
        raise_urgency(session, ticket, urgency, now, critical_ack_hours)
    return message


def raise_urgency(
    session: Session, ticket: Ticket, urgency: Urgency, now: datetime, critical_ack_hours: float
) -> bool:
    """A citizen's later message that reads more urgent than the ticket raises it, never lowers
    it ("they came back tonight with rods"): the reasons join the ticket's; a ticket that turns
    critical gets the short acknowledgement clock (when not yet acknowledged) and alerts its
    department's heads and leadership at once, as at filing. Returns whether it was raised."""
    if LEVELS.index(urgency.level) <= LEVELS.index(ticket.urgency or "normal"):
        return False
    ticket.urgency = urgency.level
    known = [code for code in ticket.urgency_reasons.split(",") if code]
    reasons = [*urgency.reasons, *(code for code in known if code not in urgency.reasons)]
    ticket.urgency_reasons = ",".join(reasons)[:200]
    note = critical_note(urgency.reasons)
    event = add_event(session, ticket, CITIZEN, "urgency", ticket.status, ticket.status, note, now)
    if urgency.level == CRITICAL:
        if Status(ticket.status) in UNACKNOWLEDGED_STATUSES:
            ticket.ack_due_at = urgent_deadlines(
                now, Deadlines(ticket.ack_due_at, ticket.resolve_due_at), critical_ack_hours
            ).ack_due_at
        notify_officers(session, ticket, "critical", event.id, note)
    return True


def give_feedback(
    session: Session,
    ticket: Ticket,
    channel: str,
    channel_user_id: str,
    rating: int | None,
    comment: str | None,
    reopen: bool,
    now: datetime,
    reopen_window: timedelta,
    sla_days: tuple[int, int],
    language: str | None = None,
) -> TicketEvent:
    current = _own_open_status(
        ticket, channel, channel_user_id, "it can no longer be rated or reopened"
    )
    if current != Status.RESOLVED:
        raise CitizenRefused(
            "not_resolved",
            f"ticket {ticket.number} is still open ({current.value}): rate or reopen it once "
            "it is resolved",
            current.value,
        )
    if reopen and not reopen_allowed(ticket, now, reopen_window):
        # Checked before anything changes: a refused reopening keeps no rating either.
        raise CitizenRefused(
            "reopen_window_passed",
            f"the reopening window of {reopen_window.days} days after resolution has passed",
            current.value,
        )
    follow_language(ticket, language, comment)
    if rating is not None:
        ticket.rating = rating
    if comment:
        ticket.feedback_comment = comment
    ticket.updated_at = now
    if not reopen:
        return add_event(
            session,
            ticket,
            CITIZEN,
            "feedback",
            current.value,
            current.value,
            f"rating {rating}: {comment or ''}".strip(),
            now,
        )
    ticket.status = next_status(current, Action.REOPEN).value
    ticket.escalation_level = min(MAX_LEVEL, ticket.escalation_level + 1)
    reason = (comment or "").strip()
    add_event(
        session,
        ticket,
        CITIZEN,
        Action.REOPEN.value,
        current.value,
        ticket.status,
        reason,
        now,
    )
    if reason:  # the officers' thread carries why the citizen reopened it
        session.add(TicketMessage(ticket_id=ticket.id, at=now, author="citizen", text=reason))
    due = deadlines(now, *sla_days)
    ticket.ack_due_at, ticket.resolve_due_at = due.ack_due_at, due.resolve_due_at
    ticket.resolved_at = None
    ticket.resolution = None
    routed = next_status(Status.REOPENED, Action.ROUTE).value
    event = add_event(
        session,
        ticket,
        SYSTEM_ROUTER,
        Action.ROUTE.value,
        ticket.status,
        routed,
        f"reopened, escalation level {ticket.escalation_level}",
        now,
    )
    ticket.status = routed
    notify_portal(session, ticket, event)
    notify_citizen(session, ticket, "reopened", event.id)
    notify_officers(session, ticket, "reopened", event.id, reason or "no reason given")
    return event
