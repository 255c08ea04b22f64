"""A fake Telegram Bot API on 127.0.0.1 for python-telegram-bot to talk to.

PTB reaches it through ``Bot(token, base_url=fake.base_url)`` (``TELEGRAM_API_BASE_URL``).
It answers ``getMe``, ``setWebhook``, ``deleteWebhook``, ``getUpdates`` (long polling over
updates queued by a test), and records ``sendMessage``, ``answerCallbackQuery`` and every
other method. A test can make a chat answer 403 (blocked) or 429 (flood control).

In-process: ``with FakeTelegram() as fake: ...`` (served by uvicorn in a thread).
Another process: ``python -m tests.support.fake_telegram --port 8081``; then the control
endpoints ``GET /_fake/sent``, ``POST /_fake/updates``, ``POST /_fake/chat-behaviour`` and
``POST /_fake/reset`` do the same over HTTP (``FakeTelegramControl``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import threading
import time
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.local_server import LocalServer

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "MSME Grievance Desk",
    "username": "msme_desk_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def _decode(value: str) -> Any:
    # PTB form-encodes each parameter as JSON (numbers, objects) or as a bare string.
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self._message_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(100_000)
        # chat_id -> ("forbidden", None) | ("retry_after", seconds, remaining_times)
        self.chat_behaviour: dict[int, tuple[str, int, int]] = {}
        self.webhook: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._updates_changed: asyncio.Event | None = None
        self.app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._method, methods=["POST", "GET"]),
                Route("/_fake/sent", self._control_sent, methods=["GET"]),
                Route("/_fake/calls", self._control_calls, methods=["GET"]),
                Route("/_fake/updates", self._control_updates, methods=["POST"]),
                Route("/_fake/chat-behaviour", self._control_behaviour, methods=["POST"]),
                Route("/_fake/reset", self._control_reset, methods=["POST"]),
            ]
        )
        self._server: LocalServer | None = None
        self.port = 0

    # --- what tests look at ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                call["params"]
                for call in self.calls
                if call["method"] == method
                and (chat_id is None or int(call["params"].get("chat_id", 0)) == chat_id)
            ]

    def wait_for(
        self,
        count: int,
        method: str = "sendMessage",
        chat_id: int | None = None,
        timeout: float = 10.0,
    ) -> list[dict[str, Any]]:
        """Block until ``count`` calls were recorded (for tests driving another thread)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(method, chat_id)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        found = self.sent(method, chat_id)
        raise AssertionError(f"expected {count} {method} calls, got {len(found)}: {found[:5]}")

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
        return update

    def block(self, chat_id: int) -> None:
        self.chat_behaviour[chat_id] = ("forbidden", 0, 1 << 30)

    def flood(self, chat_id: int, retry_after: int, times: int = 1) -> None:
        self.chat_behaviour[chat_id] = ("retry_after", retry_after, times)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._updates.clear()
            self.chat_behaviour.clear()

    # --- serving ----------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTelegram:
        self._server = LocalServer(self.app).start(port)
        self.port = self._server.port
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- the Bot API ------------------------------------------------------------------------

    async def _method(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params: dict[str, Any]
        if request.headers.get("content-type", "").startswith("application/json"):
            params = await request.json()
        else:
            form = await request.form()
            params = {key: _decode(str(value)) for key, value in form.items()}
        with self._lock:
            self.calls.append({"method": method, "params": params, "at": time.time()})
        handler = getattr(self, f"_api_{method}", None)
        if handler is not None:
            return await handler(params)  # type: ignore[no-any-return]
        return _ok(True)

    async def _api_getMe(self, _params: dict[str, Any]) -> JSONResponse:
        return _ok(BOT_USER)

    async def _api_setWebhook(self, params: dict[str, Any]) -> JSONResponse:
        self.webhook = params
        return _ok(True)

    async def _api_deleteWebhook(self, _params: dict[str, Any]) -> JSONResponse:
        self.webhook = {}
        return _ok(True)

    async def _api_getUpdates(self, params: dict[str, Any]) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return _ok(ready)
            await asyncio.sleep(0.02)

    async def _api_sendMessage(self, params: dict[str, Any]) -> JSONResponse:
        chat_id = int(params["chat_id"])
        refusal = self._refusal(chat_id)
        if refusal is not None:
            return refusal
        return _ok(
            {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        )

    async def _api_editMessageReplyMarkup(self, _params: dict[str, Any]) -> JSONResponse:
        return _ok(True)

    def _refusal(self, chat_id: int) -> JSONResponse | None:
        behaviour = self.chat_behaviour.get(chat_id)
        if behaviour is None:
            return None
        kind, seconds, remaining = behaviour
        if remaining <= 0:
            return None
        self.chat_behaviour[chat_id] = (kind, seconds, remaining - 1)
        if kind == "forbidden":
            return _error(403, "Forbidden: bot was blocked by the user")
        return _error(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    # --- control over HTTP, for fakes in another process ----------------------------------------

    async def _control_sent(self, request: Request) -> JSONResponse:
        method = request.query_params.get("method", "sendMessage")
        chat = request.query_params.get("chat_id")
        return JSONResponse(self.sent(method, int(chat) if chat else None))

    async def _control_calls(self, _request: Request) -> JSONResponse:
        """Every call with its arrival time (``at``, epoch seconds), for benchmarks."""
        with self._lock:
            return JSONResponse(list(self.calls))

    async def _control_updates(self, request: Request) -> JSONResponse:
        return JSONResponse(self.queue_update(await request.json()))

    async def _control_behaviour(self, request: Request) -> JSONResponse:
        body = await request.json()
        chat_id = int(body["chat_id"])
        if body["kind"] == "forbidden":
            self.block(chat_id)
        else:
            self.flood(chat_id, int(body.get("retry_after", 1)), int(body.get("times", 1)))
        return JSONResponse({"ok": True})

    async def _control_reset(self, _request: Request) -> JSONResponse:
        self.reset()
        return JSONResponse({"ok": True})


class FakeTelegramControl:
    """The same look at a fake Telegram running in another process."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.base_url = f"{self.url}/bot"

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"method": method}
        if chat_id is not None:
            params["chat_id"] = chat_id
        response = httpx.get(f"{self.url}/_fake/sent", params=params, timeout=5)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def wait_for(
        self,
        count: int,
        method: str = "sendMessage",
        chat_id: int | None = None,
        timeout: float = 20.0,
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(method, chat_id)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        found = self.sent(method, chat_id)
        raise AssertionError(f"expected {count} {method} calls, got {len(found)}: {found[:5]}")

    def calls(self) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/_fake/calls", timeout=30)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def reset(self) -> None:
        httpx.post(f"{self.url}/_fake/reset", timeout=5).raise_for_status()


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=code)


def telegram_text_update(
    chat_id: int,
    text: str,
    *,
    update_id: int,
    first_name: str = "Asha",
    language_code: str = "en",
    chat_type: str = "private",
) -> dict[str, Any]:
    """A Bot API update for a text message, as Telegram POSTs it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": first_name},
            "from": {
                "id": chat_id,
                "is_bot": False,
                "first_name": first_name,
                "language_code": language_code,
            },
            "text": text,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Telegram Bot API on 127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    # Another address only inside a container of `make test-containers` (its own network).
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    uvicorn.run(FakeTelegram().app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
