"""Per-token rate limits on the service and admin APIs: 429 with Retry-After.

A token bucket per caller: the service token (the action server, speaking for every citizen, so
its limit is high), each officer token (by its hash, never the token itself), and everyone
else by client address (no token, or a token that is neither: cycling made-up tokens does not
buy fresh buckets). Buckets live in this process by default; with ``REDIS_URL`` set they live
in Redis, so API replicas share them (the buckets themselves: ``core/ratelimit.py``).

Failed authentications are limited apart: every request that presents no token the process
already knows to be good (on /api, /admin, and the dashboard's sign-in form) reserves one token
of its client address's failure bucket, and gets it back unless the answer is 401. Made-up
tokens therefore share one small budget per address (``RATE_LIMIT_AUTH_FAILURE_*``), checked
before the token is, so a guess beyond it learns nothing; a token that was accepted before skips
the reservation, so valid tokens are unaffected by others' failures.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.auth import TOKEN_PREFIX
from backend.metrics import ApiMetrics
from core.config import Settings
from core.ratelimit import Buckets, Limit

log = logging.getLogger(__name__)

LIMITED_PREFIXES = ("/api/", "/admin/")
SIGN_IN_PATH = "/dashboard/login"  # its POST checks an officer token from the form
KNOWN_GOOD_SECONDS = 3600.0


@dataclass(frozen=True)
class Limits:
    service: Limit
    officer: Limit
    anonymous: Limit
    auth_failure: Limit  # per client address, for requests whose token failed

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            service=Limit(
                settings.rate_limit_service_per_second, settings.rate_limit_service_burst
            ),
            officer=Limit(
                settings.rate_limit_officer_per_second, settings.rate_limit_officer_burst
            ),
            anonymous=Limit(
                settings.rate_limit_anonymous_per_second, settings.rate_limit_anonymous_burst
            ),
            auth_failure=Limit(
                settings.rate_limit_auth_failure_per_second,
                settings.rate_limit_auth_failure_burst,
            ),
        )


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                return credentials.strip()
            return None
    return None


def caller_of(scope: Scope, service_token: str) -> tuple[str, str]:
    """(kind of caller, bucket key) for a request; keys never hold a token itself."""
    token = _bearer(scope)
    if token is not None and hmac.compare_digest(token.encode(), service_token.encode()):
        return "service", "service"
    if token is not None and token.startswith(TOKEN_PREFIX):
        return "officer", "officer:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "anonymous", "anonymous:" + client_address(scope)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class KnownGood:
    """Officer tokens (by their bucket key, a hash) that this process saw accepted lately:
    they skip the failure budget, so an officer is not locked out by guesses made from their
    address (a shared office NAT). Bounded; forgotten after ``KNOWN_GOOD_SECONDS``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000):
        self.clock = clock
        self.max_keys = max_keys
        self._until: dict[str, float] = {}

    def __contains__(self, key: str) -> bool:
        return self._until.get(key, 0.0) > self.clock()

    def add(self, key: str) -> None:
        if len(self._until) >= self.max_keys:
            now = self.clock()
            self._until = {k: t for k, t in self._until.items() if t > now}
            if len(self._until) >= self.max_keys:
                self._until.clear()
        self._until[key] = self.clock() + KNOWN_GOOD_SECONDS


def _too_many(path: str, retry_after: int, detail: str) -> Response:
    headers = {"Retry-After": str(retry_after)}
    if path == SIGN_IN_PATH:  # a browser's form post: a page, not JSON
        return PlainTextResponse(f"{detail}.", status_code=429, headers=headers)
    return JSONResponse({"detail": detail, "code": "rate_limited"}, 429, headers=headers)


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        buckets: Buckets,
        metrics: ApiMetrics | None = None,
    ) -> None:
        self.app = app
        self.service_token = settings.service_token
        self.limits = Limits.from_settings(settings)
        self.buckets = buckets
        self.metrics = metrics
        self.known_good = KnownGood()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limited = path.startswith(LIMITED_PREFIXES)
        if not limited and not (path == SIGN_IN_PATH and scope["method"] == "POST"):
            await self.app(scope, receive, send)
            return
        kind, key = caller_of(scope, self.service_token)
        if limited:
            wait = await self.buckets.take(key, getattr(self.limits, kind))
            if wait > 0:
                await self._refuse(scope, receive, send, kind, wait, "too many requests")
                return
        if kind == "service" or key in self.known_good:
            await self.app(scope, receive, send)
            return
        await self._with_failure_budget(scope, receive, send, key)

    async def _with_failure_budget(
        self, scope: Scope, receive: Receive, send: Send, key: str
    ) -> None:
        """Reserve one failure of the client address before the token is checked (so that
        concurrent guesses cannot overrun the budget), and give it back unless the answer is
        401; an officer token answered 2xx is remembered as good."""
        address = "auth-failures:" + client_address(scope)
        wait = await self.buckets.take(address, self.limits.auth_failure)
        if wait > 0:
            detail = "too many failed sign-ins from this address"
            await self._refuse(scope, receive, send, "auth_failures", wait, detail)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if status != 401:
                await self.buckets.take(address, self.limits.auth_failure, cost=-1.0)
            if 200 <= status < 300 and key.startswith("officer:"):
                self.known_good.add(key)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, kind: str, wait: float, detail: str
    ) -> None:
        if self.metrics is not None:
            self.metrics.rate_limited.labels(kind).inc()
        retry_after = max(1, math.ceil(wait))
        response = _too_many(scope["path"], retry_after, f"{detail}; retry after {retry_after} s")
        await response(scope, receive, send)
