"""The inbound log's two hot writes: inline on SQLite, through the store's thread otherwise,
and the same rows either way."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.store import GatewayStore, make_engine
from channels.tables import inbound_messages, utcnow
from tests.support.databases import postgres_url


def sqlite_store(path: Path, *, inline_writes: bool = True) -> GatewayStore:
    store = GatewayStore(make_engine(f"sqlite:///{path}"), inline_writes=inline_writes)
    store.create_tables()
    return store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> GatewayStore:
    if request.param == "postgres":
        store = GatewayStore(make_engine(postgres_url()))
        store.create_tables()
        return store
    return sqlite_store(tmp_path / "gateway.db")


def rows(store: GatewayStore) -> list[dict[str, object]]:
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(inbound_messages).order_by(inbound_messages.c.id))
        return [dict(row) for row in found.mappings()]


async def test_record_dedupe_and_done(store: GatewayStore) -> None:
    before = utcnow()
    first = await store.record_inbound_async(
        dedup_key="tg:1", channel="telegram", sender_id="tg:42", text="नमस्ते", metadata={"a": 1}
    )
    again = await store.record_inbound_async(
        dedup_key="tg:1", channel="telegram", sender_id="tg:42", text="नमस्ते", metadata={"a": 1}
    )
    second = await store.record_inbound_async(
        dedup_key="tg:2", channel="telegram", sender_id="tg:42", text="two", metadata={}
    )
    assert first is not None and again is None and second is not None and second > first
    pending_first, _ = await store.call(store.pending_for, "tg:42")
    assert (pending_first.id, pending_first.text, pending_first.metadata) == (
        first,
        "नमस्ते",
        {"a": 1},
    )
    last = await store.call(store.last_inbound_at, "tg:42")
    assert last is not None and before - timedelta(seconds=1) <= last <= utcnow()
    await store.mark_done_async(first)
    assert await store.call(store.message_status, first) == "done"
    assert [m.id for m in await store.call(store.pending_for, "tg:42")] == [second]
    done = rows(store)[0]
    assert done["processed_at"] is not None and done["status"] == "done"
    store.close()


async def test_inline_rows_are_the_rows_sqlalchemy_writes(tmp_path: Path) -> None:
    inline = sqlite_store(tmp_path / "inline.db")
    threaded = sqlite_store(tmp_path / "threaded.db", inline_writes=False)
    for store in (inline, threaded):
        message_id = await store.record_inbound_async(
            dedup_key="wa:SM1",
            channel="whatsapp",
            sender_id="wa:+919812345678",
            text="hi",
            metadata={"kind": "text", "request_id": "r1"},
        )
        assert message_id is not None
        await store.mark_done_async(message_id)
    [a], [b] = rows(inline), rows(threaded)
    for column in ("dedup_key", "channel", "sender_id", "text", "metadata_json", "status"):
        assert a[column] == b[column]
    # The timestamps in SQLAlchemy's own text format, so that its reads parse them.
    raw = (
        sqlite3.connect(tmp_path / "inline.db")
        .execute("SELECT received_at, processed_at FROM gateway_inbound_messages")
        .fetchone()
    )
    raw_threaded = (
        sqlite3.connect(tmp_path / "threaded.db")
        .execute("SELECT received_at, processed_at FROM gateway_inbound_messages")
        .fetchone()
    )
    assert [len(v) for v in raw] == [len(v) for v in raw_threaded] == [26, 26]
    inline.close()
    threaded.close()


async def test_a_locked_database_defers_the_write_to_the_thread(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "gateway.db")
    other = sqlite3.connect(tmp_path / "gateway.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing: the inline write cannot
    recording = asyncio.create_task(
        store.record_inbound_async(
            dedup_key="tg:9", channel="telegram", sender_id="tg:9", text="x", metadata={}
        )
    )
    await asyncio.sleep(0.3)
    assert not recording.done()  # waiting for the lock on the thread, not lost, not failed
    other.execute("COMMIT")
    message_id = await recording
    assert message_id is not None
    assert [m.id for m in await store.call(store.pending_for, "tg:9")] == [message_id]
    store.close()
