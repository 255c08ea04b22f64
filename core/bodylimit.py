"""One body limit for every HTTP app we serve (the backend API and the gateway).

A body is refused with 413 once it passes ``MAX_BODY_BYTES``, whether its length is announced
(``Content-Length``) or not (``Transfer-Encoding: chunked``): a chunked body is counted as it
streams, and the read that passes the limit raises, so nothing beyond it is read or parsed.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """Raised into the app by the read that passes the limit."""


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, announced or streamed.

    Some handlers catch every error on purpose (a webhook answers its provider 200 rather than
    have it redeliver a broken update forever), so the app's own answer to an over-long body
    is dropped and the 413 sent instead, unless the app had already begun to answer.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, wider: dict[str, int] | None = None) -> None:
        """``wider``: path prefix -> the limit there (a batch endpoint such as the pulse
        reader's, whose items are bounded by its own validation)."""
        self.app = app
        self.max_bytes = max_bytes
        self.wider = dict(wider or {})

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.wider.items():
            if path.startswith(prefix):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_for(scope["path"])
        if _announced_length(scope) > max_bytes:
            await _too_large(scope, receive, send, max_bytes)
            return
        seen = 0
        exceeded = started = False

        async def limited() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # answered with the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except Exception:
            if not exceeded or started:
                raise
        if exceeded and not started:
            await _too_large(scope, receive, send, max_bytes)


def _announced_length(scope: Scope) -> int:
    """The Content-Length sent, or 0 when none (or an unreadable one) was."""
    for name, value in scope.get("headers", []):
        if name == b"content-length" and value.isdigit():
            return int(value)
    return 0


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = JSONResponse(
        {"detail": f"request body over {limit // 1024} KB"},
        status_code=413,
    )
    await response(scope, receive, send)
