"""The providers' clients the senders and the gateway share: python-telegram-bot's ``Bot``
over aiohttp, and twilio's ``Client`` (each pointed at a local fake in tests)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telegram import Bot
    from twilio.rest import Client as TwilioClient


def make_telegram_bot(token: str, api_base_url: str = "", *, connections: int = 64) -> Bot:
    """PTB's ``Bot`` over aiohttp (``channels/telegram_request.py``: a fraction of httpx's CPU per
    request), with up to ``connections`` requests in flight; long polling gets a connection
    of its own. ``TELEGRAM_API_BASE_URL`` points it at a local fake in tests."""
    from telegram import Bot

    from channels.telegram_request import AiohttpRequest

    requests: dict[str, Any] = {
        "request": AiohttpRequest(connection_pool_size=connections),
        "get_updates_request": AiohttpRequest(connection_pool_size=1),
    }
    if api_base_url:
        return Bot(token, base_url=api_base_url, **requests)
    return Bot(token, **requests)


TWILIO_API_ORIGIN = "https://api.twilio.com"


@functools.cache
def _local_twilio_http_client_class() -> Any:
    """``LocalTwilioHttpClient``, made on first use: twilio is imported only where WhatsApp
    is configured (``channels.clients.LocalTwilioHttpClient`` still names it: ``__getattr__``)."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.http.response import Response as TwilioResponse

    class LocalTwilioHttpClient(TwilioHttpClient):
        """twilio's own HTTP client, sending what it would send to ``api.twilio.com`` to
        another origin instead (``TWILIO_API_BASE_URL``: a local fake Twilio in end-to-end
        tests and benchmarks, where the worker and the gateway are separate processes)."""

        def __init__(self, api_base_url: str, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.api_base_url = api_base_url.rstrip("/")

        def request(
            self,
            method: str,
            url: str,
            params: dict[str, object] | None = None,
            data: dict[str, object] | None = None,
            headers: dict[str, str] | None = None,
            auth: tuple[str, str] | None = None,
            timeout: float | None = None,
            allow_redirects: bool = False,
        ) -> TwilioResponse:
            if url.startswith(TWILIO_API_ORIGIN):
                url = self.api_base_url + url[len(TWILIO_API_ORIGIN) :]
            return super().request(
                method, url, params, data, headers, auth, timeout, allow_redirects
            )

    return LocalTwilioHttpClient


def __getattr__(name: str) -> Any:
    if name == "LocalTwilioHttpClient":
        return _local_twilio_http_client_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def make_twilio_client(account_sid: str, auth_token: str, api_base_url: str = "") -> TwilioClient:
    """twilio's ``Client``; ``TWILIO_API_BASE_URL`` points it at a local fake in tests."""
    from twilio.rest import Client as TwilioClient

    if api_base_url:
        http_client = _local_twilio_http_client_class()(api_base_url, timeout=10.0)
        return TwilioClient(account_sid, auth_token, http_client=http_client)
    return TwilioClient(account_sid, auth_token)
