"""Analytics for officers: every figure as JSON, and each table as CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from backend.analytics import TABLES, Stats, StatsCache, table_csv
from backend.api.deps import FactoryDep, NowDep, OfficerDep
from backend.auth import visible_department
from backend.models import Officer

router = APIRouter(prefix="/admin/v1/stats", tags=["admin: stats"])

DepartmentQuery = Annotated[str | None, Query(max_length=40)]


def cached_stats(request: Request, factory: FactoryDep, now: datetime, scope: str | None) -> Stats:
    """The figures of a scope from the app's cache (see StatsCache)."""
    cache: StatsCache | None = getattr(request.app.state, "stats_cache", None)
    if cache is None:
        cache = request.app.state.stats_cache = StatsCache(factory)
    return cache.get(now, scope)


def stats_scope(officer: Officer, department: str | None) -> str | None:
    """The department the figures cover: an officer's or head's own; leadership any (None: all)."""
    scope = visible_department(officer)
    if department and scope and department != scope:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you can see department {scope} only")
    return department or scope


@router.get("")
def stats(
    request: Request,
    officer: OfficerDep,
    factory: FactoryDep,
    now: NowDep,
    department: DepartmentQuery = None,
) -> dict[str, Any]:
    scope = stats_scope(officer, department)
    return cached_stats(request, factory, now, scope).as_dict()


@router.get("/{table}.csv")
def stats_csv(
    request: Request,
    table: str,
    officer: OfficerDep,
    factory: FactoryDep,
    now: NowDep,
    department: DepartmentQuery = None,
) -> Response:
    if table not in TABLES:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"unknown table; one of: {', '.join(TABLES)}"
        )
    scope = stats_scope(officer, department)
    figures = cached_stats(request, factory, now, scope).tables[table]
    filename = f"{table}{'-' + scope if scope else ''}-{now.date().isoformat()}.csv"
    return Response(
        table_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
