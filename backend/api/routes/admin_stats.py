"""Analytics for officers: every figure as JSON, and each table as CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from backend.analytics import TABLES, compute_stats, compute_table, table_csv
from backend.api.deps import FactoryDep, NowDep, OfficerDep
from backend.auth import visible_department
from backend.models import Officer

router = APIRouter(prefix="/admin/v1/stats", tags=["admin: stats"])

DepartmentQuery = Annotated[str | None, Query(max_length=40)]


def stats_scope(officer: Officer, department: str | None) -> str | None:
    """The department the figures cover: an officer's or head's own; leadership any (None: all)."""
    scope = visible_department(officer)
    if department and scope and department != scope:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you can see department {scope} only")
    return department or scope


@router.get("")
def stats(
    officer: OfficerDep, factory: FactoryDep, now: NowDep, department: DepartmentQuery = None
) -> dict[str, Any]:
    scope = stats_scope(officer, department)
    with factory() as session:
        return compute_stats(session, now, scope).as_dict()


@router.get("/{table}.csv")
def stats_csv(
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
    with factory() as session:
        figures = compute_table(session, table, now, scope)
    filename = f"{table}{'-' + scope if scope else ''}-{now.date().isoformat()}.csv"
    return Response(
        table_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
