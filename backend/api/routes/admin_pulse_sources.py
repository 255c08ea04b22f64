"""The pulse's sources, for ministry leadership (issue 16): configure feeds and export sources,
upload an export, pull feeds now. The work is in ``backend/pulse_sources.py``; this router
checks, hands over and answers.

- ``GET /admin/v1/pulse/sources`` -> {sources[{name, kind, url, hide_handles, enabled,
  interval_minutes, next_pull_at, last_pulled_at, failures, last_error, items}]}
- ``POST /admin/v1/pulse/sources`` {name, kind, url?, hide_handles?, interval_minutes?} -> 201
- ``PATCH /admin/v1/pulse/sources/{name}`` {url?, hide_handles?, enabled?, interval_minutes?}
- ``DELETE /admin/v1/pulse/sources/{name}`` -> {removed_items}
- ``POST /admin/v1/pulse/imports?source=NAME``: the body is the export (raw, or a multipart
  form with one file), at most ``PULSE_MAX_UPLOAD_BYTES`` -> {created, skipped, errors[{line,
  error}]}
- ``POST /admin/v1/pulse/pull[?source=NAME]``: the due feeds (or the one named) now ->
  {pulls[{source, status, error, created, skipped, errors}]}
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from backend.api.deps import FactoryDep, NowDep, SettingsDep
from backend.api.routes.admin_pulse import PREFIX, leadership_only
from backend.db import transaction
from backend.pulse_feeds import PullOutcome, pull_due
from backend.pulse_sources import (
    NAME_PATTERN,
    SourceChanges,
    SourceError,
    SourceExists,
    SourceNotFound,
    WrongKind,
    add_source,
    import_export,
    list_sources,
    pull_named,
    remove_source,
    source_view,
    update_source,
)
from core.config import Settings

IMPORTS_PATH = f"{PREFIX}/imports"  # its own body limit (PULSE_MAX_UPLOAD_BYTES)

router = APIRouter(
    prefix=PREFIX, tags=["admin: pulse sources"], dependencies=[Depends(leadership_only)]
)


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
SourceName = Annotated[str, Query(pattern=NAME_PATTERN, description="the source's name")]


def _refused(error: Exception) -> HTTPException:
    if isinstance(error, SourceNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(error.args[0]))
    if isinstance(error, SourceExists | WrongKind):
        return HTTPException(status.HTTP_409_CONFLICT, str(error))
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error))


class NewSource(BaseModel):
    name: str = Field(pattern=NAME_PATTERN)
    kind: str = Field(description="rss (RSS or Atom), x, facebook, instagram, csv or jsonl")
    url: str | None = Field(default=None, max_length=1000, description="the feed (rss)")
    hide_handles: bool = False
    interval_minutes: int = 60


class SourceUpdate(BaseModel):
    url: str | None = Field(default=None, max_length=1000)
    hide_handles: bool | None = None
    enabled: bool | None = None
    interval_minutes: int | None = None


@router.get("/sources")
def sources(factory: FactoryDep) -> dict[str, Any]:
    with factory() as session:
        return {"sources": list_sources(session)}


@router.post("/sources", status_code=status.HTTP_201_CREATED)
def create_source(body: NewSource, factory: FactoryDep) -> dict[str, Any]:
    try:
        with transaction(factory) as session:
            source = add_source(
                session,
                body.name,
                body.kind,
                url=body.url,
                hide_handles=body.hide_handles,
                interval_minutes=body.interval_minutes,
            )
            return source_view(source, 0)
    except (SourceError, SourceNotFound) as error:
        raise _refused(error) from None


@router.patch("/sources/{name}")
def change_source(name: str, body: SourceUpdate, factory: FactoryDep) -> dict[str, Any]:
    changes = SourceChanges(**body.model_dump())
    try:
        with transaction(factory) as session:
            return source_view(update_source(session, name, changes))
    except (SourceError, SourceNotFound) as error:
        raise _refused(error) from None


@router.delete("/sources/{name}")
def delete_source(name: str, engine: EngineDep) -> dict[str, Any]:
    try:
        return {"removed_items": remove_source(engine, name)}
    except SourceNotFound as error:
        raise _refused(error) from None


async def _export_text(request: Request) -> str:
    """The body, or the one file of a multipart form, as UTF-8 text."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
        if not files:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the form has no file")
        data = await files[0].read()
    else:
        data = await request.body()
    try:
        payload = data.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "the export must be UTF-8 text"
        ) from None
    if not payload.strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the export is empty")
    return payload


@router.post("/imports")
async def upload_export(
    request: Request, source: SourceName, engine: EngineDep, now: NowDep
) -> dict[str, Any]:
    """Keep the export's items, each once; bad items are listed with their line."""
    payload = await _export_text(request)
    try:
        report = await run_in_threadpool(import_export, engine, source, payload, now)
    except (SourceError, SourceNotFound) as error:
        raise _refused(error) from None
    return report.as_dict()


def _pull_view(outcome: PullOutcome) -> dict[str, Any]:
    return {**outcome.as_dict(), **outcome.report.as_dict()}


def _pull_one(engine: Engine, name: str, settings: Settings, now: datetime) -> PullOutcome:
    return pull_named(engine, name, settings, now=now)


@router.post("/pull")
async def pull(
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    source: Annotated[str | None, Query(pattern=NAME_PATTERN)] = None,
) -> dict[str, Any]:
    """Pull the due feeds now, or the one named (due or not)."""
    try:
        if source:
            outcomes = [await run_in_threadpool(_pull_one, engine, source, settings, now)]
        else:
            outcomes = await run_in_threadpool(pull_due, engine, settings, now)
    except (SourceError, SourceNotFound) as error:
        raise _refused(error) from None
    return {"pulls": [_pull_view(outcome) for outcome in outcomes]}
