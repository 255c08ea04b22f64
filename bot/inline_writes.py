"""The two writes every gateway message makes, on the event loop for a SQLite file
(``GatewayStore`` falls back to its thread when they cannot be made at once)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from channels.tables import utcnow


class InlineWriteDeferred(Exception):
    """The inline connection could not write at once: do it on the store's thread."""


class InlineSQLiteWrites:
    """The two writes every message makes (record it; mark it done), on the event loop.

    For a SQLite file each is a few prepared statements on a connection of their own, with
    no waiting: ``BEGIN IMMEDIATE`` takes the write lock or fails at once (busy timeout 0),
    before anything is written, and the caller then writes through the store's thread as
    before. This spares every message two hand-overs to that thread and SQLAlchemy's
    per-statement work (together about 1 ms of the gateway's 2-3 ms per message, measured
    with bench/gateway_overhead.py). The values are stored exactly as SQLAlchemy stores them
    (its own bind processors for the timestamps), so the rest of the store reads them back.
    The connection is only used from the event loop's thread, one call at a time.
    """

    def __init__(self, connection: sqlite3.Connection, format_time: Callable[[Any], Any]) -> None:
        self._connection = connection
        self._format_time = format_time
        self._insert = (
            "INSERT INTO gateway_inbound_messages (dedup_key, channel, sender_id, text, "
            "metadata_json, status, attempts, received_at) "
            "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)"
        )
        self._touch = (
            "INSERT INTO gateway_senders (sender_id, channel, last_inbound_at, outage_notified) "
            "VALUES (?, ?, ?, 0) "
            "ON CONFLICT (sender_id) DO UPDATE SET last_inbound_at = excluded.last_inbound_at"
        )
        self._done = (
            "UPDATE gateway_inbound_messages SET status = 'done', processed_at = ? WHERE id = ?"
        )

    @classmethod
    def for_engine(cls, engine: Engine) -> InlineSQLiteWrites | None:
        """Only for a SQLite file (an in-memory database is private to its connection)."""
        if engine.dialect.name != "sqlite":
            return None
        path = engine.url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        # Autocommit mode: the transactions below are begun and ended explicitly.
        connection = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=0")
        connection.execute("PRAGMA synchronous=NORMAL")
        if connection.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
            connection.close()
            return None
        format_time = (
            sa.DateTime(timezone=True).dialect_impl(engine.dialect).bind_processor(engine.dialect)
        )
        return cls(connection, format_time or (lambda value: value))

    def close(self) -> None:
        self._connection.close()

    def _begin(self) -> sqlite3.Cursor:
        cursor = self._connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:  # locked by another writer, or any trouble
            raise InlineWriteDeferred(str(error)) from error
        return cursor

    def record_inbound(
        self, dedup_key: str, channel: str, sender_id: str, text: str, metadata: dict[str, Any]
    ) -> int | None:
        now = self._format_time(utcnow())
        cursor = self._begin()
        try:
            cursor.execute(
                self._insert,
                (
                    dedup_key,
                    channel,
                    sender_id,
                    text,
                    json.dumps(metadata, ensure_ascii=False),
                    now,
                ),
            )
            message_id = cursor.lastrowid
            cursor.execute(self._touch, (sender_id, channel, now))
            cursor.execute("COMMIT")
        except sqlite3.IntegrityError as error:
            cursor.execute("ROLLBACK")
            if "dedup_key" in str(error):
                return None  # delivered before: the unique key drops it
            raise InlineWriteDeferred(str(error)) from error
        except sqlite3.Error as error:
            self._release(cursor)
            raise InlineWriteDeferred(str(error)) from error
        except BaseException:
            self._release(cursor)
            raise
        return int(message_id) if message_id is not None else None

    def mark_done(self, message_id: int) -> None:
        cursor = self._begin()
        try:
            cursor.execute(self._done, (self._format_time(utcnow()), message_id))
            cursor.execute("COMMIT")
        except sqlite3.Error as error:
            self._release(cursor)
            raise InlineWriteDeferred(str(error)) from error
        except BaseException:
            self._release(cursor)
            raise

    def _release(self, cursor: sqlite3.Cursor) -> None:
        """Roll back a write that failed half-way, whatever failed (a value that cannot be
        encoded too): ``BEGIN IMMEDIATE`` holds the database's write lock until then, and
        every later write of the gateway would wait for it."""
        if self._connection.in_transaction:
            cursor.execute("ROLLBACK")
