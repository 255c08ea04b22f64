"""What the dashboard's pages show, read from the request and the database: the queue's
filters and paging, a ticket with its timeline, leadership's counts, the analytics charts.
No HTTP here beyond reading the query string; ``routes.py`` renders the pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.analytics import Stats
from backend.api.schemas import AdminTicketPage
from backend.clusters import Cluster, EmergingIssues, Grievance, recent_grievances
from backend.dashboard import charts
from backend.models import Department, Officer, Ticket
from backend.queue import OFFICER_ACTIONS, QueueFilters, detail_view, queue_conditions
from backend.stats_scope import DepartmentOutOfScope, UnknownDepartment
from core.config import Settings
from routing import sla
from routing.categories import CATEGORIES
from routing.lifecycle import Status

ACTION_LABELS = {
    "acknowledge": "Acknowledge",
    "reply": "Reply to the citizen",
    "request-info": "Request information",
    "transfer": "Transfer",
    "resolve": "Resolve",
    "reject": "Reject",
}


# --- the queue -----------------------------------------------------------------------------


def page_number(params: Mapping[str, str]) -> int:
    """The requested page, bounded like the admin API's (1..100,000); 1 when unreadable."""
    try:
        return max(1, min(100_000, int(params.get("page", "1"))))
    except ValueError:
        return 1


def _flag(value: str | None) -> bool | None:
    return True if value in ("1", "true", "on", "yes") else None


def queue_filters(params: Mapping[str, str], officer: Officer) -> QueueFilters:
    """The queue's filters from the query string; only leadership picks a department, and
    without a status only open tickets unless ``show=all``."""
    status_text = params.get("status", "")
    status_value = Status(status_text) if status_text in Status.__members__.values() else None
    category = params.get("category", "")
    return QueueFilters(
        status=status_value,
        department=params.get("department") or None if officer.role == "leadership" else None,
        state=params.get("state") or None,
        category=category if category in CATEGORIES else None,
        overdue=_flag(params.get("overdue")),
        escalated=_flag(params.get("escalated")),
        open_only=status_value is None and params.get("show", "open") != "all",
    )


@dataclass(frozen=True)
class PageLinks:
    prev_url: str | None
    next_url: str | None


def page_links(query: Mapping[str, str], page: int, result: AdminTicketPage) -> PageLinks:
    """Links to the previous and next page, keeping the other parameters of ``query``."""
    kept = {k: v for k, v in query.items() if k != "page" and v}
    return PageLinks(
        prev_url=f"?{urlencode({**kept, 'page': page - 1})}" if page > 1 else None,
        next_url=f"?{urlencode({**kept, 'page': page + 1})}"
        if page * result.page_size < result.total
        else None,
    )


def departments(session: Session) -> list[tuple[str, str]]:
    """The active departments as (code, name), for the filters and the transfer form."""
    return [
        (d.code, d.name)
        for d in session.scalars(
            select(Department).where(Department.active.is_(True)).order_by(Department.code)
        )
    ]


# --- one ticket ----------------------------------------------------------------------------


def ticket_view(session: Session, number: str, now: datetime) -> dict[str, Any]:
    """A ticket with its events and messages in one timeline, the tickets marked as its
    duplicates, and what an officer may do with it."""
    view = detail_view(session, number)
    duplicates = session.scalars(
        select(Ticket.number).where(
            Ticket.duplicate_of_id
            == select(Ticket.id).where(Ticket.number == view.number).scalar_subquery()
        )
    ).all()
    timeline = sorted(
        [("event", e.at, e) for e in view.events] + [("message", m.at, m) for m in view.messages],
        key=lambda item: item[1],
    )
    return {
        "ticket": view,
        "timeline": timeline,
        "duplicates": duplicates,
        "departments": departments(session),
        "actions": [a for a in view.allowed_actions if a in OFFICER_ACTIONS],
        "overdue": sla.is_overdue(Status(view.status), view.ack_due_at, view.resolve_due_at, now),
    }


# --- leadership ----------------------------------------------------------------------------


def attention_by_department(
    session: Session, officer: Officer, filters: QueueFilters, now: datetime
) -> list[tuple[str, int, int]]:
    """Per department (30 busiest): tickets needing attention, and those at the top level."""
    rows = session.execute(
        select(
            Ticket.department_code,
            func.count(),
            func.sum(case((Ticket.escalation_level >= 3, 1), else_=0)),
        )
        .where(*queue_conditions(officer, filters, now))
        .group_by(Ticket.department_code)
        .order_by(func.count().desc())
        .limit(30)
    ).all()
    return [(code, int(n), int(top or 0)) for code, n, top in rows]


# --- analytics -----------------------------------------------------------------------------


def scope_refusal(refused: UnknownDepartment | DepartmentOutOfScope) -> tuple[int, str]:
    """The status and the sentence of the analytics page for a department it may not show."""
    if isinstance(refused, DepartmentOutOfScope):
        return 403, "You can see your own department's figures only."
    return 422, "There is no department with that code."


def emerging_issues(
    request: Request,
    officer: Officer,
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    scope: str | None,
) -> list[Cluster[Grievance]] | None:
    """Clusters for leadership when the embedding model may be loaded; None otherwise."""
    if officer.role != "leadership" or not settings.load_embedding_model:
        return None
    state = request.app.state
    service: EmergingIssues[str | None, Grievance] | None = getattr(state, "emerging_issues", None)
    if service is None:
        from backend.embeddings import get_encoder

        service = EmergingIssues(factory, get_encoder().encode, recent_grievances)
        state.emerging_issues = service
    return service.clusters(now, scope)


def heatmap(rows: list[list[Any]]) -> dict[str, Any]:
    """Tickets by state and category as a grid, each cell shaded by its share of the top."""
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


def analytics_charts(stats: Stats) -> dict[str, Any]:
    """The analytics page's four charts, drawn from the figures' tables."""
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
