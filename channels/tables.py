"""The chat channels' tables, on the app's database (``DATABASE_URL``): their one home.

The gateway (``bot/store.py``) writes and reads them; the backend's Alembic environment
creates them from ``metadata``; the notification worker reads the one fact its WhatsApp
sender needs, when a sender last wrote to us (``LastInboundReader``), and nothing else. They
live on their own ``MetaData``, all prefixed ``gateway_``.

- ``gateway_inbound_messages``: every inbound message, recorded before the webhook is
  answered; the unique ``dedup_key`` (``update_id``, ``MessageSid``) drops redeliveries.
- ``gateway_senders``: per sender, ``last_inbound_at`` (WhatsApp's 24-hour window), whether
  they were told of an outage, and the numbered options last shown on WhatsApp.
- ``gateway_callback_keys``: short Telegram ``callback_data`` keys for long button payloads.
- ``gateway_attachments``: media a user sent (URLs), for the ticket being filed.
- ``gateway_webchat_outbox``: notifications pushed to web chat users, read by the page.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

metadata = sa.MetaData()

inbound_messages = sa.Table(
    "gateway_inbound_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dedup_key", sa.String(128), nullable=False, unique=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("sender_id", sa.String(80), nullable=False),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("metadata_json", sa.Text, nullable=False, default="{}"),
    # pending -> done; failed after repeated errors that are not an outage (poison message).
    sa.Column("status", sa.String(16), nullable=False, default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_gateway_inbound_pending", "status", "sender_id", "id"),
)

senders = sa.Table(
    "gateway_senders",
    metadata,
    sa.Column("sender_id", sa.String(80), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("outage_notified", sa.Boolean, nullable=False, default=False),
    sa.Column("options_json", sa.Text, nullable=True),
    sa.Column("language_hint", sa.String(16), nullable=True),
)

callback_keys = sa.Table(
    "gateway_callback_keys",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

attachments = sa.Table(
    "gateway_attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(80), nullable=False, index=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("content_type", sa.String(100), nullable=True),
    sa.Column("message_key", sa.String(128), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

webchat_outbox = sa.Table(
    "gateway_webchat_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("web_id", sa.String(80), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("buttons_json", sa.Text, nullable=True),
    sa.Column("delivery_key", sa.String(128), nullable=True, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_gateway_webchat_outbox_web_id", "web_id", "id"),
)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def last_inbound_at(connection: Connection, sender_id: str) -> datetime | None:
    """When ``sender_id`` last wrote to us (None: never, or the window was forgotten)."""
    value = connection.execute(
        sa.select(senders.c.last_inbound_at).where(senders.c.sender_id == sender_id)
    ).scalar_one_or_none()
    return as_aware(value)


class LastInboundReader:
    """``last_inbound_at`` for a process other than the gateway (the worker's WhatsApp
    sender, ``channels.outbound.LastInbound``), read on a thread off the event loop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def last_inbound_at(self, sender_id: str) -> datetime | None:
        return await asyncio.to_thread(self._read, sender_id)

    def _read(self, sender_id: str) -> datetime | None:
        with self.engine.connect() as connection:
            return last_inbound_at(connection, sender_id)
