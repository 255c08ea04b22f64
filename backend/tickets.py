"""The ticket service: lookup, audit events and officer actions and transitions (filing a new
grievance: ``backend/filing.py``; the citizen's messages, feedback and reopening:
``backend/citizen_actions.py``).

Every function works inside the caller's transaction, so a change, its audit events and its
notifications commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.models import (
    Department,
    Officer,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from backend.notifications import notify_citizen, notify_officers, notify_portal
from routing import ticket_number
from routing.lifecycle import Action, Status, next_status
from routing.sla import Deadlines, resumed_deadlines


class TicketNotFound(Exception):
    pass


class MistypedNumber(Exception):
    pass


class NotOwner(Exception):
    pass


class InvalidRequest(ValueError):
    """A request the caller can fix, refused with a message written for them (422). Any other
    ValueError reaching the API is a fault whose text is not shown (``backend.api.errors``)."""


class IdempotencyConflict(Exception):
    """The caller's idempotency key was used before for another request body (409): the key
    names one filing, so a changed grievance needs a new key."""


class CitizenRefused(Exception):
    """A message or feedback the ticket's state does not take (nothing changes), with a
    stable ``code`` for clients: ``ticket_final`` (rejected or closed), ``not_resolved``
    (feedback on an open ticket), ``reopen_window_passed`` (resolved too long ago)."""

    def __init__(self, code: str, message: str, status: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Actor:
    """Who did something: shown in the audit trail."""

    label: str  # citizen | officer:<id> | system:sla | import:<source>
    officer: Officer | None = None

    @classmethod
    def for_officer(cls, officer: Officer) -> Actor:
        return cls(f"officer:{officer.id}", officer)


CITIZEN = Actor("citizen")
SYSTEM_SLA = Actor("system:sla")
SYSTEM_ROUTER = Actor("system:router")


# What a form or a client writes for "no answer": a skipped question, a serialised None.
# Never the value of a required field (``TicketCreate``, the CPGRAMS import).
PLACEHOLDERS = frozenset(
    {"none", "null", "nil", "n/a", "na", "n.a.", "-", "--", "undefined", "skip", "nan"}
)
REQUIRED_FIELDS = (
    "name",
    "mobile",
    "enterprise_name",
    "state",
    "district",
    "category",
    "description",
)


def is_placeholder(value: object) -> bool:
    """True for None, an empty or blank string, or a placeholder word in any case."""
    if value is None:
        return True
    return isinstance(value, str) and value.strip().casefold() in PLACEHOLDERS | {""}


@dataclass
class NewTicket:
    channel: str
    channel_user_id: str
    name: str
    enterprise_name: str
    state: str
    district: str
    category: str
    description: str
    language: str = "en"
    mobile: str | None = None
    udyam_number: str | None = None
    idempotency_key: str | None = None
    external_source: str | None = None
    external_ref: str | None = None
    attachments: list[str] = field(default_factory=list)
    created_at: datetime | None = None


def parse_number(text: str) -> str:
    """The canonical number, or MistypedNumber before any lookup."""
    number = ticket_number.normalize(text)
    if number is None:
        raise MistypedNumber(text)
    return number


def get_ticket(session: Session, text: str, *, for_update: bool = False) -> Ticket:
    number = parse_number(text)
    query = select(Ticket).where(Ticket.number == number)
    if for_update:
        query = query.with_for_update(of=Ticket)
    ticket = session.scalars(query).first()
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


def scoped_key(data: NewTicket) -> str | None:
    """The stored form of an idempotency key: a hash of the caller's channel identity and the
    key, so one caller's key never finds (or reveals) another caller's ticket."""
    if not data.idempotency_key:
        return None
    scope = "\x00".join((data.channel, data.channel_user_id, data.idempotency_key))
    return hashlib.sha256(scope.encode()).hexdigest()


def request_digest(data: NewTicket) -> str:
    """A hash of what was asked (every field as validated): a replay must ask the same."""
    fields = {k: v for k, v in asdict(data).items() if k not in ("created_at",)}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def find_by_external_ref(session: Session, source: str, ref: str) -> Ticket | None:
    return session.scalars(
        select(Ticket).where(Ticket.external_source == source, Ticket.external_ref == ref)
    ).first()


def least_loaded_officer(session: Session, department_code: str) -> int | None:
    open_statuses = [
        s.value for s in Status if s not in (Status.RESOLVED, Status.CLOSED, Status.REJECTED)
    ]
    load = (
        select(func.count(Ticket.id))
        .where(Ticket.officer_id == Officer.id, Ticket.status.in_(open_statuses))
        .correlate(Officer)
        .scalar_subquery()
    )
    row = session.execute(
        select(Officer.id)
        .where(
            Officer.department_code == department_code,
            Officer.role == "officer",
            Officer.active.is_(True),
        )
        .order_by(load, Officer.id)
        .limit(1)
    ).first()
    return int(row[0]) if row else None


def add_event(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str,
    at: datetime,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        at=at,
        actor=actor.label,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    session.add(event)
    session.flush()
    return event


def apply_officer_action(
    session: Session,
    ticket: Ticket,
    action: Action,
    actor: Actor,
    now: datetime,
    *,
    note: str = "",
    department_code: str | None = None,
) -> TicketEvent:
    """Run one officer action through the state machine (InvalidTransition changes nothing)."""
    current = Status(ticket.status)
    target = next_status(current, action)
    kind: str | None = None
    if action == Action.ACKNOWLEDGE:
        ticket.acknowledged_at = now
        kind = "acknowledged"
    elif action == Action.REPLY:
        session.add(TicketMessage(ticket_id=ticket.id, at=now, author=actor.label, text=note))
        kind = "reply"
    elif action == Action.REQUEST_INFO:
        ticket.paused_at = now
        kind = "request_info"
    elif action == Action.TRANSFER:
        if not department_code or department_code == ticket.department_code:
            raise InvalidRequest("transfer needs another department")
        if session.get(Department, department_code) is None:
            raise InvalidRequest(f"unknown department {department_code}")
        ticket.department = session.get(Department, department_code)  # type: ignore[assignment]
        ticket.officer_id = least_loaded_officer(session, department_code)
        kind = "transferred"
    elif action == Action.RESOLVE:
        ticket.resolution = note
        ticket.resolved_at = now
        resume_clocks(ticket, now)
        kind = "resolved"
    elif action == Action.REJECT:
        ticket.rejection_reason = note
        resume_clocks(ticket, now)
        kind = "rejected"
    elif action == Action.CLOSE:
        ticket.closed_at = now
    ticket.status = target.value
    ticket.updated_at = now
    event_note = f"{department_code}: {note}" if action == Action.TRANSFER else note
    event = add_event(
        session, ticket, actor, action.value, current.value, target.value, event_note, now
    )
    if kind is not None:
        notify_citizen(session, ticket, kind, event.id, note)
        if action == Action.TRANSFER:
            notify_officers(session, ticket, "assigned", event.id)
    notify_portal(session, ticket, event)
    return event


def resume_clocks(ticket: Ticket, now: datetime) -> None:
    if ticket.paused_at is None:
        return
    resumed = resumed_deadlines(
        Deadlines(ticket.ack_due_at, ticket.resolve_due_at), now - ticket.paused_at
    )
    ticket.ack_due_at, ticket.resolve_due_at = resumed.ack_due_at, resumed.resolve_due_at
    ticket.paused_at = None


def officer_questions(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The latest request for information of each ticket (its event note), by ticket id."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.note)
        .where(
            TicketEvent.ticket_id.in_(ticket_ids),
            TicketEvent.action == Action.REQUEST_INFO.value,
        )
        .order_by(TicketEvent.id)
    )
    return {int(ticket_id): note for ticket_id, note in rows}  # the last one wins


def unanswered_replies(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """Each ticket whose latest message is an officer's reply (the citizen has not written
    since): that reply's text, by ticket id. The assistant sends the citizen's next message
    there, as it does with a request for information."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketMessage.ticket_id, TicketMessage.author, TicketMessage.text)
        .where(TicketMessage.ticket_id.in_(ticket_ids))
        .order_by(TicketMessage.id)
    )
    latest: dict[int, tuple[str, str]] = {}
    for ticket_id, author, text in rows:
        latest[int(ticket_id)] = (author, text)  # the last one wins
    return {tid: text for tid, (author, text) in latest.items() if author.startswith("officer")}
