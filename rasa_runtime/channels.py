"""The one way into the assistant: Rasa's REST channel, answering only the gateway.

``credentials.yml`` names this channel instead of Rasa's ``rest``; the gateway (``bot/``) posts
``{sender, message, metadata}`` to ``/webhooks/gateway/webhook`` with
``X-Rasa-Shared-Secret: $RASA_SHARED_SECRET``. Any other caller gets 401: without this check
any process that reaches Rasa could speak as any citizen (``wa:+91...``) and read their
tickets. ``GET /webhooks/gateway/`` (the channel's health) stays open. Rasa refuses to start
when the secret is missing or shorter than 32 characters (``rasa_runtime.contract``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from rasa_runtime.contract import CHANNEL_NAME, SECRET_HEADER, presented, secret_from_env


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
        webhook = super().blueprint(on_new_message)
        secret = self._secret

        @webhook.middleware("request")
        async def require_shared_secret(request: Request) -> Any:
            if request.method == "GET" and request.path.rstrip("/").endswith(CHANNEL_NAME):
                return None  # the channel's health check
            if not presented(request.headers.get(SECRET_HEADER), secret):
                return response.json({"error": "unauthorized"}, status=401)
            return None

        return webhook
