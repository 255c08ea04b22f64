"""Typed dependencies: every route states what it needs in its signature."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from backend.auth import officer_for_token, service_token_ok
from backend.db import GroupCommit
from backend.models import Officer
from backend.stats_cache import StatsCache
from backend.triage import Triage
from core.config import Settings

_bearer = HTTPBearer(auto_error=False)
_group_commit_lock = threading.Lock()

# The dependencies that only read app.state are coroutines: FastAPI runs plain functions in
# the thread pool, a hop that cost more than the dependency itself on every request.


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


async def get_reader(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.read_factory
    return factory


async def get_triage(request: Request) -> Triage:
    triage: Triage = request.app.state.triage
    return triage


async def get_group_commit(request: Request) -> GroupCommit:
    """The app's group-commit writer for ticket filing, made on first use."""
    state = request.app.state
    writer: GroupCommit | None = getattr(state, "group_commit", None)
    if writer is None:
        with _group_commit_lock:
            writer = getattr(state, "group_commit", None)
            if writer is None:
                writer = state.group_commit = GroupCommit(state.engine)
    return writer


async def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


SettingsDep = Annotated[Settings, Depends(get_settings)]
FactoryDep = Annotated[sessionmaker[Session], Depends(get_factory)]
# For requests that only read: on SQLite they do not queue behind writers.
ReaderDep = Annotated[sessionmaker[Session], Depends(get_reader)]
TriageDep = Annotated[Triage, Depends(get_triage)]
GroupCommitDep = Annotated[GroupCommit, Depends(get_group_commit)]
NowDep = Annotated[datetime, Depends(get_now)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_stats_cache(request: Request, factory: FactoryDep) -> StatsCache:
    """The app's cache of figures per scope (see StatsCache), made on first use."""
    cache: StatsCache | None = getattr(request.app.state, "stats_cache", None)
    if cache is None:
        cache = request.app.state.stats_cache = StatsCache(factory)
    return cache


StatsCacheDep = Annotated[StatsCache, Depends(get_stats_cache)]

_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


async def require_service(credentials: Credentials, settings: SettingsDep) -> None:
    if credentials is None or not service_token_ok(credentials.credentials, settings.service_token):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "service token required", headers=_UNAUTHORIZED
        )


def current_officer(credentials: Credentials, factory: ReaderDep) -> Officer:
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "officer token required", headers=_UNAUTHORIZED
        )
    with factory() as session:
        officer = officer_for_token(session, credentials.credentials)
        if officer is not None:
            session.expunge(officer)
    if officer is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "unknown or revoked officer token", headers=_UNAUTHORIZED
        )
    return officer


ServiceAuth = Depends(require_service)
OfficerDep = Annotated[Officer, Depends(current_officer)]
