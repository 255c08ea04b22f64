"""Analytics for officers: every figure as JSON, and each table as CSV."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from backend.analytics import TABLES, Stats, StatsCache, Table, table_csv
from backend.api.deps import FactoryDep, NowDep, OfficerDep
from backend.auth import visible_department
from backend.models import Officer
from routing.directory import load_directory

router = APIRouter(prefix="/admin/v1/stats", tags=["admin: stats"])

DepartmentQuery = Annotated[
    str | None, Query(max_length=40, description="a department code of the directory")
]
# What may stand unquoted in a download's file name: nothing that ends a quoted string or a
# header line, nothing a browser reads as a path.
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def cached_stats(request: Request, factory: FactoryDep, now: datetime, scope: str | None) -> Stats:
    """The figures of a scope from the app's cache (see StatsCache)."""
    cache: StatsCache | None = getattr(request.app.state, "stats_cache", None)
    if cache is None:
        cache = request.app.state.stats_cache = StatsCache(factory)
    return cache.get(now, scope)


def stats_scope(officer: Officer, department: str | None) -> str | None:
    """The department the figures cover: an officer's or head's own; leadership any (None: all).

    A department must be a code of the directory (422 otherwise): the code goes into the CSV
    file's name, and an unknown one would only give empty figures."""
    if department and department not in load_directory().departments:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "department must be a department code of the directory, such as MSEFC-MH",
        )
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
    return csv_download(table, cached_stats(request, factory, now, scope).tables[table], scope, now)


def csv_download(name: str, figures: Table, scope: str | None, now: datetime) -> Response:
    """A table as a CSV download named after it, its scope and the day (admin and dashboard)."""
    filename = f"{name}{'-' + scope if scope else ''}-{now.date().isoformat()}.csv"
    return Response(
        table_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition(filename)},
    )


def content_disposition(filename: str) -> str:
    """An attachment header per RFC 6266: the name in ASCII (unsafe characters as "_") as a
    quoted string, and, only when that changed it, the exact name as ``filename*``
    (RFC 8187, percent-encoded UTF-8, so no quote, CR or LF can reach the header)."""
    plain = _FILENAME_UNSAFE.sub("_", filename)
    value = f'attachment; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
