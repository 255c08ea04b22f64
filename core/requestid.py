"""One request id per request, on the response and on every log record written while serving it.

The id comes from the caller's ``X-Request-ID`` (the gateway passes its conversation id on, so
one grep follows a message from the gateway through Rasa and the actions to the backend) or is
made here when absent or unusable.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# Ids land in log lines and response headers: keep them short and free of spaces/control bytes.
_USABLE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def usable_request_id(value: str | None) -> str | None:
    if value and _USABLE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Honour or make ``X-Request-ID``, keep it in a contextvar, echo it on the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = usable_request_id(incoming) or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        token = current_request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Put the current request id on each record (the JSON formatter prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True
