"""Dashboard pages: the queue, a ticket with its actions, leadership, analytics, the pulse (thin:
what a page shows is ``views.py`` and ``pulse_view.py``, rendering ``pages.py``, signing in
``signin.py``, CSV ``export.py``).

The pages call the admin API's own functions (queue query, visibility, actions), so scoping
and the state machine are exactly those of ``/admin/v1``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from backend.api.deps import FactoryDep, NowDep, SettingsDep, StatsCacheDep
from backend.api.errors import plain_reason
from backend.api.schemas import OfficerAction
from backend.dashboard import export, pulse_view, signin, views
from backend.dashboard.pages import HERE, OUT_OF_SCOPE, error_page, render
from backend.dashboard.signin import SignedInOfficer, require_csrf
from backend.models import Officer
from backend.pulse_figures import WINDOWS
from backend.queue import (
    CLOSED,
    OutOfScope,
    QueueFilters,
    UnknownAction,
    load_queue,
    perform_action,
    require_visible,
)
from backend.stats_scope import DepartmentOutOfScope, UnknownDepartment, stats_scope
from backend.tickets import InvalidRequest, MistypedNumber, TicketNotFound, parse_number
from core.config import Settings
from routing.categories import CATEGORIES
from routing.lifecycle import InvalidTransition, Status
from routing.states import STATES

STATIC_FILES = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}

router = APIRouter(prefix="/dashboard", include_in_schema=False)
router.include_router(signin.router)


# --- queue ---------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    number = request.query_params.get("q", "").strip()
    if number:
        try:
            canonical = parse_number(number)
        except MistypedNumber:
            return _queue(
                request,
                officer,
                factory,
                settings,
                now,
                error=(
                    f"{number!r} is not a valid ticket number (its check character does not match)."
                ),
            )
        return RedirectResponse(f"/dashboard/tickets/{canonical}", status.HTTP_303_SEE_OTHER)
    return _queue(request, officer, factory, settings, now)


def _queue(
    request: Request,
    officer: Officer,
    factory: FactoryDep,
    settings: Settings,
    now: datetime,
    error: str | None = None,
) -> HTMLResponse:
    params = request.query_params
    page = views.page_number(params)
    filters = views.queue_filters(params, officer)
    with factory() as session:
        result = load_queue(session, officer, filters, now, page)
        departments = views.departments(session) if officer.role == "leadership" else []
    links = views.page_links(params, page, result)
    return render(
        request,
        "queue.html",
        settings,
        officer,
        now,
        200 if error is None else 422,
        result=result,
        filters=filters,
        show=params.get("show", "open"),
        params=params,
        error=error,
        statuses=[s.value for s in Status],
        categories=CATEGORIES,
        states=sorted(STATES),
        departments=departments,
        closed=CLOSED,
        prev_url=links.prev_url,
        next_url=links.next_url,
    )


# --- one ticket ----------------------------------------------------------------------------


@router.get("/tickets/{number}", response_class=HTMLResponse)
def ticket_page(
    number: str,
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    done = request.query_params.get("done")
    return _ticket(request, officer, factory, settings, now, number, done=done)


def _ticket(
    request: Request,
    officer: Officer,
    factory: FactoryDep,
    settings: Settings,
    now: datetime,
    number: str,
    *,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    try:
        require_visible(factory, officer, number, now)
    except (MistypedNumber, TicketNotFound) as missing:
        text = (
            "That ticket number looks mistyped."
            if isinstance(missing, MistypedNumber)
            else f"There is no ticket {missing.args[0]}."
        )
        return error_page(request, settings, officer, now, 404, text)
    except OutOfScope:
        return error_page(request, settings, officer, now, 403, OUT_OF_SCOPE)
    with factory() as session:
        shown = views.ticket_view(session, number, now)
    return render(
        request,
        "ticket.html",
        settings,
        officer,
        now,
        status_code,
        labels=views.ACTION_LABELS,
        done=views.ACTION_LABELS.get(done or ""),
        error=error,
        form=form or {},
        **shown,
    )


def _action_refusal(refused: Exception) -> tuple[int, str]:
    """The status and the sentence for an action the ticket page shows refused, in one place."""
    if isinstance(refused, ValidationError):
        return 422, "; ".join(str(e["msg"]) for e in refused.errors())
    if isinstance(refused, InvalidTransition):
        return 409, str(refused)
    if isinstance(refused, UnknownAction):
        return 404, str(refused)
    return 422, plain_reason(refused)


@router.post("/tickets/{number}/{action}", response_class=HTMLResponse)
def ticket_action(
    number: str,
    action: str,
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form()] = "",
    department: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    require_csrf(request, settings, csrf)
    form = {"action": action, "note": note, "department": department}
    try:
        body = OfficerAction(note=note, department=department or None)
        perform_action(factory, officer, number, action, body, now)
    except OutOfScope:  # recorded once, by the action
        return error_page(request, settings, officer, now, 403, OUT_OF_SCOPE)
    except (ValidationError, InvalidTransition, LookupError, ValueError) as refused:
        status_code, message = _action_refusal(refused)
        return _ticket(
            request,
            officer,
            factory,
            settings,
            now,
            number,
            error=message,
            status_code=status_code,
            form=form,
        )
    canonical = parse_number(number)
    return RedirectResponse(
        f"/dashboard/tickets/{canonical}?done={quote(action)}", status.HTTP_303_SEE_OTHER
    )


# --- leadership ----------------------------------------------------------------------------


@router.get("/leadership", response_class=HTMLResponse)
def leadership_page(
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Everything escalated or overdue (across departments for leadership, own for others)."""
    page = views.page_number(request.query_params)
    filters = QueueFilters(needs_attention=True)
    with factory() as session:
        result = load_queue(session, officer, filters, now, page)
        by_department = views.attention_by_department(session, officer, filters, now)
    links = views.page_links({}, page, result)
    return render(
        request,
        "leadership.html",
        settings,
        officer,
        now,
        result=result,
        by_department=by_department,
        closed=CLOSED,
        prev_url=links.prev_url,
        next_url=links.next_url,
    )


# --- analytics -----------------------------------------------------------------------------


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    cache: StatsCacheDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    requested = request.query_params.get("department") or None
    try:
        scope = stats_scope(officer, requested)
    except (UnknownDepartment, DepartmentOutOfScope) as refused:
        status_code, message = views.scope_refusal(refused)
        return error_page(request, settings, officer, now, status_code, message)
    stats = cache.get(now, scope)
    with factory() as session:
        departments = views.departments(session) if officer.role == "leadership" else []
    clusters = views.emerging_issues(request, officer, factory, settings, now, scope)
    return render(
        request,
        "analytics.html",
        settings,
        officer,
        now,
        stats=stats,
        scope=scope,
        departments=departments,
        charts=views.analytics_charts(stats),
        heatmap=views.heatmap(stats.tables["by_state_category"].rows),
        clusters=clusters,
        csv_query=f"?department={quote(scope)}" if scope and officer.role == "leadership" else "",
    )


# --- the pulse of the sector (issue 16) ----------------------------------------------------


@router.get("/pulse", response_class=HTMLResponse)
def pulse_page(
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Public posts about MSMEs beside the grievances filed: leadership only (others 403)."""
    if not pulse_view.may_see_pulse(officer):
        return error_page(request, settings, officer, now, 403, pulse_view.ONLY_LEADERSHIP)
    try:
        query = pulse_view.pulse_query(request.query_params)
    except InvalidRequest as refused:
        return error_page(request, settings, officer, now, 422, plain_reason(refused))
    page = pulse_view.pulse_page(request, factory, settings, now, query)
    return render(
        request,
        "pulse.html",
        settings,
        officer,
        now,
        page=page,
        q=query,
        charts=pulse_view.pulse_charts(page),
        windows=WINDOWS,
        categories=CATEGORIES,
        states=sorted(STATES),
        csv_query=query.link(shade=None),
    )


router.include_router(export.router)


# --- static files --------------------------------------------------------------------------


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    if name not in STATIC_FILES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such file")
    return FileResponse(
        HERE / "static" / name,
        media_type=STATIC_FILES[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )
