"""Dashboard pages: sign-in, the queue, a ticket with its actions, leadership, analytics.

The pages call the admin API's own functions (queue query, visibility, actions), so scoping
and the state machine are exactly those of ``/admin/v1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import case, func, select

from backend.analytics import TABLES
from backend.api.deps import FactoryDep, NowDep, SettingsDep
from backend.api.errors import plain_reason
from backend.api.routes.admin_stats import cached_stats, csv_download, stats_scope
from backend.api.schemas import OfficerAction
from backend.auth import end_sessions, officer_for_token
from backend.clusters import Cluster, EmergingIssues
from backend.dashboard import charts
from backend.dashboard.session import (
    COOKIE,
    LIFETIME,
    LOGIN_COOKIE,
    csrf_ok,
    csrf_token,
    new_login_nonce,
    officer_for_cookie,
    session_cookie,
)
from backend.db import transaction
from backend.models import Department, Officer, Ticket
from backend.queue import (
    CLOSED,
    OFFICER_ACTIONS,
    OutOfScope,
    QueueFilters,
    UnknownAction,
    detail_view,
    load_queue,
    perform_action,
    queue_conditions,
    require_visible,
)
from backend.tickets import MistypedNumber, TicketNotFound, parse_number
from routing import sla
from routing.categories import CATEGORIES
from routing.lifecycle import InvalidTransition, Status
from routing.states import STATES
from routing.urgency import REASON_TITLES

HERE = Path(__file__).resolve().parent
STATIC_FILES = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
templates = Jinja2Templates(directory=str(HERE / "templates"))
# Reason codes of routing/urgency.py as officers read them.
templates.env.filters["urgency_reason"] = lambda code: REASON_TITLES.get(code, code)
templates.env.globals["sla_clock"] = lambda status: sla.running_clock(Status(status))

router = APIRouter(prefix="/dashboard", include_in_schema=False)

ACTION_LABELS = {
    "acknowledge": "Acknowledge",
    "reply": "Reply to the citizen",
    "request-info": "Request information",
    "transfer": "Transfer",
    "resolve": "Resolve",
    "reject": "Reject",
}


class SignInRequired(Exception):
    pass


def signed_in_officer(
    request: Request, factory: FactoryDep, settings: SettingsDep, now: NowDep
) -> Officer:
    """The officer of the session cookie; pages that need one take ``SignedInOfficer``, and
    without a valid cookie the app sends the browser to the sign-in page (``to_sign_in``)."""
    with factory() as session:
        officer = officer_for_cookie(
            session, settings.service_token, request.cookies.get(COOKIE), now
        )
        if officer is not None:
            session.expunge(officer)
    if officer is None:
        raise SignInRequired
    return officer


SignedInOfficer = Annotated[Officer, Depends(signed_in_officer)]


def to_sign_in(request: Request, _error: Exception) -> Response:
    """The app's handler for ``SignInRequired``: back to this page after signing in."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/dashboard/login?next={quote(target)}", status.HTTP_303_SEE_OTHER)


def _page(
    request: Request,
    template: str,
    settings: SettingsDep,
    officer: Officer | None,
    now: datetime,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    cookie = request.cookies.get(COOKIE, "")
    return templates.TemplateResponse(
        request,
        template,
        {
            "officer": officer,
            "csrf": csrf_token(settings.service_token, cookie) if officer else "",
            "now": now,
            "due": lambda moment: _due_text(moment, now),
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def _due_text(moment: datetime, now: datetime) -> str:
    seconds = (moment - now).total_seconds()
    days, rest = divmod(abs(int(seconds)), 86400)
    hours = rest // 3600
    span = f"{days}d {hours}h" if days else f"{hours}h {rest % 3600 // 60}m"
    return f"in {span}" if seconds >= 0 else f"{span} ago"


def _secure(request: Request, settings: SettingsDep) -> bool:
    return request.url.scheme == "https" or settings.public_base_url.startswith("https://")


def _csrf_or_403(request: Request, settings: SettingsDep, presented: str) -> None:
    if not csrf_ok(settings.service_token, request.cookies.get(COOKIE), presented):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the form expired; reload the page")


# --- sign-in -------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep, now: NowDep, next: str = "") -> Response:
    nonce = new_login_nonce()
    response = _page(request, "login.html", settings, None, now, nonce=nonce, next=next)
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=1800,
        httponly=True,
        samesite="strict",
        secure=_secure(request, settings),
        path="/dashboard",
    )
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
    token: Annotated[str, Form(max_length=200)] = "",
    nonce: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not nonce or expected != nonce:
        return _page(
            request,
            "login.html",
            settings,
            None,
            now,
            403,
            nonce=expected,
            next=next,
            error="The sign-in form expired. Please try again.",
        )
    with factory() as session:
        officer = officer_for_token(session, token.strip()) if token.strip() else None
        if officer is not None:
            session.expunge(officer)
    if officer is None:
        return _page(
            request,
            "login.html",
            settings,
            None,
            now,
            401,
            nonce=expected,
            next=next,
            error="That officer token is unknown or revoked.",
        )
    # Only go back to a page of the dashboard (no open redirect).
    target = next if next.startswith("/dashboard/") and "//" not in next else "/dashboard/"
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        COOKIE,
        session_cookie(settings.service_token, officer, now),
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/dashboard")
    return response


@router.post("/logout")
def logout(
    request: Request,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign out on the server, not only in this browser: a copied cookie stops working too
    (and so do the officer's sessions in other browsers; ``end_sessions``)."""
    _csrf_or_403(request, settings, csrf)
    with transaction(factory) as session:
        officer = officer_for_cookie(
            session, settings.service_token, request.cookies.get(COOKIE), now
        )
        if officer is not None:
            end_sessions(session, officer.id)
    response = RedirectResponse("/dashboard/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(COOKIE, path="/")
    return response


# --- queue ---------------------------------------------------------------------------------


def _flag(value: str | None) -> bool | None:
    return True if value in ("1", "true", "on", "yes") else None


@router.get("/", response_class=HTMLResponse)
def queue_page(
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    params = request.query_params
    number = params.get("q", "").strip()
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
    settings: SettingsDep,
    now: datetime,
    error: str | None = None,
) -> HTMLResponse:
    params = request.query_params
    status_text = params.get("status", "")
    show = params.get("show", "open")
    page = _page_number(params)
    status_value = Status(status_text) if status_text in Status.__members__.values() else None
    category = params.get("category", "")
    filters = QueueFilters(
        status=status_value,
        department=params.get("department") or None if officer.role == "leadership" else None,
        state=params.get("state") or None,
        category=category if category in CATEGORIES else None,
        overdue=_flag(params.get("overdue")),
        escalated=_flag(params.get("escalated")),
        open_only=status_value is None and show != "all",
    )
    with factory() as session:
        result = load_queue(session, officer, filters, now, page)
        departments = _departments(session) if officer.role == "leadership" else []
    query = {k: v for k, v in params.items() if k != "page" and v}
    return _page(
        request,
        "queue.html",
        settings,
        officer,
        now,
        200 if error is None else 422,
        result=result,
        filters=filters,
        show=show,
        params=params,
        error=error,
        statuses=[s.value for s in Status],
        categories=CATEGORIES,
        states=sorted(STATES),
        departments=departments,
        closed=CLOSED,
        prev_url=f"?{urlencode({**query, 'page': page - 1})}" if page > 1 else None,
        next_url=f"?{urlencode({**query, 'page': page + 1})}"
        if page * result.page_size < result.total
        else None,
    )


def _departments(session: Any) -> list[tuple[str, str]]:
    return [
        (d.code, d.name)
        for d in session.scalars(
            select(Department).where(Department.active.is_(True)).order_by(Department.code)
        )
    ]


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
    settings: SettingsDep,
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
        return _page(request, "error.html", settings, officer, now, 404, message=text)
    except OutOfScope:
        return _page(
            request,
            "error.html",
            settings,
            officer,
            now,
            403,
            message="This ticket belongs to another department. The attempt was recorded.",
        )
    with factory() as session:
        view = detail_view(session, number)
        duplicates = session.scalars(
            select(Ticket.number).where(
                Ticket.duplicate_of_id
                == select(Ticket.id).where(Ticket.number == view.number).scalar_subquery()
            )
        ).all()
        departments = _departments(session)
    timeline = sorted(
        [("event", e.at, e) for e in view.events] + [("message", m.at, m) for m in view.messages],
        key=lambda item: item[1],
    )
    return _page(
        request,
        "ticket.html",
        settings,
        officer,
        now,
        status_code,
        ticket=view,
        timeline=timeline,
        duplicates=duplicates,
        departments=departments,
        actions=[a for a in view.allowed_actions if a in OFFICER_ACTIONS],
        labels=ACTION_LABELS,
        done=ACTION_LABELS.get(done or ""),
        error=error,
        form=form or {},
        overdue=sla.is_overdue(Status(view.status), view.ack_due_at, view.resolve_due_at, now),
    )


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
    _csrf_or_403(request, settings, csrf)
    form = {"action": action, "note": note, "department": department}
    try:
        body = OfficerAction(note=note, department=department or None)
        perform_action(factory, officer, number, action, body, now)
    except ValidationError as invalid:
        message = "; ".join(str(e["msg"]) for e in invalid.errors())
        return _ticket(
            request,
            officer,
            factory,
            settings,
            now,
            number,
            error=message,
            status_code=422,
            form=form,
        )
    except InvalidTransition as refused:
        return _ticket(
            request,
            officer,
            factory,
            settings,
            now,
            number,
            error=str(refused),
            status_code=409,
            form=form,
        )
    except OutOfScope:  # recorded once, by the action
        return _page(
            request,
            "error.html",
            settings,
            officer,
            now,
            403,
            message="This ticket belongs to another department. The attempt was recorded.",
        )
    except UnknownAction as unknown:
        return _ticket(
            request, officer, factory, settings, now, number, error=str(unknown),
            status_code=404, form=form,
        )  # fmt: skip
    except (LookupError, ValueError) as wrong:
        return _ticket(
            request,
            officer,
            factory,
            settings,
            now,
            number,
            error=plain_reason(wrong),
            status_code=422,
            form=form,
        )
    canonical = parse_number(number)
    return RedirectResponse(
        f"/dashboard/tickets/{canonical}?done={quote(action)}", status.HTTP_303_SEE_OTHER
    )


def _page_number(params: Mapping[str, str]) -> int:
    """The requested page, bounded like the admin API's (1..100,000); 1 when unreadable."""
    try:
        return max(1, min(100_000, int(params.get("page", "1"))))
    except ValueError:
        return 1


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
    page = _page_number(request.query_params)
    filters = QueueFilters(needs_attention=True)
    with factory() as session:
        result = load_queue(session, officer, filters, now, page)
        conditions = queue_conditions(officer, filters, now)
        by_department = session.execute(
            select(
                Ticket.department_code,
                func.count(),
                func.sum(case((Ticket.escalation_level >= 3, 1), else_=0)),
            )
            .where(*conditions)
            .group_by(Ticket.department_code)
            .order_by(func.count().desc())
            .limit(30)
        ).all()
    return _page(
        request,
        "leadership.html",
        settings,
        officer,
        now,
        result=result,
        by_department=[(code, int(n), int(top or 0)) for code, n, top in by_department],
        closed=CLOSED,
        prev_url=f"?page={page - 1}" if page > 1 else None,
        next_url=f"?page={page + 1}" if page * result.page_size < result.total else None,
    )


# --- analytics -----------------------------------------------------------------------------


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    requested = request.query_params.get("department") or None
    try:
        scope = stats_scope(officer, requested)
    except HTTPException as refused:
        message = (
            "You can see your own department's figures only."
            if refused.status_code == status.HTTP_403_FORBIDDEN
            else "There is no department with that code."
        )
        return _page(
            request, "error.html", settings, officer, now, refused.status_code, message=message
        )
    stats = cached_stats(request, factory, now, scope)
    with factory() as session:
        departments = _departments(session) if officer.role == "leadership" else []
    clusters = emerging_issues(request, officer, factory, settings, now, scope)
    return _page(
        request,
        "analytics.html",
        settings,
        officer,
        now,
        stats=stats,
        scope=scope,
        departments=departments,
        charts=_charts(stats),
        heatmap=_heatmap(stats.tables["by_state_category"].rows),
        clusters=clusters,
        csv_query=f"?department={quote(scope)}" if scope and officer.role == "leadership" else "",
    )


def emerging_issues(
    request: Request,
    officer: Officer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: datetime,
    scope: str | None,
) -> list[Cluster] | None:
    """Clusters for leadership when the embedding model may be loaded; None otherwise."""
    if officer.role != "leadership" or not settings.load_embedding_model:
        return None
    state = request.app.state
    service: EmergingIssues | None = getattr(state, "emerging_issues", None)
    if service is None:
        from backend.embeddings import get_encoder

        service = EmergingIssues(factory, get_encoder().encode)
        state.emerging_issues = service
    return service.clusters(now, scope)


def _heatmap(rows: list[list[Any]]) -> dict[str, Any]:
    states = sorted({r[0] for r in rows})
    categories = [c for c in CATEGORIES if any(r[1] == c for r in rows)]
    cells = {(r[0], r[1]): int(r[2]) for r in rows}
    top = max(cells.values(), default=0)
    return {
        "states": states,
        "categories": categories,
        "cell": lambda s, c: cells.get((s, c), 0),
        "css_class": lambda n: charts.heat(n, top),
    }


def _charts(stats: Any) -> dict[str, Any]:
    tables = stats.tables
    by_dept: dict[str, dict[str, float]] = {}
    for code, state, n in tables["by_department_status"].rows:
        by_dept.setdefault(code, {})[state] = n
    busiest = sorted(by_dept.items(), key=lambda item: -sum(item[1].values()))[:15]
    statuses = [s.value for s in Status if any(s.value in parts for _, parts in busiest)]
    months: dict[str, list[int]] = {}
    for _code, month, ack_n, ack_ok, _ar, end_n, end_ok, _er in tables[
        "sla_by_department_month"
    ].rows:
        sums = months.setdefault(month, [0, 0, 0, 0])
        sums[0] += ack_n
        sums[1] += ack_ok
        sums[2] += end_n
        sums[3] += end_ok
    labels = sorted(months)[-24:]
    resolution = tables["resolution_by_month"].rows[-24:]
    return {
        "by_department": charts.stacked_bars(
            busiest, statuses, title="Tickets by department and status (15 busiest)"
        ),
        "sla": charts.columns(
            labels,
            [
                (
                    "attended in 3 days",
                    [months[m][1] / months[m][0] if months[m][0] else None for m in labels],
                ),
                (
                    "concluded in 7 days",
                    [months[m][3] / months[m][2] if months[m][2] else None for m in labels],
                ),
            ],
            title="SLA compliance by month of filing",
        ),
        "resolution": charts.columns(
            [r[0] for r in resolution],
            [("resolution rate", [r[5] for r in resolution])],
            title="Resolution rate by month of filing",
        ),
        "backlog": charts.bars(
            [(r[0], r[1]) for r in tables["backlog_ageing"].rows], title="Open tickets by age"
        ),
    }


@router.get("/analytics/{table}.csv")
def analytics_csv(
    table: str,
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    if table not in TABLES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown table")
    scope = stats_scope(officer, request.query_params.get("department") or None)
    return csv_download(table, cached_stats(request, factory, now, scope).tables[table], scope, now)


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
