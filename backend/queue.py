"""The officers' queue: what an officer may list and see, a ticket's whole story, and the
actions on it with their checks. The admin API (``backend/api/routes/admin_tickets.py``) and
the dashboard both work through it; its refusals are domain errors, answered in one place
(``backend/api/app.py``: ``OutOfScope`` 403, ``UnknownAction`` 404, ``InvalidRequest`` 422)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from backend.api.routes.tickets import owner_view
from backend.api.schemas import (
    AdminTicketPage,
    AdminTicketSummary,
    AdminTicketView,
    EventView,
    MessageView,
    OfficerAction,
    UrgencyView,
)
from backend.auth import can_act, can_see, visible_department
from backend.escalation import overdue_clause, status_in
from backend.models import Officer, Ticket
from backend.tickets import Actor, InvalidRequest, add_event, apply_officer_action, get_ticket
from routing import sla
from routing.lifecycle import Action, Status, allowed_actions

PAGE_SIZE = 50


class OutOfScope(Exception):
    """An officer asked for what their role and department do not cover (403)."""


class UnknownAction(LookupError):
    """No officer action of that name (404)."""


CLOSED = [Status.RESOLVED.value, Status.CLOSED.value, Status.REJECTED.value]


# Listed positively (not as NOT IN): an IN list lets the database use the indexes that lead
# with status, or (department, status, due), instead of reading every concluded ticket.
OPEN = [s.value for s in Status if s.value not in CLOSED]


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    return sla.is_overdue(Status(ticket.status), ticket.ack_due_at, ticket.resolve_due_at, now)


@dataclass(frozen=True)
class QueueFilters:
    """What an officer narrows the queue to (the admin API's query and the dashboard's form)."""

    status: Status | None = None
    department: str | None = None
    state: str | None = None
    category: str | None = None
    overdue: bool | None = None
    escalated: bool | None = None
    open_only: bool = False  # hide resolved, closed and rejected tickets
    needs_attention: bool = False  # escalated to a head or leadership, or overdue


def queue_conditions(officer: Officer, filters: QueueFilters, now: datetime) -> list[Any]:
    """The WHERE clause of an officer's queue; OutOfScope for another department's."""
    scope = visible_department(officer)
    department = filters.department
    if department and scope and department != scope:
        raise OutOfScope(f"you can list department {scope} only")
    conditions: list[Any] = []
    if scope or department:
        conditions.append(Ticket.department_code == (department or scope))
    if filters.status:
        conditions.append(Ticket.status == filters.status.value)
    if filters.state:
        conditions.append(Ticket.state == filters.state)
    if filters.category:
        conditions.append(Ticket.category == filters.category)
    if filters.overdue is True:
        conditions.append(overdue_clause(now))
    if filters.escalated is True:
        conditions.append(Ticket.escalation_level >= 2)
    if filters.open_only or filters.needs_attention:
        conditions.append(status_in(OPEN))
    if filters.needs_attention:
        conditions.append(or_(Ticket.escalation_level >= 2, overdue_clause(now)))
    return conditions


# Critical first, then high (routing/urgency.py), then the rest.
URGENCY_RANK = case({"critical": 0, "high": 1}, value=Ticket.urgency, else_=2)


def summary(ticket: Ticket, now: datetime) -> AdminTicketSummary:
    return AdminTicketSummary(
        number=ticket.number,
        status=ticket.status,
        department={"code": ticket.department.code, "name": ticket.department.name},
        escalation_level=ticket.escalation_level,
        ack_due_at=ticket.ack_due_at,
        resolve_due_at=ticket.resolve_due_at,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        state=ticket.state,
        district=ticket.district,
        category=ticket.category,
        enterprise_name=ticket.enterprise_name,
        officer_id=ticket.officer_id,
        overdue=is_overdue(ticket, now),
        urgency=ticket.urgency,
    )


def load_queue(
    session: Session,
    officer: Officer,
    filters: QueueFilters,
    now: datetime,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AdminTicketPage:
    """One page of the queue: critical, then high urgency, then the rest; within each the
    earliest resolution due first."""
    conditions = queue_conditions(officer, filters, now)
    # count(*), not count(id): the open-ticket indexes then answer without reading the table.
    total = session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0
    # The page's ids first (an index-only scan of the open-ticket indexes), then its rows.
    ids = session.scalars(
        select(Ticket.id)
        .where(*conditions)
        .order_by(URGENCY_RANK, Ticket.resolve_due_at, Ticket.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    rows = session.scalars(
        select(Ticket)
        .where(Ticket.id.in_(ids))
        .order_by(URGENCY_RANK, Ticket.resolve_due_at, Ticket.id)
    ).all()
    return AdminTicketPage(
        tickets=[summary(t, now) for t in rows], page=page, page_size=page_size, total=total
    )


def _refuse(
    factory: sessionmaker[Session], number: str, officer: Officer, what: str, now: datetime
) -> None:
    """Record the refused attempt in the audit trail, then refuse (OutOfScope)."""
    with factory() as session, session.begin():
        ticket = get_ticket(session, number)
        add_event(
            session,
            ticket,
            Actor.for_officer(officer),
            "denied",
            ticket.status,
            ticket.status,
            f"{what} refused: outside {officer.role} scope of {officer.department_code}",
            now,
        )
    raise OutOfScope("this ticket belongs to another department")


def detail_view(session: Session, number: str) -> AdminTicketView:
    ticket = session.scalars(
        select(Ticket)
        .where(Ticket.number == get_ticket(session, number).number)
        .options(selectinload(Ticket.events), selectinload(Ticket.messages))
    ).one()
    duplicate_of = (
        session.scalar(select(Ticket.number).where(Ticket.id == ticket.duplicate_of_id))
        if ticket.duplicate_of_id
        else None
    )
    requests = [e.note for e in ticket.events if e.action == Action.REQUEST_INFO.value]
    return AdminTicketView(
        **owner_view(ticket, officer_question=requests[-1] if requests else None).model_dump(),
        channel=ticket.channel,
        channel_user_id=ticket.channel_user_id,
        officer_id=ticket.officer_id,
        route_confidence=ticket.route_confidence,
        route_reason=ticket.route_reason,
        urgency=UrgencyView.of(ticket.urgency, ticket.urgency_reasons),
        external_source=ticket.external_source,
        external_ref=ticket.external_ref,
        attachments=list(ticket.attachments or []),
        duplicate_of=duplicate_of,
        allowed_actions=[a for a in allowed_actions(Status(ticket.status)) if a in OFFICER_ACTIONS],
        events=[EventView.model_validate(e, from_attributes=True) for e in ticket.events],
        messages=[MessageView.model_validate(m, from_attributes=True) for m in ticket.messages],
    )


def require_visible(
    factory: sessionmaker[Session], officer: Officer, number: str, now: datetime
) -> None:
    """OutOfScope (and a 'denied' event in the audit trail) unless the officer may see the
    ticket."""
    with factory() as session:
        ticket = get_ticket(session, number)
        allowed = can_see(officer, ticket)
    if not allowed:
        _refuse(factory, number, officer, "view", now)


OFFICER_ACTIONS = {
    "acknowledge": Action.ACKNOWLEDGE,
    "reply": Action.REPLY,
    "request-info": Action.REQUEST_INFO,
    "transfer": Action.TRANSFER,
    "resolve": Action.RESOLVE,
    "reject": Action.REJECT,
}
NEEDS_NOTE = {"reply", "request-info", "transfer", "resolve", "reject"}


def perform_action(
    factory: sessionmaker[Session],
    officer: Officer,
    number: str,
    action: str,
    body: OfficerAction,
    now: datetime,
) -> None:
    """Check and run one officer action: UnknownAction, InvalidRequest for a missing note or
    department, OutOfScope for another department's ticket, InvalidTransition (changing
    nothing) when the ticket's status does not allow it."""
    if action not in OFFICER_ACTIONS:
        raise UnknownAction(f"unknown action; one of: {', '.join(OFFICER_ACTIONS)}")
    if action in NEEDS_NOTE and not body.note.strip():
        what = "a reason" if action in ("transfer", "reject") else "a text"
        raise InvalidRequest(f"{action} needs {what} in 'note'")
    if action == "transfer" and not body.department:
        raise InvalidRequest("transfer needs the target 'department' code")
    with factory() as session, session.begin():
        ticket = get_ticket(session, number, for_update=True)
        if not can_act(officer, ticket):
            allowed = False
        else:
            allowed = True
            apply_officer_action(
                session,
                ticket,
                OFFICER_ACTIONS[action],
                Actor.for_officer(officer),
                now,
                note=body.note,
                department_code=body.department,
            )
    if not allowed:
        _refuse(factory, number, officer, action, now)
