"""The one HTTP client to the assistant: Rasa's gateway channel (``rasa_runtime/channels.py``,
Rasa's REST channel behind the shared secret), plus a reachability probe of the backend (the
assistant's custom actions depend on it).

``rasa_url`` may list several Rasa servers, comma-separated. Each sender goes to one of them,
chosen by a stable hash, so a conversation stays on one server (the open-source Redis lock store
is not atomic across servers); when that server refuses the connection the turn goes to the
next one (they share the tracker store), and a refusing server is tried last for a few seconds.
Only connection failures fail over: a request that reached a server may have changed its
tracker, so it is not sent again elsewhere (the inbox replays it once Rasa answers).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import TYPE_CHECKING, Any

import httpx

from channels.privacy import mask_sender
from core.requestid import HEADER as REQUEST_ID_HEADER
from core.requestid import current_request_id
from rasa_runtime.contract import SECRET_HEADER, WEBHOOK_PATH

if TYPE_CHECKING:
    from bot.metrics import GatewayMetrics

log = logging.getLogger(__name__)


class AssistantUnavailable(Exception):
    """Rasa (or the backend behind its actions) cannot take the message now; keep it."""


class RasaClient:
    metrics: GatewayMetrics | None = None  # set by the gateway

    def __init__(
        self,
        rasa_url: str,
        backend_url: str | None = None,
        *,
        secret: str,
        timeout: float = 30.0,
        health_ttl: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._rasa_urls = [u.strip().rstrip("/") for u in rasa_url.split(",") if u.strip()]
        self._down_until = dict.fromkeys(self._rasa_urls, 0.0)
        self._backend_url = backend_url.rstrip("/") if backend_url else None
        # A turn that runs a form action calls the backend; give it time, but not forever.
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=3.0),
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=50),
            transport=transport,
        )
        self._secret = secret
        self._health_ttl = health_ttl
        self._backend_ok_until = 0.0

    async def close(self) -> None:
        await self._client.aclose()

    def replicas_for(self, sender: str) -> list[str]:
        """The Rasa servers to try for ``sender``: its own first, then the others in turn;
        servers that just refused a connection go last."""
        first = int.from_bytes(hashlib.sha256(sender.encode()).digest()[:8], "big")
        first %= len(self._rasa_urls)
        ordered = self._rasa_urls[first:] + self._rasa_urls[:first]
        now = time.monotonic()
        return sorted(ordered, key=lambda url: self._down_until[url] > now)

    async def send(
        self, sender: str, message: str, metadata: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """One turn: the assistant's replies to ``message`` from ``sender``."""
        if not await self._backend_reachable():
            raise AssistantUnavailable("backend unreachable")
        # The turn's id goes to Rasa in the metadata; the actions send it to the backend.
        request_id = current_request_id.get()
        headers = {SECRET_HEADER: self._secret}
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
            metadata = {**metadata, "request_id": request_id}
        response: httpx.Response | None = None
        for rasa_url in self.replicas_for(sender):
            try:
                response = await self._client.post(
                    f"{rasa_url}{WEBHOOK_PATH}",
                    json={"sender": sender, "message": message, "metadata": metadata},
                    headers=headers,
                )
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                self._down_until[rasa_url] = time.monotonic() + 5.0
                if self.metrics is not None:
                    self.metrics.refused(rasa_url)
                log.warning("rasa at %s refused a connection (%s)", rasa_url, type(error).__name__)
            except httpx.HTTPError as error:
                raise AssistantUnavailable(f"rasa: {type(error).__name__}") from error
        if response is None:
            raise AssistantUnavailable("rasa: no server answered")
        if response.status_code >= 500:
            raise AssistantUnavailable(f"rasa: HTTP {response.status_code}")
        if response.status_code in (401, 403):
            # Rasa and the gateway disagree on RASA_SHARED_SECRET: keep the message (the inbox
            # replays it) until the operator fixes the setting.
            log.error(
                "rasa refused the gateway's RASA_SHARED_SECRET: HTTP %s", response.status_code
            )
            raise AssistantUnavailable(f"rasa: HTTP {response.status_code} (shared secret)")
        if response.status_code != 200:
            # A 4xx is a bug on our side, not an outage; retrying would not help.
            log.error(
                "rasa refused a message from %s: HTTP %s",
                mask_sender(sender),
                response.status_code,
            )
            return []
        replies = response.json()
        found = [r for r in replies if isinstance(r, dict)] if isinstance(replies, list) else []
        if self.metrics is not None:
            self.metrics.replies(str(metadata.get("channel") or "unknown"), len(found))
        return found

    async def is_up(self) -> bool:
        """A Rasa server and the backend answer HTTP (any status)."""
        for rasa_url in self._rasa_urls:
            try:
                await self._client.get(f"{rasa_url}/", timeout=3.0)
                break
            except httpx.HTTPError:
                continue
        else:
            return False
        self._backend_ok_until = 0.0
        return await self._backend_reachable()

    async def _backend_reachable(self) -> bool:
        """Any HTTP answer from the backend counts as up; cached for ``health_ttl`` seconds so
        that a turn does not pay for a probe."""
        if self._backend_url is None or time.monotonic() < self._backend_ok_until:
            return True
        try:
            await self._client.get(f"{self._backend_url}/", timeout=3.0)
        except httpx.HTTPError:
            return False
        self._backend_ok_until = time.monotonic() + self._health_ttl
        return True
