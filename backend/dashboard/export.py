"""The analytics tables as CSV downloads from the dashboard: the admin API's download
(``backend/stats_export.py``) behind the session cookie instead of a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from backend.analytics import TABLES
from backend.api.deps import NowDep, StatsCacheDep
from backend.dashboard.signin import SignedInOfficer
from backend.stats_export import csv_download
from backend.stats_scope import stats_scope

router = APIRouter(include_in_schema=False)


@router.get("/analytics/{table}.csv")
def analytics_csv(
    table: str,
    request: Request,
    officer: SignedInOfficer,
    cache: StatsCacheDep,
    now: NowDep,
) -> Response:
    """Refusals of the department (unknown: 422, another's: 403) are the app's answers."""
    if table not in TABLES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown table")
    scope = stats_scope(officer, request.query_params.get("department") or None)
    return csv_download(table, cache.get(now, scope).tables[table], scope, now)
