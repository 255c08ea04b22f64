"""Twilio faked below the library: a ``twilio.http.HttpClient`` that records requests.

The API host is fixed inside twilio, so the fake sits at its HTTP client:
``Client(sid, token, http_client=FakeTwilioHttpClient())``. ``messages.create`` gets a
message resource back (``sid`` ``SM...``, status ``queued``); a test can queue failures.
Webhooks to the gateway are signed with ``signed_form`` (twilio's ``RequestValidator``).
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from typing import Any
from urllib.parse import parse_qs

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
            form = dict(data or {})
            sid = f"SM{next(self._sids):032x}"
            return Response(
                201,
                json.dumps(
                    {
                        "sid": sid,
                        "account_sid": ACCOUNT_SID,
                        "status": "queued",
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "num_segments": "1",
                        "direction": "outbound-api",
                        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
                    }
                ),
            )
        return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))

    def messages(self) -> list[dict[str, Any]]:
        """The form of every Messages.create request, in order."""
        with self._lock:
            return [
                r["data"]
                for r in self.requests
                if r["method"] == "POST" and r["uri"].endswith("/Messages.json")
            ]


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
