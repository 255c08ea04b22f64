"""What a chat's buttons and uploads leave behind: Telegram's callback keys (a button's
payload, stored under a short hash, since Telegram carries at most 64 bytes) and the media a
sender attached, for the grievance they file next. Part of ``bot.store.GatewayStore``."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from channels.tables import attachments, callback_keys, utcnow


class ChatChoices:
    engine: Engine

    # --- callback keys ----------------------------------------------------------------------

    def save_callback_keys(self, keys: dict[str, str]) -> None:
        for key, payload in keys.items():
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        callback_keys.insert().values(key=key, payload=payload, created_at=utcnow())
                    )
            except IntegrityError:
                pass  # the key is a hash of the payload: already there means the same payload

    def callback_payload(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(callback_keys.c.payload).where(callback_keys.c.key == key)
            ).scalar_one_or_none()
            return str(value) if value is not None else None

    # --- attachments ------------------------------------------------------------------------

    def add_attachments(
        self, sender_id: str, message_key: str, media: list[dict[str, str]]
    ) -> None:
        if not media:
            return
        with self.engine.begin() as conn:
            conn.execute(
                attachments.insert(),
                [
                    {
                        "sender_id": sender_id,
                        "url": item["url"],
                        "content_type": item.get("content_type"),
                        "message_key": message_key,
                        "received_at": utcnow(),
                    }
                    for item in media
                ],
            )

    def recent_attachments(self, sender_id: str, since: datetime) -> list[dict[str, str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(attachments.c.url, attachments.c.content_type)
                .where(attachments.c.sender_id == sender_id, attachments.c.received_at >= since)
                .order_by(attachments.c.id)
            ).mappings()
            return [{"url": r["url"], "content_type": r["content_type"] or ""} for r in rows]
