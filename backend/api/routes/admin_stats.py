"""Analytics for officers: every figure as JSON, and each table as CSV (thin: who sees which
department is ``backend/stats_scope.py``, the download ``backend/stats_export.py``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import Response

from backend.analytics import TABLES
from backend.api.deps import NowDep, OfficerDep, StatsCacheDep
from backend.stats_export import csv_download
from backend.stats_scope import stats_scope

router = APIRouter(prefix="/admin/v1/stats", tags=["admin: stats"])

DepartmentQuery = Annotated[
    str | None, Query(max_length=40, description="a department code of the directory")
]


@router.get("")
def stats(
    officer: OfficerDep,
    cache: StatsCacheDep,
    now: NowDep,
    department: DepartmentQuery = None,
) -> dict[str, Any]:
    scope = stats_scope(officer, department)
    return cache.get(now, scope).as_dict()


@router.get("/{table}.csv")
def stats_csv(
    table: str,
    officer: OfficerDep,
    cache: StatsCacheDep,
    now: NowDep,
    department: DepartmentQuery = None,
) -> Response:
    if table not in TABLES:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"unknown table; one of: {', '.join(TABLES)}"
        )
    scope = stats_scope(officer, department)
    return csv_download(table, cache.get(now, scope).tables[table], scope, now)
