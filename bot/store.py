"""The gateway's data access on the chat channels' tables (``channels/tables.py``: their
definitions, which the backend's migrations create).

``GatewayStore`` runs the gateway's reads and writes on threads of its own; the two writes of
every message go inline on SQLite (``bot/inline_writes.py``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.chat_choices import ChatChoices
from bot.inline_writes import InlineSQLiteWrites, InlineWriteDeferred
from bot.webchat_outbox import WebchatOutbox
from channels.tables import (
    inbound_messages,
    last_inbound_at,
    metadata,
    senders,
    utcnow,
)

T = TypeVar("T")

log = logging.getLogger(__name__)


def make_engine(database_url: str) -> Engine:
    """An engine for the gateway; SQLite gets WAL and a busy timeout, like the backend's."""
    if database_url.startswith("sqlite"):
        path = sa.engine.make_url(database_url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver installed; SQLAlchemy's bare scheme means psycopg2.
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    return sa.create_engine(database_url, pool_pre_ping=True)


_INSERT_INBOUND = inbound_messages.insert()
_MARK_DONE = (
    inbound_messages.update()
    .where(inbound_messages.c.id == sa.bindparam("message_id"))
    .values(status="done", processed_at=sa.bindparam("processed_at"))
)


def _sender_upsert(insert: Any) -> Any:
    """Insert the sender, or only move ``last_inbound_at`` when the row exists."""
    return insert.on_conflict_do_update(
        index_elements=[senders.c.sender_id],
        set_={"last_inbound_at": insert.excluded.last_inbound_at},
    )


_TOUCH_SENDER = {
    "sqlite": _sender_upsert(sqlite_insert(senders)),
    "postgresql": _sender_upsert(postgresql_insert(senders)),
}


@dataclass(frozen=True)
class StoredMessage:
    id: int
    channel: str
    sender_id: str
    text: str
    metadata: dict[str, Any]
    attempts: int


class GatewayStore(ChatChoices, WebchatOutbox):
    """Synchronous data access; the async gateway calls it through ``call``, on threads of its
    own: one for SQLite, whose writers would otherwise wait on each other's file lock (and
    its busy handler sleeps far longer than a write takes), a few for PostgreSQL."""

    def __init__(self, engine: Engine, *, inline_writes: bool = True) -> None:
        self.engine = engine
        self._is_sqlite = engine.dialect.name == "sqlite"
        self._executor = ThreadPoolExecutor(
            max_workers=1 if self._is_sqlite else 8, thread_name_prefix="gateway-db"
        )
        self._inline = InlineSQLiteWrites.for_engine(engine) if inline_writes else None

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(function, *args, **kwargs)
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        if self._inline is not None:
            self._inline.close()

    # --- the two writes on every message's path -----------------------------------------------

    async def record_inbound_async(
        self, *, dedup_key: str, channel: str, sender_id: str, text: str, metadata: dict[str, Any]
    ) -> int | None:
        """``record_inbound`` from the event loop: on SQLite, written on the loop itself when
        the database is free at once (a fraction of a millisecond), else on the store's thread
        (which waits for the lock as long as it takes)."""
        if self._inline is not None:
            try:
                return self._inline.record_inbound(dedup_key, channel, sender_id, text, metadata)
            except InlineWriteDeferred:
                pass
        return await self.call(
            self.record_inbound,
            dedup_key=dedup_key,
            channel=channel,
            sender_id=sender_id,
            text=text,
            metadata=metadata,
        )

    async def mark_done_async(self, message_id: int) -> None:
        """``mark_done`` from the event loop, inline on SQLite like ``record_inbound_async``."""
        if self._inline is not None:
            try:
                self._inline.mark_done(message_id)
                return
            except InlineWriteDeferred:
                pass
        await self.call(self.mark_done, message_id)

    def create_tables(self) -> None:
        """Idempotent; a no-op once the backend's migrations have created the tables."""
        metadata.create_all(self.engine, checkfirst=True)

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    # --- inbound log ------------------------------------------------------------------------

    def record_inbound(
        self,
        *,
        dedup_key: str,
        channel: str,
        sender_id: str,
        text: str,
        metadata: dict[str, Any],
        received_at: datetime | None = None,
    ) -> int | None:
        """Record a message and the sender's ``last_inbound_at``; None if already recorded."""
        now = received_at or utcnow()
        values = {
            "dedup_key": dedup_key,
            "channel": channel,
            "sender_id": sender_id,
            "text": text,
            "metadata_json": json.dumps(metadata, ensure_ascii=False),
            "status": "pending",
            "attempts": 0,
            "received_at": now,
        }
        for _attempt in range(3):
            try:
                with self._begin() as conn:
                    # One statement object for every call: compiled once, then cached.
                    result = conn.execute(_INSERT_INBOUND, values)
                    self._touch_sender(conn, sender_id, channel, now)
                    return int(result.inserted_primary_key[0])  # type: ignore[index]
            except IntegrityError:
                if self._has_dedup_key(dedup_key):
                    return None
                # Two first messages of one new sender raced on the gateway_senders insert;
                # the sender row exists now, so a retry succeeds.
        raise RuntimeError(f"could not record inbound message {dedup_key}")

    def _has_dedup_key(self, dedup_key: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(inbound_messages.c.id).where(inbound_messages.c.dedup_key == dedup_key)
            ).first()
            return found is not None

    def _touch_sender(self, conn: Connection, sender_id: str, channel: str, at: datetime) -> None:
        """Insert or update the sender's row in one statement."""
        upsert = _TOUCH_SENDER.get(conn.dialect.name)
        if upsert is not None:
            conn.execute(
                upsert,
                {
                    "sender_id": sender_id,
                    "channel": channel,
                    "last_inbound_at": at,
                    "outage_notified": False,
                },
            )
            return
        updated = conn.execute(
            senders.update().where(senders.c.sender_id == sender_id).values(last_inbound_at=at)
        )
        if updated.rowcount == 0:
            conn.execute(
                senders.insert().values(
                    sender_id=sender_id,
                    channel=channel,
                    last_inbound_at=at,
                    outage_notified=False,
                )
            )

    def pending_for(self, sender_id: str, limit: int = 20) -> list[StoredMessage]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(inbound_messages)
                .where(
                    inbound_messages.c.status == "pending",
                    inbound_messages.c.sender_id == sender_id,
                )
                .order_by(inbound_messages.c.id)
                .limit(limit)
            ).mappings()
            return [
                StoredMessage(
                    id=row["id"],
                    channel=row["channel"],
                    sender_id=row["sender_id"],
                    text=row["text"],
                    metadata=json.loads(row["metadata_json"] or "{}"),
                    attempts=row["attempts"],
                )
                for row in rows
            ]

    def senders_with_pending(self) -> list[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(inbound_messages.c.sender_id)
                .where(inbound_messages.c.status == "pending")
                .group_by(inbound_messages.c.sender_id)
                .order_by(sa.func.min(inbound_messages.c.id))
            )
            return [row[0] for row in rows]

    def mark_done(self, message_id: int) -> None:
        with self._begin() as conn:
            conn.execute(_MARK_DONE, {"message_id": message_id, "processed_at": utcnow()})

    def mark_attempt_failed(self, message_id: int, error: str, give_up_after: int) -> bool:
        """Count a failed attempt; True if the message is now given up on (status failed)."""
        with self._begin() as conn:
            attempts = conn.execute(
                sa.select(inbound_messages.c.attempts).where(inbound_messages.c.id == message_id)
            ).scalar_one()
            attempts += 1
            failed = attempts >= give_up_after
            conn.execute(
                inbound_messages.update()
                .where(inbound_messages.c.id == message_id)
                .values(
                    attempts=attempts,
                    last_error=error[:2000],
                    status="failed" if failed else "pending",
                )
            )
            return failed

    def message_status(self, message_id: int) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(inbound_messages.c.status).where(inbound_messages.c.id == message_id)
            ).scalar_one_or_none()
            return str(value) if value is not None else None

    # --- senders ----------------------------------------------------------------------------

    def last_inbound_at(self, sender_id: str) -> datetime | None:
        with self.engine.connect() as conn:
            return last_inbound_at(conn, sender_id)

    def set_last_inbound_at(self, sender_id: str, channel: str, at: datetime) -> None:
        with self._begin() as conn:
            self._touch_sender(conn, sender_id, channel, at)

    def forget_window(self, sender_id: str) -> None:
        """WhatsApp said the 24-hour window is closed: the next notification uses the
        template."""
        with self._begin() as conn:
            conn.execute(
                senders.update()
                .where(senders.c.sender_id == sender_id)
                .values(last_inbound_at=None)
            )

    def claim_outage_notice(self, sender_id: str) -> bool:
        """True exactly once per outage per sender: the caller then tells the user."""
        with self._begin() as conn:
            result = conn.execute(
                senders.update()
                .where(senders.c.sender_id == sender_id, senders.c.outage_notified.is_(False))
                .values(outage_notified=True)
            )
            return result.rowcount == 1

    def senders_told_of_outage(self) -> list[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(senders.c.sender_id).where(senders.c.outage_notified.is_(True))
            )
            return [row[0] for row in rows]

    def clear_outage_notice(self, sender_id: str) -> None:
        with self._begin() as conn:
            conn.execute(
                senders.update()
                .where(senders.c.sender_id == sender_id, senders.c.outage_notified.is_(True))
                .values(outage_notified=False)
            )

    def save_options(self, sender_id: str, options: list[dict[str, str]] | None) -> None:
        with self._begin() as conn:
            conn.execute(
                senders.update()
                .where(senders.c.sender_id == sender_id)
                .values(options_json=json.dumps(options, ensure_ascii=False) if options else None)
            )

    def options(self, sender_id: str) -> list[dict[str, str]]:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(senders.c.options_json).where(senders.c.sender_id == sender_id)
            ).scalar_one_or_none()
            loaded = json.loads(value) if value else []
            return loaded if isinstance(loaded, list) else []
