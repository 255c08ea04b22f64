"""The app factory: build in a function, inject the database and clock, touch no globals."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.api.deps import require_service
from backend.api.errors import ERROR_RESPONSES, field_errors, plain_reason
from backend.api.routes import (
    admin_imports,
    admin_notifications,
    admin_pulse,
    admin_pulse_sources,
    admin_stats,
    admin_tickets,
    route_preview,
    schemes,
    tickets,
)
from backend.auth import service_token_ok
from backend.dashboard import routes as dashboard
from backend.dashboard.signin import SignInRequired, to_sign_in
from backend.db import make_engine, make_session_factory
from backend.metrics import ApiMetrics
from backend.models import utcnow
from backend.queue import OutOfScope, UnknownAction
from backend.ratelimit import RateLimitMiddleware
from backend.schemes.search import lazy_scheme_search
from backend.stats_scope import DepartmentOutOfScope
from backend.tickets import (
    CitizenRefused,
    IdempotencyConflict,
    MistypedNumber,
    NotOwner,
    TicketNotFound,
)
from backend.triage import Triage
from core.bodylimit import BodyLimit
from core.config import Settings
from core.metrics import LatencyMiddleware
from core.ratelimit import Buckets, make_buckets
from core.requestid import RequestIdMiddleware
from pulse.reader import shipped_reader
from routing.lifecycle import InvalidTransition

log = logging.getLogger(__name__)


# The dashboard's own pages load only its own script and style sheet (no inline code), so the
# policy allows nothing else; no page may frame it.
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Headers on every answer: no MIME sniffing and no referrer beyond this origin; on the
    dashboard also the CSP and no framing (clickjacking). Not on the API docs, whose page
    loads scripts from elsewhere."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
        if scope["path"].startswith("/dashboard"):
            extra += [
                (b"content-security-policy", DASHBOARD_CSP.encode()),
                (b"x-frame-options", b"DENY"),
            ]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _error(http_status: int, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=http_status)


def _warm_up(app: FastAPI) -> None:
    try:
        app.state.triage.warm_up()
        app.state.scheme_search.get()
        shipped_reader()  # the pulse reader, fitted once per process
    except Exception:  # a failed warm-up is retried by the first request that needs it
        log.exception("warm-up failed")
    finally:
        app.state.warm.set()


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    triage: Triage | None = None,
    buckets: Buckets | None = None,
) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.load_embedding_model:
            # Load the model and build the classifier and the scheme index off the event
            # loop, before the first grievance or question.
            threading.Thread(target=_warm_up, args=(app,), daemon=True).start()
        yield
        engine.dispose()

    app = FastAPI(
        title="MSME grievance desk",
        version="0.1.0",
        description="Service API for the assistant and admin API for officers.",
        responses=ERROR_RESPONSES,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.read_factory = make_session_factory(engine, read_only=True)
    app.state.clock = clock
    app.state.scheme_search = lazy_scheme_search(settings.cache_dir)
    # Ready for traffic once the model, classifier and scheme index are loaded (or not used).
    app.state.warm = threading.Event()
    if not settings.load_embedding_model:
        app.state.warm.set()
    app.state.triage = triage or Triage(use_classifier=settings.load_embedding_model)
    app.state.metrics = metrics = ApiMetrics(app.state.read_factory, clock)

    service = [Depends(require_service)]
    app.include_router(tickets.router, dependencies=service)
    app.include_router(route_preview.router, dependencies=service)
    app.include_router(schemes.router, dependencies=service)
    app.include_router(admin_tickets.router)
    app.include_router(admin_notifications.router)
    app.include_router(admin_stats.router)
    app.include_router(admin_imports.router)
    app.include_router(admin_pulse.router)
    app.include_router(admin_pulse_sources.router)
    app.include_router(dashboard.router)
    app.add_exception_handler(SignInRequired, to_sign_in)

    @app.exception_handler(MistypedNumber)
    async def _mistyped(_: Request, exc: MistypedNumber) -> JSONResponse:
        return _error(
            422,
            "that ticket number looks mistyped (its check character does "
            "not match); numbers look like MS-7K3Q9P-D",
            code="mistyped_number",
        )

    @app.exception_handler(TicketNotFound)
    async def _not_found(_: Request, exc: TicketNotFound) -> JSONResponse:
        return _error(404, f"no ticket {exc.args[0]}", code="not_found")

    @app.exception_handler(OutOfScope)
    async def _out_of_scope(_: Request, exc: OutOfScope) -> JSONResponse:
        return _error(403, str(exc), code="out_of_scope")

    @app.exception_handler(UnknownAction)
    async def _unknown_action(_: Request, exc: UnknownAction) -> JSONResponse:
        return _error(404, str(exc), code="unknown_action")

    @app.exception_handler(DepartmentOutOfScope)
    async def _other_department(_: Request, exc: DepartmentOutOfScope) -> JSONResponse:
        # An unknown department is an InvalidRequest: 422 below, with its own message.
        return _error(403, str(exc))

    @app.exception_handler(NotOwner)
    async def _not_owner(_: Request, exc: NotOwner) -> JSONResponse:
        return _error(403, "only the person who filed this ticket can do that", code="not_owner")

    @app.exception_handler(InvalidTransition)
    async def _conflict(_: Request, exc: InvalidTransition) -> JSONResponse:
        return _error(
            409,
            str(exc),
            code="invalid_transition",
            status=exc.status.value,
            allowed_actions=exc.allowed,
        )

    @app.exception_handler(IdempotencyConflict)
    async def _key_reused(_: Request, exc: IdempotencyConflict) -> JSONResponse:
        return _error(
            409,
            "this idempotency key was used for another grievance; use a new key",
            code="idempotency_key_reused",
        )

    @app.exception_handler(CitizenRefused)
    async def _refused(_: Request, exc: CitizenRefused) -> JSONResponse:
        # code: ticket_final | not_resolved | reopen_window_passed (backend.tickets)
        return _error(409, str(exc), code=exc.code, status=exc.status)

    @app.exception_handler(LookupError)
    async def _lookup(_: Request, exc: LookupError) -> JSONResponse:
        return _error(422, plain_reason(exc))

    @app.exception_handler(ValueError)
    async def _value(_: Request, exc: ValueError) -> JSONResponse:
        return _error(422, plain_reason(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": field_errors(exc.errors())}, status_code=422)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:
            return _error(503, f"database unavailable: {type(error).__name__}")
        if not app.state.warm.is_set():
            # Load balancers keep traffic away until the first grievance would not wait on it.
            return _error(503, "warming up: loading the embedding model")
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        if settings.metrics_token and not service_token_ok(
            request.headers.get("authorization", "").removeprefix("Bearer "),
            settings.metrics_token,
        ):
            return _error(401, "metrics token required")
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # Outermost last: request id, then latency, then rate limits, then the body limit.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        wider={  # the first prefix that matches decides
            admin_pulse_sources.IMPORTS_PATH: settings.pulse_max_upload_bytes,
            admin_pulse.PREFIX: settings.pulse_max_body_bytes,
        },
    )
    if settings.rate_limit_enabled:
        app.add_middleware(
            RateLimitMiddleware,
            settings=settings,
            buckets=buckets or make_buckets(settings),
            metrics=metrics,
        )
    app.add_middleware(LatencyMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestIdMiddleware)
    return app
