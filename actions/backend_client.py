"""The backend's service API, as the action server uses it (async httpx, timeouts, token).

One ``BackendClient`` per event loop, made on first use (never at import time), so its
connection pool is reused across turns. Failures become two exceptions the actions can word
for the user: ``BackendUnavailable`` (down, timeout, 5xx: try again later) and
``BackendRefused`` (4xx: the request itself was not acceptable; ``status`` and ``detail``).

``backend(tracker)`` passes the gateway's id for the turn (``metadata.request_id`` of the
latest user message) to the backend as ``X-Request-ID``, so one id follows a message from the
gateway through Rasa and the actions into the backend's log lines.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from actions.settings import Settings, get_settings
from infra.channels import CHANNELS, parse_sender

log = logging.getLogger(__name__)

# Waits before sending a refused create again (7.5 s in all, well inside the gateway's wait
# for a turn): enough for a backend that was restarted.
CONNECT_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)

REQUEST_ID_HEADER = "X-Request-ID"
# What the backend accepts as a request id (core/requestid.py); anything else is not sent.
_USABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


class HasLatestMessage(Protocol):
    """What ``backend(tracker)`` reads of a rasa-sdk ``Tracker``."""

    latest_message: dict[str, Any]
    events: list[dict[str, Any]]


class BackendUnavailable(Exception):
    """The backend did not answer usefully; the same request may work later."""


class BackendRefused(Exception):
    """The backend answered 4xx: retrying the same request will not help."""

    def __init__(self, status: int, detail: str, code: str | None = None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.code = code  # the backend's machine-readable reason ("ticket_final"), if any


@dataclass(frozen=True)
class ChatIdentity:
    """Who is asking, as the backend knows them: the channel and the id within it."""

    channel: str
    channel_user_id: str

    def as_params(self) -> dict[str, str]:
        return {"channel": self.channel, "channel_user_id": self.channel_user_id}


def identity_from_sender(sender_id: str, metadata: dict[str, Any] | None = None) -> ChatIdentity:
    """``tg:123`` -> telegram/123, ``wa:+9198...`` -> whatsapp/+9198..., ``web:abc`` -> web/abc.

    The gateway may also say the channel in the message metadata; an unprefixed sender (e.g.
    ``rasa shell``) is a web user under its whole id."""
    said = (metadata or {}).get("channel")
    channel = said if isinstance(said, str) and said in CHANNELS else None
    parsed = parse_sender(sender_id)
    if parsed is not None:
        known, rest = parsed
        return ChatIdentity(channel or known.name, rest)
    return ChatIdentity(channel or "web", sender_id)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    if isinstance(detail, list):  # FastAPI validation errors
        return "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', [])[1:])}: {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        ) or str(detail)
    return str(detail)


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return str(code) if code else None


def request_id_of(tracker: HasLatestMessage) -> str | None:
    """The gateway's id for this turn, from the latest user message's metadata (in the parse
    data when Rasa copies it there, else on the latest ``user`` event, where it always is)."""
    metadata = (tracker.latest_message or {}).get("metadata")
    if not isinstance(metadata, dict) or "request_id" not in metadata:
        user: dict[str, Any] = next(
            (e for e in reversed(tracker.events) if e.get("event") == "user"), {}
        )
        metadata = user.get("metadata")
    value = metadata.get("request_id") if isinstance(metadata, dict) else None
    if isinstance(value, str) and _USABLE_REQUEST_ID.fullmatch(value):
        return value
    return None


class BackendClient:
    request_id: str | None = None

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self._create_timeout = httpx.Timeout(
            settings.create_timeout, connect=settings.connect_timeout
        )
        headers = {"Accept": "application/json"}
        if settings.service_token:
            headers["Authorization"] = f"Bearer {settings.service_token}"
        self._http = httpx.AsyncClient(
            base_url=settings.backend_url,
            headers=headers,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def for_request(self, request_id: str | None) -> BackendClient:
        """This client (same connection pool) sending ``request_id`` as ``X-Request-ID``."""
        if request_id == self.request_id:
            return self
        bound = copy.copy(self)
        bound.request_id = request_id
        return bound

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._send(method, path, **kwargs)
        except httpx.HTTPError as exc:  # connect errors, timeouts, broken connections
            raise BackendUnavailable(f"{method} {path}: {exc!r}") from exc
        return self._checked(method, path, response)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self.request_id:
            kwargs["headers"] = {**kwargs.get("headers", {}), REQUEST_ID_HEADER: self.request_id}
        return await self._http.request(method, path, **kwargs)

    @staticmethod
    def _checked(method: str, path: str, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 500:
            raise BackendUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise BackendRefused(response.status_code, _detail(response), _code(response))
        return response

    async def create_ticket(self, ticket: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/tickets; the same ``idempotency_key`` again returns the same ticket.

        A create is given more time than a lookup; after a timeout it is sent once more, and
        after a refused connection up to four more times with growing waits, always with the
        same body: the idempotency key makes a repeat return the ticket an earlier attempt
        may already have made, so the citizen is told "filed" once, or "not filed" only when
        the backend really is not there.
        """
        path = "/api/v1/tickets"
        timeouts = refusals = 0
        while True:
            try:
                response = await self._send("POST", path, json=ticket, timeout=self._create_timeout)
                break
            except httpx.TimeoutException as exc:
                timeouts += 1
                if timeouts >= 2:
                    raise BackendUnavailable(f"POST {path}: {exc!r}") from exc
                log.warning("creating a ticket timed out; retrying once")
                await asyncio.sleep(0.5)
            except httpx.TransportError as exc:
                # Refused or reset: a backend restarting is back within seconds, so wait a
                # little longer each time before telling the citizen it was not filed.
                if refusals >= len(CONNECT_RETRY_DELAYS):
                    raise BackendUnavailable(f"POST {path}: {exc!r}") from exc
                delay = CONNECT_RETRY_DELAYS[refusals]
                refusals += 1
                log.warning(
                    "creating a ticket failed (%s); retrying in %.1f s", type(exc).__name__, delay
                )
                await asyncio.sleep(delay)
            except httpx.HTTPError as exc:
                raise BackendUnavailable(f"POST {path}: {exc!r}") from exc
        return self._checked("POST", path, response).json()

    async def get_ticket(self, number: str, who: ChatIdentity) -> dict[str, Any] | None:
        try:
            response = await self._request(
                "GET", f"/api/v1/tickets/{number}", params=who.as_params()
            )
        except BackendRefused as exc:
            if exc.status == 404:
                return None
            raise
        return response.json()

    async def list_tickets(self, who: ChatIdentity) -> list[dict[str, Any]]:
        body = (await self._request("GET", "/api/v1/tickets", params=who.as_params())).json()
        if isinstance(body, dict):  # {"tickets": [...]} or {"items": [...]}
            body = body.get("tickets", body.get("items", []))
        return list(body)

    async def send_message(
        self, number: str, who: ChatIdentity, text: str, language: str | None = None
    ) -> dict[str, Any]:
        """The citizen's message to the officer; ``language`` (the conversation's) is the one
        the ticket's later notifications are written in."""
        body: dict[str, Any] = {**who.as_params(), "text": text}
        if language:
            body["language"] = language
        response = await self._request("POST", f"/api/v1/tickets/{number}/messages", json=body)
        return response.json() if response.content else {}

    async def send_feedback(
        self,
        number: str,
        who: ChatIdentity,
        rating: int,
        comment: str | None = None,
        reopen: bool = False,
        language: str | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {**who.as_params(), "rating": rating, "reopen": reopen}
        if language:
            body["language"] = language
        if comment:
            body["comment"] = comment
        response = await self._request("POST", f"/api/v1/tickets/{number}/feedback", json=body)
        return response.json() if response.content else {}

    async def preview_route(
        self, description: str, category: str | None, state: str | None
    ) -> dict[str, Any]:
        body = {"description": description, "category": category, "state": state}
        return (await self._request("POST", "/api/v1/route/preview", json=body)).json()

    async def search_schemes(self, question: str, k: int = 3) -> dict[str, Any]:
        params: dict[str, str | int] = {"q": question, "k": k}
        return (await self._request("GET", "/api/v1/schemes/search", params=params)).json()


_clients: dict[asyncio.AbstractEventLoop, BackendClient] = {}


def backend(tracker: HasLatestMessage | None = None) -> BackendClient:
    """The client for the running event loop (the action server has one loop; tests many),
    carrying ``tracker``'s request id when given."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        for stale in [known for known in _clients if known.is_closed()]:
            del _clients[stale]
        client = _clients[loop] = BackendClient(get_settings())
    return client.for_request(request_id_of(tracker)) if tracker is not None else client
