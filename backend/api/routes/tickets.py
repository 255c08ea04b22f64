"""Service API for the action server: file tickets, ask their status, write on them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from backend.api.deps import (
    FactoryDep,
    GroupCommitDep,
    NowDep,
    ReaderDep,
    SettingsDep,
    TriageDep,
)
from backend.api.schemas import (
    Channel,
    CitizenMessage,
    DepartmentView,
    Feedback,
    TicketCreate,
    TicketCreated,
    TicketList,
    TicketOwnerView,
    TicketPublicView,
    TicketStatusView,
    TicketSummary,
    UrgencyView,
)
from backend.citizen_actions import add_citizen_message, give_feedback, is_owner, reopen_allowed
from backend.filing import filing_unit, route_filing, ticket_for
from backend.models import Ticket, TicketMessage
from backend.tickets import NewTicket, get_ticket, officer_questions, unanswered_replies
from routing.lifecycle import Status

# Where an officer's reply can still get an answer from the citizen.
_IN_WORK = frozenset(
    {Status.ROUTED.value, Status.ACKNOWLEDGED.value, Status.IN_PROGRESS.value,
     Status.REOPENED.value}
)  # fmt: skip

router = APIRouter(prefix="/api/v1/tickets", tags=["service: tickets"])


def public_view(ticket: Ticket) -> TicketPublicView:
    return TicketPublicView(
        number=ticket.number, status=ticket.status, department=DepartmentView.of(ticket.department)
    )


def status_view(ticket: Ticket) -> TicketStatusView:
    return TicketStatusView(
        **public_view(ticket).model_dump(exclude={"is_owner"}),
        is_owner=True,
        escalation_level=ticket.escalation_level,
        ack_due_at=ticket.ack_due_at,
        resolve_due_at=ticket.resolve_due_at,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
    )


def owner_view(
    ticket: Ticket,
    last_reply: str | None = None,
    *,
    officer_question: str | None = None,
    reopen_allowed: bool = False,
) -> TicketOwnerView:
    awaiting = ticket.status == Status.AWAITING_INFO.value
    concluded = ticket.status in (Status.RESOLVED.value, Status.CLOSED.value)
    return TicketOwnerView(
        **status_view(ticket).model_dump(),
        name=ticket.name,
        mobile=ticket.mobile,
        enterprise_name=ticket.enterprise_name,
        udyam_number=ticket.udyam_number,
        state=ticket.state,
        district=ticket.district,
        category=ticket.category,
        description=ticket.description,
        language=ticket.language,
        resolution=ticket.resolution if concluded else None,
        rejection_reason=(
            ticket.rejection_reason if ticket.status == Status.REJECTED.value else None
        ),
        rating=ticket.rating,
        last_reply=last_reply,
        officer_question=officer_question if awaiting else None,
        reopen_allowed=reopen_allowed,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketCreated,
    responses={200: {"model": TicketCreated, "description": "replayed idempotency key"}},
)
async def file_ticket(
    body: TicketCreate,
    writer: GroupCommitDep,
    reader: ReaderDep,
    triage: TriageDep,
    now: NowDep,
) -> Response:
    """File a grievance: routed here, written by the group-commit writer with the filings that
    arrive meanwhile, answered once its transaction has committed."""
    data = NewTicket(**body.model_dump())
    if triage.uses_classifier:
        # Encoding the text is CPU work (milliseconds): off the event loop.
        routed = await run_in_threadpool(route_filing, data, triage, now)
    else:
        routed = route_filing(data, triage, now)
    filed = await asyncio.wrap_future(writer.submit(filing_unit(routed)))
    if filed.created:
        ticket = ticket_for(reader, filed)
    else:
        ticket = await run_in_threadpool(ticket_for, reader, filed)
    answer = TicketCreated(
        number=ticket.number,
        status=ticket.status,
        department=DepartmentView.of(ticket.department),
        ack_due_at=ticket.ack_due_at,
        resolve_due_at=ticket.resolve_due_at,
        duplicate_of=filed.duplicate_of,
        urgency=UrgencyView.of(ticket.urgency, ticket.urgency_reasons),
    )
    # A Response as is: FastAPI would otherwise validate and encode the model a second time.
    return Response(
        answer.model_dump_json(),
        status_code=status.HTTP_201_CREATED if filed.created else status.HTTP_200_OK,
        media_type="application/json",
    )


@router.get("", response_model=TicketList)
def my_tickets(
    factory: ReaderDep,
    channel: Annotated[Channel, Query()],
    channel_user_id: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> TicketList:
    """The caller's tickets, newest first (index ix_tickets_owner), each awaiting ticket with
    the officer's question (one more query for all of them)."""
    with factory() as session:
        tickets = session.scalars(
            select(Ticket)
            .where(Ticket.channel == channel, Ticket.channel_user_id == channel_user_id)
            .order_by(Ticket.created_at.desc(), Ticket.id.desc())
            .limit(limit)
        ).all()
        awaiting = [t.id for t in tickets if t.status == Status.AWAITING_INFO.value]
        questions = officer_questions(session, awaiting)
        in_work = [t.id for t in tickets if t.status in _IN_WORK]
        replies = unanswered_replies(session, in_work)
        return TicketList(
            tickets=[
                TicketSummary(
                    **status_view(t).model_dump(),
                    category=t.category,
                    officer_question=questions.get(t.id),
                    officer_reply_unanswered=replies.get(t.id),
                )
                for t in tickets
            ]
        )


@router.get("/{number}", response_model=TicketOwnerView | TicketPublicView)
def ticket_status(
    number: str,
    factory: ReaderDep,
    now: NowDep,
    settings: SettingsDep,
    channel: Annotated[Channel | None, Query()] = None,
    channel_user_id: Annotated[str | None, Query(max_length=64)] = None,
) -> TicketOwnerView | TicketPublicView:
    """Number, status and department for anyone; for the owner, the ticket with what the
    officer asked or decided and whether it may still be reopened."""
    with factory() as session:
        ticket = get_ticket(session, number)
        if not is_owner(ticket, channel, channel_user_id):
            return public_view(ticket)
        last_reply = session.scalars(
            select(TicketMessage.text)
            .where(TicketMessage.ticket_id == ticket.id, TicketMessage.author != "citizen")
            .order_by(TicketMessage.id.desc())
            .limit(1)
        ).first()
        question = None
        if ticket.status == Status.AWAITING_INFO.value:
            question = officer_questions(session, [ticket.id]).get(ticket.id)
        return owner_view(
            ticket,
            last_reply,
            officer_question=question,
            reopen_allowed=reopen_allowed(ticket, now, timedelta(days=settings.reopen_window_days)),
        )


@router.post(
    "/{number}/messages", status_code=status.HTTP_201_CREATED, response_model=TicketStatusView
)
async def write_on_ticket(
    number: str, body: CitizenMessage, factory: FactoryDep, now: NowDep, triage: TriageDep
) -> TicketStatusView:
    # Reading the message's urgency is CPU work (milliseconds): off the event loop.
    urgency = await run_in_threadpool(triage.urgency, body.text)

    def write() -> TicketStatusView:
        with factory() as session, session.begin():
            ticket = get_ticket(session, number, for_update=True)
            add_citizen_message(
                session,
                ticket,
                body.channel,
                body.channel_user_id,
                body.text,
                now,
                body.language,
                urgency=urgency,
                critical_ack_hours=triage.directory.critical_ack_hours,
            )
            return status_view(ticket)

    return await run_in_threadpool(write)


@router.post("/{number}/feedback", response_model=TicketStatusView)
def rate_or_reopen(
    number: str,
    body: Feedback,
    factory: FactoryDep,
    now: NowDep,
    settings: SettingsDep,
    triage: TriageDep,
) -> TicketStatusView:
    if body.rating is None and not body.reopen:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "give a rating (1-5), or reopen: true"
        )
    with factory() as session, session.begin():
        ticket = get_ticket(session, number, for_update=True)
        give_feedback(
            session,
            ticket,
            body.channel,
            body.channel_user_id,
            body.rating,
            body.comment,
            body.reopen,
            now,
            timedelta(days=settings.reopen_window_days),
            triage.sla_for(ticket.category),
            body.language,
        )
        return status_view(ticket)
