"""The one way into the assistant: Rasa's REST channel, answering only the gateway.

``credentials.yml`` names this channel instead of Rasa's ``rest``; the gateway (``bot/``) posts
``{sender, message, metadata}`` to ``/webhooks/gateway/webhook`` with
``X-Rasa-Shared-Secret: $RASA_SHARED_SECRET``. Any other caller gets 401: without this check
any process that reaches Rasa could speak as any citizen (``wa:+91...``) and read their
tickets. ``GET /webhooks/gateway/`` (the channel's health) stays open. Rasa refuses to start
when the secret is missing or shorter than 32 characters (``rasa_runtime.contract``).

A turn that fails (Redis's lock store unreachable, a tracker store error) is answered 503, not
as Rasa's REST channel answers it, 200 with no message: the gateway then keeps the message,
tells the user once and sends it again when Rasa answers (found with `make test-containers`,
Redis's container killed: the answer was lost).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from rasa_runtime.contract import CHANNEL_NAME, SECRET_HEADER, presented, secret_from_env

# Set by a turn that raised; read after it in the same request (one task per request).
_turn_failed: ContextVar[bool] = ContextVar("turn_failed", default=False)


class GatewayInput(RestInput):
    """``RestInput`` behind the shared secret."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        return cls(secret_from_env())

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def turn(message: UserMessage) -> Any:
            try:
                return await on_new_message(message)
            except (Exception, asyncio.CancelledError):
                _turn_failed.set(True)  # RestInput logs it and would answer 200
                raise

        webhook = super().blueprint(turn)
        secret = self._secret

        @webhook.middleware("response")
        async def failed_turn_is_unavailable(request: Request, _response: Any) -> Any:
            if _turn_failed.get():
                return response.json({"error": "the turn failed; send it again"}, status=503)
            return None

        @webhook.middleware("request")
        async def require_shared_secret(request: Request) -> Any:
            _turn_failed.set(False)
            if request.method == "GET" and request.path.rstrip("/").endswith(CHANNEL_NAME):
                return None  # the channel's health check
            if not presented(request.headers.get(SECRET_HEADER), secret):
                return response.json({"error": "unauthorized"}, status=401)
            return None

        return webhook
