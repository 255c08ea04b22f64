"""Twilio faked below the library, in two ways; both record what was sent.

- In-process: a ``twilio.http.HttpClient`` that records requests:
  ``Client(sid, token, http_client=FakeTwilioHttpClient())``. ``messages.create`` gets a
  message resource back (``sid`` ``SM...``, status ``queued``); a test can queue failures.
- A local HTTP server, for separate processes (the worker and the gateway in end-to-end tests):
  ``python -m tests.support.fake_twilio --port 8444``, reached through
  ``TWILIO_API_BASE_URL=http://127.0.0.1:8444`` (``channels.senders.LocalTwilioHttpClient``). It
  answers ``POST /2010-04-01/Accounts/{sid}/Messages.json`` as Twilio does (HTTP Basic auth with
  the account sid, 201 with the message resource) and records the form; ``GET /_fake/messages``,
  ``POST /_fake/fail`` and ``POST /_fake/reset`` control it (``FakeTwilioControl``).

Webhooks to the gateway are signed with ``signed_form`` (twilio's ``RequestValidator``).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import logging
import threading
import time
from typing import Any
from urllib.parse import parse_qs

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
WHATSAPP_FROM = "whatsapp:+14155238886"


class FakeTwilioHttpClient(HttpClient):
    def __init__(self) -> None:
        super().__init__(logger=logging.getLogger("fake_twilio"), is_async=False)
        self.requests: list[dict[str, Any]] = []
        self._sids = itertools.count(1)
        self._failures: list[tuple[int, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def fail_next(self, status: int, code: int, message: str = "error") -> None:
        """The next Messages request answers with this Twilio error."""
        self._failures.append((status, {"code": code, "message": message, "status": status}))

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        with self._lock:
            self.requests.append(
                {"method": method, "uri": uri, "data": dict(data or {}), "auth": auth}
            )
            if self._failures:
                status, body = self._failures.pop(0)
                return Response(status, json.dumps(body))
        if method == "POST" and uri.endswith("/Messages.json"):
            sid = f"SM{next(self._sids):032x}"
            return Response(201, json.dumps(message_resource(sid, dict(data or {}))))
        return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))

    def messages(self) -> list[dict[str, Any]]:
        """The form of every Messages.create request, in order."""
        with self._lock:
            return [
                r["data"]
                for r in self.requests
                if r["method"] == "POST" and r["uri"].endswith("/Messages.json")
            ]


def message_resource(
    sid: str, form: dict[str, Any], account_sid: str = ACCOUNT_SID
) -> dict[str, Any]:
    """The message resource Twilio answers a Messages.create with."""
    return {
        "sid": sid,
        "account_sid": account_sid,
        "status": "queued",
        "to": form.get("To"),
        "from": form.get("From"),
        "body": form.get("Body"),
        "num_segments": "1",
        "direction": "outbound-api",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
    }


class FakeTwilioApi:
    """The Messages endpoint of Twilio's REST API as a local HTTP server (an ASGI app)."""

    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN) -> None:
        self._credentials = (account_sid, auth_token)
        self.messages: list[dict[str, Any]] = []
        self._sids = itertools.count(1)
        self._failures: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route(
                    "/2010-04-01/Accounts/{account_sid}/Messages.json",
                    self._create_message,
                    methods=["POST"],
                ),
                Route("/_fake/messages", self._control_messages, methods=["GET"]),
                Route("/_fake/fail", self._control_fail, methods=["POST"]),
                Route("/_fake/reset", self._control_reset, methods=["POST"]),
            ]
        )

    def _authorized(self, request: Request, account_sid: str) -> bool:
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic" or account_sid != self._credentials[0]:
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return (user, password) == self._credentials

    async def _create_message(self, request: Request) -> JSONResponse:
        account_sid = request.path_params["account_sid"]
        if not self._authorized(request, account_sid):
            return JSONResponse(
                {"code": 20003, "message": "Authenticate", "status": 401}, status_code=401
            )
        form = {key: str(value) for key, value in (await request.form()).items()}
        with self._lock:
            if self._failures:
                status, code = self._failures.pop(0)
                return JSONResponse(
                    {"code": code, "message": "fake failure", "status": status}, status_code=status
                )
            sid = f"SM{next(self._sids):032x}"
            self.messages.append({**form, "_sid": sid, "_at": time.time()})
        return JSONResponse(message_resource(sid, form, account_sid), status_code=201)

    async def _control_messages(self, request: Request) -> JSONResponse:
        to = request.query_params.get("to")
        with self._lock:
            found = [m for m in self.messages if to is None or m.get("To") == to]
        return JSONResponse(found)

    async def _control_fail(self, request: Request) -> JSONResponse:
        body = await request.json()
        with self._lock:
            self._failures.append((int(body["status"]), int(body["code"])))
        return JSONResponse({"ok": True})

    async def _control_reset(self, _request: Request) -> JSONResponse:
        with self._lock:
            self.messages.clear()
            self._failures.clear()
        return JSONResponse({"ok": True})


class FakeTwilioControl:
    """A look at a ``FakeTwilioApi`` running in another process (or thread)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """The form of every Messages.create accepted (to ``whatsapp:+...`` if given), plus
        ``_sid`` and ``_at`` (time received)."""
        params = {"to": to} if to else {}
        response = httpx.get(f"{self.url}/_fake/messages", params=params, timeout=10)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def fail_next(self, status: int, code: int) -> None:
        httpx.post(
            f"{self.url}/_fake/fail", json={"status": status, "code": code}, timeout=5
        ).raise_for_status()

    def reset(self) -> None:
        httpx.post(f"{self.url}/_fake/reset", timeout=5).raise_for_status()


def signed_form(
    url: str, form: dict[str, str], token: str = AUTH_TOKEN
) -> tuple[dict[str, str], dict[str, str]]:
    """The form and headers Twilio would POST to ``url``, signed as Twilio signs it."""
    signature = RequestValidator(token).compute_signature(url, form)
    return form, {"X-Twilio-Signature": signature}


def whatsapp_inbound(
    message_sid: str,
    from_number: str,
    body: str,
    media: list[tuple[str, str]] | None = None,
    profile_name: str = "Asha Devi",
) -> dict[str, str]:
    """The form of an inbound WhatsApp message as Twilio POSTs it."""
    form = {
        "MessageSid": message_sid,
        "SmsMessageSid": message_sid,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{from_number}",
        "To": WHATSAPP_FROM,
        "Body": body,
        "NumMedia": str(len(media or [])),
        "ProfileName": profile_name,
        "WaId": from_number.lstrip("+"),
    }
    for index, (url, content_type) in enumerate(media or []):
        form[f"MediaUrl{index}"] = url
        form[f"MediaContentType{index}"] = content_type
    return form


def parse_form(body: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(body).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a fake Twilio REST API on 127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    # Another address only inside a container of `make test-containers` (its own network).
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    uvicorn.run(FakeTwilioApi().app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
