"""A tiny local HTTP server standing in for Rasa's gateway channel, at the gateway's edge.

For the gateway's unit tests and benchmarks only (the end-to-end tests use the real Rasa).
Like the real channel (rasa_runtime/channels.py) it answers 401 to a turn without the shared
secret. It records every ``POST /webhooks/gateway/webhook`` and answers with
``replies_for(message)``: by default ``[{"text": "echo: <message>"}]``; a test can set fixed
replies per message, a delay, or stop the server to make Rasa "down" and start it again on
the same port.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rasa_runtime.contract import SECRET_HEADER, WEBHOOK_PATH, presented
from tests.support.local_server import LocalServer
from tests.support.processes import RASA_SHARED_SECRET

Replies = list[dict[str, Any]]


class RasaStandIn:
    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.replies: dict[str, Replies] = {}
        self.reply_with: Callable[[dict[str, Any]], Replies] | None = None
        self.delays: dict[str, float] = {}  # message text -> seconds to wait before answering
        self._lock = threading.Lock()
        app = Starlette(
            routes=[
                Route("/", self._root, methods=["GET"]),
                Route(WEBHOOK_PATH, self._turn, methods=["POST"]),
            ]
        )
        self.server = LocalServer(app)

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> RasaStandIn:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def messages(self, sender: str | None = None) -> list[str]:
        with self._lock:
            return [r["message"] for r in self.received if sender is None or r["sender"] == sender]

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
        self.replies.clear()
        self.delays.clear()
        self.reply_with = None

    async def _root(self, _request: Request) -> JSONResponse:
        return JSONResponse({"version": "stand-in"})

    async def _turn(self, request: Request) -> JSONResponse:
        if not presented(request.headers.get(SECRET_HEADER), RASA_SHARED_SECRET):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        body = await request.json()
        delay = self.delays.get(body.get("message", ""))
        if delay:
            await asyncio.sleep(delay)
        with self._lock:
            self.received.append(body)
        if self.reply_with is not None:
            return JSONResponse(self.reply_with(body))
        message = body.get("message", "")
        replies = self.replies.get(message, [{"text": f"echo: {message}"}])
        return JSONResponse([{"recipient_id": body.get("sender"), **reply} for reply in replies])


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a stand-in for Rasa's REST channel")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    stand_in = RasaStandIn()
    uvicorn.run(stand_in.server.app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
