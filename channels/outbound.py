"""What the worker hands a channel's sender and what it gets back (``channels/senders.py``,
``channels/cpgrams.py``; the outbox in ``backend/outbox.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol


@dataclass(frozen=True)
class OutboundNotification:
    id: int
    channel: str  # "telegram" | "whatsapp" | "web"
    channel_user_id: str  # chat id / E.164 / web id
    text: str  # already in the user's language
    language: str  # "en" | "hi" | "hinglish"
    ticket_number: str | None
    status: str | None  # ticket status, for the WhatsApp template variables
    delivery_key: str  # unique per logical notification (idempotency on the provider side)
    changed_at: datetime | None = None  # when the change was made (a portal's status "at")


@dataclass(frozen=True)
class SendResult:
    outcome: Literal["sent", "retry", "undeliverable"]
    provider_message_id: str | None = None
    retry_after: float | None = None  # seconds, e.g. Telegram 429 retry_after
    error: str | None = None


class Sender(Protocol):
    async def send(self, notification: OutboundNotification) -> SendResult: ...


class LastInbound(Protocol):
    """When a chat sender last wrote to us (the gateway records it): WhatsApp's 24-hour
    window. The worker reads it through ``channels.tables.LastInboundReader``."""

    async def last_inbound_at(self, sender_id: str) -> datetime | None: ...
