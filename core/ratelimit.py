"""Token buckets for rate limits, in this process or shared through Redis.

The backend API limits callers per token (``backend/ratelimit.py``), the gateway limits chat
senders (``bot/throttle.py``); both take from these buckets. Buckets live in this process by
default; with ``REDIS_URL`` set they live in Redis, updated atomically by one script on
Redis's own clock, so replicas share them. If Redis stops answering, the process falls back to
its own buckets rather than refusing or waving through everything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from core.config import Settings

log = logging.getLogger(__name__)

REDIS_PREFIX = "grievance:ratelimit:"


@dataclass(frozen=True)
class Limit:
    per_second: float
    burst: int


class Buckets(Protocol):
    async def take(self, key: str, limit: Limit, cost: float = 1.0) -> float:
        """Take ``cost`` tokens; return 0 when allowed, else the seconds until they are
        available (nothing taken). A negative cost gives tokens back (up to the burst)."""
        ...


class MemoryBuckets:
    """Token buckets in this process (one API process, or tests)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._state: dict[str, tuple[float, float]] = {}

    async def take(self, key: str, limit: Limit, cost: float = 1.0) -> float:
        return self.take_now(key, limit, cost)

    def take_now(self, key: str, limit: Limit, cost: float = 1.0) -> float:
        now = self.clock()
        tokens, at = self._state.get(key, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + max(0.0, now - at) * limit.per_second)
        wait = 0.0
        if tokens >= cost:
            tokens = min(float(limit.burst), tokens - cost)
        else:
            wait = (cost - tokens) / limit.per_second
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
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= cost then
  tokens = math.min(burst, tokens - cost)
else
  wait = (cost - tokens) / rate
end
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

    async def take(self, key: str, limit: Limit, cost: float = 1.0) -> float:
        try:
            wait = float(
                await self._script(
                    keys=[REDIS_PREFIX + key], args=[limit.per_second, limit.burst, cost]
                )
            )
        except Exception as error:
            if not self._failing:  # log the change of state, not every request
                log.warning("rate limits: Redis unavailable (%s); per-process buckets", error)
                self._failing = True
            return await self.fallback.take(key, limit, cost)
        if self._failing:
            log.info("rate limits: Redis back")
            self._failing = False
        return wait


def make_buckets(settings: Settings) -> Buckets:
    if settings.redis_url:
        return RedisBuckets(settings.redis_url)
    return MemoryBuckets()
