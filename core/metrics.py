"""HTTP latency for every app we serve (the backend API, the gateway): one histogram's
buckets and the middleware that observes each request under its route template."""

from __future__ import annotations

import time
from typing import Protocol

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HasLatency(Protocol):
    """Whatever serves ``/metrics`` with an HTTP latency histogram (the API, the gateway)."""

    latency: Histogram


class LatencyMiddleware:
    """Observe every HTTP request's latency under its route template (bounded label values)."""

    def __init__(self, app: ASGIApp, metrics: HasLatency) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            route = scope.get("route")
            # Unmatched paths share one label: a scanner must not create a series per URL.
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.latency.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
