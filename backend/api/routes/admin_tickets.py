"""Admin API for officers: the queue, a ticket's whole story, and the actions on it (thin:
the rules and checks live in ``backend/queue.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.api.deps import FactoryDep, NowDep, OfficerDep
from backend.api.schemas import AdminTicketPage, AdminTicketView, OfficerAction
from backend.queue import QueueFilters, detail_view, load_queue, perform_action, require_visible
from routing.lifecycle import Status

router = APIRouter(prefix="/admin/v1/tickets", tags=["admin: tickets"])


@router.get("", response_model=AdminTicketPage)
def queue(
    officer: OfficerDep,
    factory: FactoryDep,
    now: NowDep,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    state: Annotated[str | None, Query(max_length=60)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    overdue: bool | None = None,
    escalated: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> AdminTicketPage:
    filters = QueueFilters(
        status=status_,
        department=department,
        state=state,
        category=category,
        overdue=overdue,
        escalated=escalated,
    )
    with factory() as session:
        return load_queue(session, officer, filters, now, page)


@router.get("/{number}", response_model=AdminTicketView)
def ticket_detail(
    number: str, officer: OfficerDep, factory: FactoryDep, now: NowDep
) -> AdminTicketView:
    require_visible(factory, officer, number, now)
    with factory() as session:
        return detail_view(session, number)


@router.post("/{number}/{action}", response_model=AdminTicketView)
def act(
    number: str,
    action: str,
    body: OfficerAction,
    officer: OfficerDep,
    factory: FactoryDep,
    now: NowDep,
) -> AdminTicketView:
    perform_action(factory, officer, number, action, body, now)
    with factory() as session:
        return detail_view(session, number)
