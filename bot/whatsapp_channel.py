"""WhatsApp in and out, through the twilio library.

Twilio POSTs inbound messages to ``/whatsapp/webhook`` and delivery callbacks to
``/whatsapp/status``; both are signed (``X-Twilio-Signature``) over the public URL Twilio
called, which is ``PUBLIC_BASE_URL`` + path (+ query), and checked with twilio's
``RequestValidator``. Replies go out with ``Client.messages.create``. Buttons become numbered
options, answered by number or text. Media is kept: the user is told, its URL is recorded for
the conversation and handed to the assistant with every later message, so the ticket being
filed can carry it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.inbox import Inbound
from bot.rasa_client import RasaClient
from bot.store import GatewayStore, StoredMessage
from channels.rendering import Button, Reply, match_option, render_whatsapp
from channels.tables import utcnow
from channels.texts import gateway_language, gateway_text
from infra.channels import sender_id
from infra.masking import mask_name, mask_phone

if TYPE_CHECKING:
    from twilio.rest import Client as TwilioClient

# twilio (with requests: ~5 MB) is imported where WhatsApp is used, not by every gateway.

log = logging.getLogger(__name__)

# Attachments sent within this time are offered to the assistant for the ticket being filed.
ATTACHMENT_HORIZON = timedelta(hours=24)
MAX_MEDIA = 10  # Twilio's own limit per message


def whatsapp_number(address: str) -> str:
    """``whatsapp:+919876543210`` -> ``+919876543210``."""
    return address.removeprefix("whatsapp:").strip()


class WhatsAppChannel:
    name = "whatsapp"

    def __init__(
        self,
        client: TwilioClient | None,
        store: GatewayStore,
        rasa: RasaClient,
        *,
        auth_token: str,
        whatsapp_from: str,
        public_base_url: str,
    ) -> None:
        self.client = client
        self._store = store
        self._rasa = rasa
        self._validator = None
        if auth_token:
            from twilio.request_validator import RequestValidator

            self._validator = RequestValidator(auth_token)
        self._from = (
            whatsapp_from if whatsapp_from.startswith("whatsapp:") else f"whatsapp:{whatsapp_from}"
        )
        self._public_base_url = public_base_url.rstrip("/")

    # --- inbound ----------------------------------------------------------------------------

    def signature_status(
        self,
        path_and_query: str,
        form: Any,
        signature: str | None,
        settings_header: str | None = None,
    ) -> int:
        """200 if Twilio signed this request; 401 without a signature, 403 if it is wrong.

        Twilio signs the URL it called: the public one, not what a proxy hands us.
        """
        if not signature:
            return 401
        if self._validator is None or not self._public_base_url:
            log.error("twilio webhook refused: TWILIO_AUTH_TOKEN or PUBLIC_BASE_URL not set")
            return 403
        from twilio.request_validator import get_signature_algorithm

        url = f"{self._public_base_url}{path_and_query}"
        algorithm = get_signature_algorithm(settings_header)
        if not self._validator.validate(url, form, signature, algorithm):
            return 403
        return 200

    def to_inbound(self, form: Mapping[str, str]) -> Inbound | None:
        message_sid = form.get("MessageSid") or form.get("SmsMessageSid")
        sender = whatsapp_number(form.get("From", ""))
        if not message_sid or not sender:
            return None
        media: list[dict[str, str]] = []
        try:
            count = min(int(form.get("NumMedia") or 0), MAX_MEDIA)
        except ValueError:
            count = 0
        for index in range(count):
            url = form.get(f"MediaUrl{index}")
            if url:
                media.append({"url": url, "content_type": form.get(f"MediaContentType{index}", "")})
        # A quick-reply button on a template answers with its payload.
        text = (form.get("ButtonPayload") or form.get("Body") or "").strip()
        kind = "text" if text else ("media" if media else "unsupported")
        if media and text:
            kind = "text"
        log.debug(
            "whatsapp message from %s (%s)", mask_phone(sender), mask_name(form.get("ProfileName"))
        )
        return Inbound(
            dedup_key=f"wa:{message_sid}",
            channel=self.name,
            sender_id=sender_id("whatsapp", sender),
            text=text,
            metadata={"kind": kind, "media": media, "message_sid": message_sid},
        )

    # --- processing (called by the inbox, in order per sender) --------------------------------

    async def process(self, message: StoredMessage) -> None:
        number = message.sender_id.partition(":")[2]
        kind = message.metadata.get("kind", "text")
        language = gateway_language(message.text)
        media = message.metadata.get("media") or []
        if media:
            await self._store.call(
                self._store.add_attachments,
                message.sender_id,
                message.metadata.get("message_sid", str(message.id)),
                media,
            )
            await self.send_replies(number, [Reply(gateway_text("attachment_kept", language))])
        if kind == "unsupported":
            await self.send_replies(number, [Reply(gateway_text("unsupported_message", language))])
            return
        if kind != "text":
            return
        text = message.text
        options = await self._store.call(self._store.options, message.sender_id)
        if options:
            chosen = match_option(
                text, [Button(title=o["title"], payload=o["payload"]) for o in options]
            )
            text = chosen or text
            await self._store.call(self._store.save_options, message.sender_id, None)
        since = utcnow() - ATTACHMENT_HORIZON
        attachments = await self._store.call(
            self._store.recent_attachments, message.sender_id, since
        )
        metadata: dict[str, Any] = {"channel": self.name}
        if attachments:
            metadata["attachments"] = attachments
        replies = [
            Reply.from_rasa(r) for r in await self._rasa.send(message.sender_id, text, metadata)
        ]
        await self.send_replies(number, replies)

    async def held(self, message: StoredMessage, first: bool) -> None:
        if first:
            number = message.sender_id.partition(":")[2]
            language = gateway_language(message.text)
            await self.send_replies(
                number, [Reply(gateway_text("assistant_unavailable", language))]
            )

    async def send_replies(self, number: str, replies: list[Reply]) -> None:
        """Send replies in order; failures are logged, never raised (the assistant has
        already taken the turn)."""
        last_options: tuple[Button, ...] = ()
        for reply in replies:
            for rendered in render_whatsapp(reply):
                if rendered.options:
                    last_options = rendered.options
                await self._send(number, rendered.body)
        if last_options:
            await self._store.call(
                self._store.save_options,
                sender_id("whatsapp", number),
                [{"title": b.title, "payload": b.payload} for b in last_options],
            )

    async def _send(self, number: str, body: str) -> None:
        if self.client is None:
            log.info("[whatsapp, no credentials] reply to %s: %s", mask_phone(number), body[:80])
            return
        from twilio.base.exceptions import TwilioException

        for attempt in range(3):
            try:
                await asyncio.to_thread(
                    self.client.messages.create,
                    from_=self._from,
                    to=f"whatsapp:{number}",
                    body=body,
                )
                return
            except TwilioException as error:
                log.warning("twilio send to %s failed: %s", mask_phone(number), error)
                status = getattr(error, "status", 500)
                if isinstance(status, int) and 400 <= status < 500 and status != 429:
                    return
            except Exception as error:  # the connection, not the request
                log.warning("twilio send to %s failed: %r", mask_phone(number), error)
            await asyncio.sleep(0.5 * 2**attempt)


# --- delivery callbacks -------------------------------------------------------------------------

# Twilio's MessageStatus values, in the order they happen; a late callback for an earlier
# state (they can arrive out of order) must not overwrite a later one.
_STATUS_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "undelivered": 6,
    "failed": 6,
    "canceled": 6,
}
# "Outside the allowed window": our record of the user's last message was too optimistic.
OUTSIDE_WINDOW_ERROR = "63016"

# The backend's notification rows, addressed by the columns this update needs; a table clause
# rather than the backend's model keeps the gateway free of backend imports.
_notifications = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("provider_message_id", sa.String),
    sa.column("delivery_status", sa.String),
)


class DeliveryReceipts:
    """Applies Twilio status callbacks to the backend's ``notifications`` rows (same database)."""

    def __init__(self, engine: Engine, store: GatewayStore) -> None:
        self._engine = engine
        self._store = store

    def apply(self, form: Mapping[str, str], notification_id: int | None) -> bool:
        """Record the delivery state; True if a notification row was updated."""
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
        if not sid or not status:
            return False
        if form.get("ErrorCode") == OUTSIDE_WINDOW_ERROR and form.get("To"):
            # Forget the window so that the retry goes out as the template.
            self._store.forget_window(sender_id("whatsapp", whatsapp_number(form["To"])))
        with self._engine.begin() as conn:
            condition = (
                _notifications.c.id == notification_id
                if notification_id is not None
                else _notifications.c.provider_message_id == sid
            )
            row = conn.execute(
                sa.select(
                    _notifications.c.id,
                    _notifications.c.delivery_status,
                    _notifications.c.provider_message_id,
                ).where(condition)
            ).first()
            if row is None:
                return False
            current = _STATUS_RANK.get((row.delivery_status or "").lower(), -1)
            if _STATUS_RANK.get(status, -1) < current:
                return False
            values: dict[str, str] = {"delivery_status": status}
            if row.provider_message_id is None:
                values["provider_message_id"] = sid
            conn.execute(
                _notifications.update().where(_notifications.c.id == row.id).values(**values)
            )
            return True
