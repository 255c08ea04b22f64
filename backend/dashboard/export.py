"""The analytics and pulse tables as CSV downloads from the dashboard: the admin API's download
(``backend/stats_export.py``) behind the session cookie instead of a bearer token."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from backend.analytics import TABLES
from backend.api.deps import FactoryDep, NowDep, SettingsDep, StatsCacheDep
from backend.api.errors import plain_reason
from backend.dashboard import pulse_view
from backend.dashboard.signin import SignedInOfficer
from backend.pulse_figures import TABLES as PULSE_TABLES
from backend.stats_export import csv_download
from backend.stats_scope import stats_scope
from backend.tickets import InvalidRequest

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


@router.get("/pulse/{table}.csv")
def pulse_csv(
    table: str,
    request: Request,
    officer: SignedInOfficer,
    factory: FactoryDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """A table of the pulse page, for the same window and filters as the page's."""
    if not pulse_view.may_see_pulse(officer):
        raise HTTPException(status.HTTP_403_FORBIDDEN, pulse_view.ONLY_LEADERSHIP)
    if table not in PULSE_TABLES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown table")
    try:
        query = pulse_view.pulse_query(request.query_params)
    except InvalidRequest as refused:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, plain_reason(refused)) from None
    page = pulse_view.pulse_page(request, factory, settings, now, query)
    scope = "-".join(
        part for part in (f"{query.days}d", query.category, query.state) if part is not None
    )
    return csv_download(f"pulse-{table}", page.tables[table], scope, now)
