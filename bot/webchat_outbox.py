"""The web chat's outbox: replies and notifications queued for a browser that polls
(``GET /webchat/updates``). Part of ``bot.store.GatewayStore``."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from channels.tables import utcnow, webchat_outbox


class WebchatOutbox:
    engine: Engine

    def push_webchat(
        self,
        web_id: str,
        text: str,
        buttons: list[dict[str, str]] | None = None,
        delivery_key: str | None = None,
    ) -> int:
        """Queue a message for a web chat user; idempotent per ``delivery_key``."""
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    webchat_outbox.insert().values(
                        web_id=web_id,
                        text=text,
                        buttons_json=json.dumps(buttons, ensure_ascii=False) if buttons else None,
                        delivery_key=delivery_key,
                        created_at=utcnow(),
                    )
                )
                return int(result.inserted_primary_key[0])  # type: ignore[index]
        except IntegrityError:
            with self.engine.connect() as conn:
                return int(
                    conn.execute(
                        sa.select(webchat_outbox.c.id).where(
                            webchat_outbox.c.delivery_key == delivery_key
                        )
                    ).scalar_one()
                )

    def webchat_updates(self, web_id: str, after_id: int, limit: int = 50) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(webchat_outbox)
                .where(webchat_outbox.c.web_id == web_id, webchat_outbox.c.id > after_id)
                .order_by(webchat_outbox.c.id)
                .limit(limit)
            ).mappings()
            updates: list[dict[str, Any]] = []
            for row in rows:
                key = row["delivery_key"] or ""
                item: dict[str, Any] = {
                    "id": row["id"],
                    "text": row["text"],
                    # Replies to messages held during an outage, or notifications.
                    "kind": "reply" if key.startswith("reply:") else "notification",
                }
                if row["buttons_json"]:
                    item["buttons"] = json.loads(row["buttons_json"])
                updates.append(item)
            return updates

    def latest_webchat_id(self, web_id: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(sa.func.max(webchat_outbox.c.id)).where(webchat_outbox.c.web_id == web_id)
            ).scalar_one_or_none()
            return int(value or 0)
