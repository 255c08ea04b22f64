"""The CPGRAMS API client: pages of grievances to pull, and status changes to write back.

The endpoint is CPGRAMS-shaped JSON over HTTPS, authenticated with a token
(``Authorization: Bearer <CPGRAMS_PULL_TOKEN>``):

- ``GET {base}/grievances?since_cursor=C&limit=N`` -> ``{"items": [...], "next_cursor": "...",
  "has_more": bool}``; no ``since_cursor`` on the first pull. ``items`` are rows as the import
  reads them (``backend/imports.py``); ``next_cursor`` is where the next page starts.
- ``POST {base}/grievances/{registration_number}/status`` ``{status, note, at}`` (the
  registration number percent-encoded whole: CPGRAMS numbers hold slashes).

One client per process for both (the worker's pull and its status sender), with timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from channels.outbound import OutboundNotification, SendResult

TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class CpgramsUnavailable(Exception):
    """A page could not be had: network, timeout, an HTTP error or an answer not of the agreed
    shape. The message says which, without the answer's content (it may hold personal data)."""


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None
    has_more: bool


class CpgramsClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: httpx.Timeout | float = TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch_page(self, cursor: str | None, limit: int) -> Page:
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["since_cursor"] = cursor
        try:
            response = await self._client.get("/grievances", params=params)
        except httpx.TimeoutException as error:
            raise CpgramsUnavailable(f"timed out ({type(error).__name__})") from None
        except httpx.HTTPError as error:
            raise CpgramsUnavailable(f"network: {type(error).__name__}") from None
        if response.status_code != 200:
            raise CpgramsUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise CpgramsUnavailable("the answer is not JSON") from None
        return _page(body, cursor)

    async def post_status(
        self, registration_number: str, status: str, note: str, at: datetime | None
    ) -> httpx.Response:
        """One status change; httpx's errors (network, timeout) are the caller's to judge."""
        path = f"/grievances/{quote(registration_number, safe='')}/status"
        body = {"status": status, "note": note, "at": at.isoformat() if at else None}
        return await self._client.post(path, json=body)


def _page(body: Any, cursor: str | None) -> Page:
    if not isinstance(body, dict):
        raise CpgramsUnavailable("the answer is not a JSON object")
    items, next_cursor, has_more = body.get("items"), body.get("next_cursor"), body.get("has_more")
    if not isinstance(items, list):
        raise CpgramsUnavailable("the answer has no list of items")
    if not isinstance(has_more, bool):
        raise CpgramsUnavailable("the answer's has_more is not true or false")
    if next_cursor is not None and not isinstance(next_cursor, str | int):
        raise CpgramsUnavailable("the answer's next_cursor is not a string")
    following = None if next_cursor is None else str(next_cursor)
    # A page that says "more" must say where the more starts, and move: else the pull would
    # read the same page for ever.
    if has_more and (following is None or following == cursor):
        raise CpgramsUnavailable("has_more without a new next_cursor")
    return Page(items, following, has_more)


class CpgramsStatusSender:
    """Writes a status change back to CPGRAMS: the notification's user id is the registration
    number, its status the ticket's new status, its text the officer's note."""

    def __init__(self, client: CpgramsClient) -> None:
        self.client = client

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(self, notification: OutboundNotification) -> SendResult:
        try:
            response = await self.client.post_status(
                notification.channel_user_id,
                notification.status or "",
                notification.text,
                notification.changed_at,
            )
        except httpx.HTTPError as error:
            return SendResult("retry", error=f"cpgrams: {type(error).__name__}")
        code = response.status_code
        if code < 300:
            return SendResult("sent", provider_message_id=f"cpgrams:{notification.id}")
        if code in (400, 404, 405, 410, 422):  # the portal does not take this change: final
            return SendResult("undeliverable", error=f"cpgrams HTTP {code}")
        # 5xx, 429, and 401/403 (a token being rotated): kept and tried again.
        retry_after = response.headers.get("Retry-After", "")
        return SendResult(
            "retry",
            retry_after=float(retry_after) if retry_after.isdigit() else None,
            error=f"cpgrams HTTP {code}",
        )
