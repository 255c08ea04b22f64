"""Per-token rate limits on the service and admin APIs: 429 with Retry-After.

A token bucket per caller: the service token (the action server, speaking for every citizen, so
its limit is high), each officer token (by its hash, never the token itself), and everyone
else by client address (no token, or a token that is neither: cycling made-up tokens does not
buy fresh buckets). Buckets live in this process by default; with ``REDIS_URL`` set they live
in Redis, updated atomically by one script on Redis's own clock, so API replicas share them.
If Redis stops answering, the process falls back to its own buckets rather than refusing or
waving through everything.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.auth import TOKEN_PREFIX
from backend.config import Settings
from backend.metrics import ApiMetrics

log = logging.getLogger(__name__)

LIMITED_PREFIXES = ("/api/", "/admin/")
REDIS_PREFIX = "grievance:ratelimit:"


@dataclass(frozen=True)
class Limit:
    per_second: float
    burst: int


class Buckets(Protocol):
    async def take(self, key: str, limit: Limit) -> float:
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        ...


class MemoryBuckets:
    """Token buckets in this process (one API process, or tests)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._state: dict[str, tuple[float, float]] = {}

    async def take(self, key: str, limit: Limit) -> float:
        return self.take_now(key, limit)

    def take_now(self, key: str, limit: Limit) -> float:
        now = self.clock()
        tokens, at = self._state.get(key, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + max(0.0, now - at) * limit.per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / limit.per_second
        if key not in self._state and len(self._state) >= self.max_keys:
            self._forget_full(now, limit)
        self._state[key] = (tokens, now)
        return wait

    def _forget_full(self, now: float, limit: Limit) -> None:
        # A bucket that has refilled is the same as no bucket: drop those to bound memory.
        horizon = limit.burst / limit.per_second
        self._state = {k: v for k, v in self._state.items() if now - v[1] < horizon}
        if len(self._state) >= self.max_keys:
            self._state.clear()


_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisBuckets:
    """Token buckets shared by every API replica through Redis."""

    def __init__(self, url: str, fallback: MemoryBuckets | None = None) -> None:
        import redis.asyncio as redis

        self._client: Any = redis.Redis.from_url(url, socket_timeout=0.5)
        self._script = self._client.register_script(_TAKE)
        self.fallback = fallback or MemoryBuckets()
        self._failing = False

    async def take(self, key: str, limit: Limit) -> float:
        try:
            wait = float(
                await self._script(keys=[REDIS_PREFIX + key], args=[limit.per_second, limit.burst])
            )
        except Exception as error:
            if not self._failing:  # log the change of state, not every request
                log.warning("rate limits: Redis unavailable (%s); per-process buckets", error)
                self._failing = True
            return await self.fallback.take(key, limit)
        if self._failing:
            log.info("rate limits: Redis back")
            self._failing = False
        return wait


@dataclass(frozen=True)
class Limits:
    service: Limit
    officer: Limit
    anonymous: Limit

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
    client = scope.get("client")
    return "anonymous", "anonymous:" + (client[0] if client else "unknown")


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        kind, key = caller_of(scope, self.service_token)
        wait = await self.buckets.take(key, getattr(self.limits, kind))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        if self.metrics is not None:
            self.metrics.rate_limited.labels(kind).inc()
        retry_after = max(1, math.ceil(wait))
        response = JSONResponse(
            {"detail": f"too many requests; retry after {retry_after} s", "code": "rate_limited"},
            status_code=429,
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)


def make_buckets(settings: Settings) -> Buckets:
    if settings.redis_url:
        return RedisBuckets(settings.redis_url)
    return MemoryBuckets()
