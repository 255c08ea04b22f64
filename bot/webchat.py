"""The built-in web chat: ``POST /webchat/messages`` answers with the assistant's replies in
the shape of Rasa's REST channel; pushed notifications (and replies to messages that were held
during an outage) wait in ``gateway_webchat_outbox`` until the page fetches them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import Any

from bot.inbox import Inbound
from bot.rasa_client import RasaClient
from bot.store import GatewayStore, StoredMessage
from channels.rendering import Reply, render_plain
from channels.texts import gateway_language, gateway_text
from infra.channels import sender_id

log = logging.getLogger(__name__)

WEB_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 4000
REPLY_WAIT = 30.0  # seconds a request waits for the assistant before the page polls instead


class InvalidWebMessage(ValueError):
    pass


def web_id_of(sender: str) -> str:
    """Accepts ``web:<id>`` or a bare ``<id>``; the id is random and chosen by the page."""
    web_id = sender.removeprefix("web:")
    if not WEB_ID.match(web_id):
        raise InvalidWebMessage("sender must be 8-64 letters, digits, '-' or '_'")
    return web_id


class WebChatChannel:
    name = "web"

    def __init__(self, store: GatewayStore, rasa: RasaClient) -> None:
        self._store = store
        self._rasa = rasa
        self._waiting: dict[int, asyncio.Future[list[dict[str, Any]]]] = {}

    def to_inbound(self, body: Any) -> Inbound:
        if not isinstance(body, dict):
            raise InvalidWebMessage("expected a JSON object {sender, text}")
        web_id = web_id_of(str(body.get("sender") or ""))
        text = str(body.get("text") or body.get("message") or "").strip()
        if not text:
            raise InvalidWebMessage("text is empty")
        if len(text) > MAX_TEXT:
            raise InvalidWebMessage(f"text is longer than {MAX_TEXT} characters")
        client_id = str(body.get("message_id") or "")
        if client_id and not WEB_ID.match(client_id):
            raise InvalidWebMessage("message_id must be 8-64 letters, digits, '-' or '_'")
        language = str(body.get("language") or "")
        return Inbound(
            dedup_key=f"web:{web_id}:{client_id or uuid.uuid4().hex}",
            channel=self.name,
            sender_id=sender_id("web", web_id),
            text=text,
            metadata={"kind": "text", "language": language},
        )

    def expect_reply(self, message_id: int) -> asyncio.Future[list[dict[str, Any]]]:
        future: asyncio.Future[list[dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._waiting[message_id] = future
        return future

    async def wait_reply(self, message_id: int) -> list[dict[str, Any]] | None:
        """The replies, or None if the assistant took too long (they will be pushed)."""
        future = self._waiting.get(message_id) or self.expect_reply(message_id)
        try:
            return await asyncio.wait_for(asyncio.shield(future), REPLY_WAIT)
        except TimeoutError:
            return None
        finally:
            self._waiting.pop(message_id, None)

    async def process(self, message: StoredMessage) -> None:
        metadata: dict[str, Any] = {"channel": self.name}
        if message.metadata.get("language"):
            metadata["language"] = message.metadata["language"]
        raw = await self._rasa.send(message.sender_id, message.text, metadata)
        rendered = [render_plain(Reply.from_rasa(r)) for r in raw]
        await self._deliver(message, rendered)

    async def held(self, message: StoredMessage, first: bool) -> None:
        language = gateway_language(message.metadata.get("language"), message.text)
        key = "assistant_unavailable" if first else "message_saved"
        future = self._waiting.get(message.id)
        if future is not None and not future.done():
            future.set_result([{"text": gateway_text(key, language)}])

    async def _deliver(self, message: StoredMessage, rendered: list[dict[str, Any]]) -> None:
        future = self._waiting.get(message.id)
        if future is not None and not future.done():
            future.set_result(rendered)
            return
        # Nobody is waiting (replayed after an outage or a restart): the page fetches it.
        web_id = message.sender_id.partition(":")[2]
        for index, item in enumerate(rendered):
            buttons = item.get("buttons")
            await self._store.call(
                self._store.push_webchat,
                web_id,
                str(item.get("text") or ""),
                buttons if isinstance(buttons, list) else None,
                f"reply:{message.id}:{index}",
            )
