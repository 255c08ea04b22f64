"""What MSMEs face and how the units answer: the figures behind ``/admin/v1/stats``.

Every figure is an aggregate computed by the database over ``tickets`` (no extra tables), in
one department's scope or across all. Definitions, so that a reader can check a number:

- *Attended*: the first of acknowledgement, resolution or rejection (``attended_at``).
- *Concluded*: resolved (or closed after resolution) or rejected (``concluded_at``).
- *SLA compliance* (by department and month of filing): attended by the ticket's ``ack_due_at``
  (3 days after filing) and concluded by its ``resolve_due_at`` (7 days; both move on by the
  time spent awaiting the citizen). A ticket counts once its outcome is known: attended or
  concluded, or the deadline has passed. A ticket awaiting the citizen is not yet counted
  against a deadline that its pause will move.
- *Median time to acknowledge / resolve*: filing to ``acknowledged_at`` / ``resolved_at``, hours.
- *Backlog ageing*: open tickets by days since filing.
- *Resolution rate* (by month of filing): resolved or closed / filed.
- *Escalations*: tickets raised to the department head (level 2, acknowledgement missed) or to
  ministry leadership (level 3, resolution missed).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from backend.models import Ticket
from routing.lifecycle import Status

CONCLUDED = (Status.RESOLVED.value, Status.CLOSED.value, Status.REJECTED.value)
RESOLVED = (Status.RESOLVED.value, Status.CLOSED.value)
# Backlog ageing buckets: (label, lower bound in days, upper bound in days or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-3 days", 0, 3),
    ("3-7 days", 3, 7),
    ("7-15 days", 7, 15),
    ("15-30 days", 15, 30),
    ("over 30 days", 30, None),
)


@dataclass
class Table:
    """One table of figures; every table can be shown, charted and exported as CSV."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass
class Stats:
    as_of: datetime
    department: str | None
    summary: dict[str, Any]
    tables: dict[str, Table]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "department": self.department,
            "summary": self.summary,
            "tables": {name: table.as_dict() for name, table in self.tables.items()},
        }


TABLES = (
    "by_state_category",
    "by_department_status",
    "sla_by_department_month",
    "time_to_act",
    "backlog_ageing",
    "resolution_by_month",
    "escalations",
    "urgency_by_state_category",
)


def _attended_at() -> Any:
    rejected_at = case((Ticket.status == Status.REJECTED.value, Ticket.updated_at), else_=None)
    return func.coalesce(Ticket.acknowledged_at, Ticket.resolved_at, rejected_at)


def _concluded_at() -> Any:
    rejected_at = case((Ticket.status == Status.REJECTED.value, Ticket.updated_at), else_=None)
    return func.coalesce(Ticket.resolved_at, rejected_at)


def _month(session: Session) -> Any:
    """'YYYY-MM' of filing, in UTC."""
    if session.get_bind().dialect.name == "postgresql":
        # date_trunc is much cheaper per row than to_char; _month_text formats the result.
        return func.date_trunc("month", func.timezone("UTC", Ticket.created_at))
    # SQLite stores UTC datetimes as 'YYYY-MM-DD HH:MM:SS.ffffff'.
    return func.substr(Ticket.created_at, 1, 7, type_=String)


def _month_text(value: Any) -> str:
    return value if isinstance(value, str) else value.strftime("%Y-%m")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _scope(department: str | None) -> list[Any]:
    return [Ticket.department_code == department] if department else []


def _count_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def by_state_category(
    session: Session, department: str | None, since: datetime | None = None
) -> Table:
    """Tickets by state and category (filed at ``since`` or later, when given: the pulse page
    sets them beside public posts of the same days)."""
    table = Table(
        "by_state_category", "Tickets by state and category", ["state", "category", "tickets"]
    )
    filed_since = [Ticket.created_at >= since] if since is not None else []
    rows = session.execute(
        select(Ticket.state, Ticket.category, func.count())
        .where(*_scope(department), *filed_since)
        .group_by(Ticket.state, Ticket.category)
        .order_by(Ticket.state, Ticket.category)
    ).all()
    table.rows = [[state, category, int(n)] for state, category, n in rows]
    return table


def urgency_by_state_category(session: Session, department: str | None) -> Table:
    """Critical and high grievances (routing/urgency.py) by month of filing, state and
    category: where people are in danger or losing their livelihood, and since when."""
    table = Table(
        "urgency_by_state_category",
        "Urgent tickets by month, state and category",
        ["month", "state", "category", "critical", "high", "tickets"],
    )
    month = _month(session)
    critical = _count_if(Ticket.urgency == "critical")
    high = _count_if(Ticket.urgency == "high")
    rows = session.execute(
        select(month, Ticket.state, Ticket.category, critical, high, func.count())
        .where(*_scope(department))
        .group_by(month, Ticket.state, Ticket.category)
        .having(func.sum(case((Ticket.urgency.in_(("critical", "high")), 1), else_=0)) > 0)
        .order_by(month, Ticket.state, Ticket.category)
    ).all()
    table.rows = [
        [_month_text(m), state, category, int(c or 0), int(h or 0), int(n)]
        for m, state, category, c, h, n in rows
    ]
    return table


def by_department_status(session: Session, department: str | None) -> Table:
    table = Table(
        "by_department_status",
        "Tickets by department and status",
        ["department", "status", "tickets"],
    )
    rows = session.execute(
        select(Ticket.department_code, Ticket.status, func.count())
        .where(*_scope(department))
        .group_by(Ticket.department_code, Ticket.status)
        .order_by(Ticket.department_code, Ticket.status)
    ).all()
    table.rows = [[code, status, int(n)] for code, status, n in rows]
    return table


def sla_by_department_month(session: Session, department: str | None, now: datetime) -> Table:
    table = Table(
        "sla_by_department_month",
        "SLA compliance by department and month of filing",
        [
            "department",
            "month",
            "ack_counted",
            "ack_on_time",
            "ack_compliance",
            "conclusion_counted",
            "concluded_on_time",
            "conclusion_compliance",
        ],
    )
    attended, concluded = _attended_at(), _concluded_at()
    waiting = Ticket.status == Status.AWAITING_INFO.value
    ack_counted = or_(attended.is_not(None), and_(Ticket.ack_due_at <= now, ~waiting))
    ack_on_time = and_(attended.is_not(None), attended <= Ticket.ack_due_at)
    end_counted = or_(concluded.is_not(None), and_(Ticket.resolve_due_at <= now, ~waiting))
    end_on_time = and_(concluded.is_not(None), concluded <= Ticket.resolve_due_at)
    month = _month(session).label("month")
    rows = session.execute(
        select(
            Ticket.department_code,
            month,
            _count_if(ack_counted),
            _count_if(ack_on_time),
            _count_if(end_counted),
            _count_if(end_on_time),
        )
        .where(*_scope(department))
        .group_by(Ticket.department_code, month)
        .order_by(Ticket.department_code, month)
    ).all()
    for code, month_text, ack_n, ack_ok, end_n, end_ok in rows:
        ack_n, ack_ok, end_n, end_ok = (int(x or 0) for x in (ack_n, ack_ok, end_n, end_ok))
        table.rows.append(
            [
                code,
                _month_text(month_text),
                ack_n,
                ack_ok,
                _rate(ack_ok, ack_n),
                end_n,
                end_ok,
                _rate(end_ok, end_n),
            ]
        )
    return table


def _medians_postgres(session: Session, department: str | None) -> dict[str, tuple[Any, Any]]:
    def hours(later: Any) -> Any:
        return func.extract("epoch", later - Ticket.created_at) / 3600.0

    def median(later: Any) -> Any:
        return func.percentile_cont(0.5).within_group(hours(later))

    ack = median(Ticket.acknowledged_at)
    resolve = median(Ticket.resolved_at)
    overall = func.grouping(Ticket.department_code).label("overall")
    result: dict[str, tuple[Any, Any]] = {}
    # One pass for every department and for all of them (grouping sets), not two.
    for code, is_overall, ack_h, res_h in session.execute(
        select(Ticket.department_code, overall, ack, resolve)
        .where(*_scope(department))
        .group_by(func.grouping_sets(tuple_(Ticket.department_code), tuple_()))
    ):
        if is_overall:
            result[""] = (ack_h, res_h)
        elif ack_h is not None or res_h is not None:  # as on SQLite: departments with a figure
            result[code] = (ack_h, res_h)
    result.setdefault("", (None, None))
    return result


def _medians_sqlite(session: Session, department: str | None) -> dict[str, tuple[Any, Any]]:
    ack: dict[str, list[float]] = defaultdict(list)
    resolve: dict[str, list[float]] = defaultdict(list)
    for sink, later in ((ack, Ticket.acknowledged_at), (resolve, Ticket.resolved_at)):
        hours = (func.julianday(later) - func.julianday(Ticket.created_at)) * 24.0
        for code, value in session.execute(
            select(Ticket.department_code, hours).where(*_scope(department), later.is_not(None))
        ):
            sink[code].append(float(value))
            sink[""].append(float(value))

    def median(values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    return {
        code: (median(ack.get(code, [])), median(resolve.get(code, [])))
        for code in set(ack) | set(resolve) | {""}
    }


def time_to_act(session: Session, department: str | None) -> Table:
    table = Table(
        "time_to_act",
        "Median hours from filing to acknowledgement and to resolution",
        ["department", "median_hours_to_acknowledge", "median_hours_to_resolve"],
    )
    if session.get_bind().dialect.name == "postgresql":
        medians = _medians_postgres(session, department)
    else:
        medians = _medians_sqlite(session, department)

    def rounded(value: Any) -> float | None:
        return None if value is None else round(float(value), 2)

    for code in sorted(medians, key=lambda c: (c == "", c)):
        ack_h, res_h = medians[code]
        table.rows.append([code or "all", rounded(ack_h), rounded(res_h)])
    return table


def backlog_ageing(session: Session, department: str | None, now: datetime) -> Table:
    table = Table(
        "backlog_ageing",
        "Open tickets by days since filing",
        ["age", "open_tickets", "escalated"],
    )
    whens = []
    for label, low, _high in reversed(AGE_BUCKETS):
        whens.append((Ticket.created_at <= now - timedelta(days=low), literal(label)))
    bucket = case(*whens, else_=literal(AGE_BUCKETS[0][0])).label("bucket")
    counts = {
        label: (int(n), int(escalated or 0))
        for label, n, escalated in session.execute(
            select(bucket, func.count(), _count_if(Ticket.escalation_level >= 2))
            .where(*_scope(department), Ticket.status.not_in(CONCLUDED))
            .group_by(bucket)
        )
    }
    table.rows = [[label, *counts.get(label, (0, 0))] for label, _low, _high in AGE_BUCKETS]
    return table


def resolution_by_month(session: Session, department: str | None) -> Table:
    table = Table(
        "resolution_by_month",
        "Resolution rate by month of filing",
        ["month", "filed", "resolved", "rejected", "open", "resolution_rate"],
    )
    month = _month(session).label("month")
    rows = session.execute(
        select(
            month,
            func.count(),
            _count_if(Ticket.status.in_(RESOLVED)),
            _count_if(Ticket.status == Status.REJECTED.value),
        )
        .where(*_scope(department))
        .group_by(month)
        .order_by(month)
    ).all()
    for month_text, filed, resolved, rejected in rows:
        filed, resolved, rejected = int(filed), int(resolved or 0), int(rejected or 0)
        table.rows.append(
            [
                _month_text(month_text),
                filed,
                resolved,
                rejected,
                filed - resolved - rejected,
                _rate(resolved, filed),
            ]
        )
    return table


def escalations(session: Session, department: str | None) -> Table:
    table = Table(
        "escalations",
        "Escalations by department",
        ["department", "to_head", "to_leadership", "still_open"],
    )
    escalated = Ticket.escalation_level >= 2
    rows = session.execute(
        select(
            Ticket.department_code,
            _count_if(Ticket.escalation_level == 2),
            _count_if(Ticket.escalation_level >= 3),
            _count_if(Ticket.status.not_in(CONCLUDED)),
        )
        .where(*_scope(department), escalated)
        .group_by(Ticket.department_code)
        .order_by(Ticket.department_code)
    ).all()
    table.rows = [[code, int(h or 0), int(lead or 0), int(o or 0)] for code, h, lead, o in rows]
    return table


def compute_table(session: Session, name: str, now: datetime, department: str | None) -> Table:
    """One table by name (see TABLES), in one department's scope (None: all)."""
    if name == "sla_by_department_month":
        return sla_by_department_month(session, department, now)
    if name == "backlog_ageing":
        return backlog_ageing(session, department, now)
    builders = {
        "by_state_category": by_state_category,
        "by_department_status": by_department_status,
        "time_to_act": time_to_act,
        "resolution_by_month": resolution_by_month,
        "escalations": escalations,
        "urgency_by_state_category": urgency_by_state_category,
    }
    if name not in builders:
        raise KeyError(name)
    return builders[name](session, department)


def compute_stats(session: Session, now: datetime, department: str | None = None) -> Stats:
    """Every table of the analytics page, in one department's scope (None: all)."""
    by_name = {name: compute_table(session, name, now, department) for name in TABLES}
    return Stats(now, department, _summary(by_name), by_name)


def _summary(tables: dict[str, Table]) -> dict[str, Any]:
    statuses = tables["by_department_status"].rows
    total = sum(row[2] for row in statuses)
    open_ = sum(row[2] for row in statuses if row[1] not in CONCLUDED)
    sla = tables["sla_by_department_month"].rows
    ack_n, ack_ok = sum(r[2] for r in sla), sum(r[3] for r in sla)
    end_n, end_ok = sum(r[5] for r in sla), sum(r[6] for r in sla)
    overall = tables["time_to_act"].rows[-1] if tables["time_to_act"].rows else ["all", None, None]
    return {
        "tickets": total,
        "open": open_,
        "ack_compliance": _rate(ack_ok, ack_n),
        "conclusion_compliance": _rate(end_ok, end_n),
        "median_hours_to_acknowledge": overall[1],
        "median_hours_to_resolve": overall[2],
        "escalated_open": sum(r[3] for r in tables["escalations"].rows),
    }
