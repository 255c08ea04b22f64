"""Import a batch of portal grievances (CPGRAMS and others) as tickets: leadership only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from starlette.concurrency import run_in_threadpool

from backend.api.deps import FactoryDep, NowDep, OfficerDep
from backend.imports import import_batch

router = APIRouter(prefix="/admin/v1/imports", tags=["admin: imports"])


@router.post("")
async def import_grievances(
    request: Request,
    officer: OfficerDep,
    factory: FactoryDep,
    now: NowDep,
    source: Annotated[str, Query(pattern=r"^[a-z0-9_-]{2,20}$")] = "cpgrams",
    format_: Annotated[Literal["csv", "json"] | None, Query(alias="format")] = None,
) -> dict[str, Any]:
    """The body is the batch itself (``text/csv`` or ``application/json``); the answer counts
    created and skipped (already imported) rows and lists bad rows with their line numbers."""
    if officer.role != "leadership":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "imports are for ministry leadership")
    fmt = format_ or ("json" if "json" in request.headers.get("content-type", "") else "csv")
    try:
        payload = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "the batch must be UTF-8 text"
        ) from None
    if not payload.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the batch is empty")
    # Each row commits on its own (and routing is pure), so a plain thread does the work.
    report = await run_in_threadpool(import_batch, factory, payload, fmt, source, now)
    return report.as_dict()
