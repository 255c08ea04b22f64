"""One id per inbound message: from the webhook to Rasa's metadata and onto the log lines."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest

from bot.app import Gateway
from bot.inbox import Inbound
from bot.request_ids import processing, request_id_of, with_request_id
from bot.store import StoredMessage
from core.logs import JsonFormatter
from core.requestid import RequestIdFilter, current_request_id
from tests.bot.test_telegram_channel import CHAT, post_update
from tests.support.fake_telegram import telegram_text_update
from tests.support.rasa_stand_in import RasaStandIn

WEB = "web:visitor-trace-01"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The gateway's log lines as the deployed gateway writes them (LOG_JSON=true)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("bot")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


async def test_the_callers_request_id_reaches_rasa_and_comes_back(
    client: httpx.AsyncClient, rasa: RasaStandIn
) -> None:
    response = await client.post(
        "/webchat/messages",
        json={"sender": WEB, "text": "status"},
        headers={"X-Request-ID": "trace-abc-123"},
    )
    assert response.headers["X-Request-ID"] == "trace-abc-123"
    assert rasa.received[0]["metadata"]["request_id"] == "trace-abc-123"


async def test_each_message_gets_its_own_id(client: httpx.AsyncClient, rasa: RasaStandIn) -> None:
    ids = []
    for text in ("one", "two"):
        response = await client.post("/webchat/messages", json={"sender": WEB, "text": text})
        ids.append(response.headers["X-Request-ID"])
    assert [turn["metadata"]["request_id"] for turn in rasa.received] == ids
    assert len(set(ids)) == 2


async def test_a_held_message_is_replayed_with_its_webhooks_id(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    rasa.stop()
    response = await post_update(client, telegram_text_update(CHAT, "hello?", update_id=77))
    webhook_id = response.headers["X-Request-ID"]
    await gateway.inbox.wait_idle()
    assert rasa.received == []
    rasa.start()
    for _ in range(100):  # the recovery loop probes every 0.1 s in these tests
        if rasa.received:
            break
        await asyncio.sleep(0.05)
    (turn,) = rasa.received
    assert turn["message"] == "hello?" and turn["metadata"]["request_id"] == webhook_id


async def test_log_lines_written_while_processing_carry_the_messages_id(
    json_log: io.StringIO,
) -> None:
    message = StoredMessage(
        id=7, channel="web", sender_id=WEB, text="x", metadata={"request_id": "r-7"}, attempts=0
    )
    with processing(message):
        logging.getLogger("bot.test").warning("turn for %s", "+919876543210")
    logging.getLogger("bot.test").warning("outside")
    first, second = (json.loads(line) for line in json_log.getvalue().splitlines())
    assert first["request_id"] == "r-7" and "9876543210" not in first["message"]
    assert "request_id" not in second


async def test_the_inbox_worker_does_not_inherit_the_webhooks_id(
    gateway: Gateway, rasa: RasaStandIn
) -> None:
    seen: list[str | None] = []
    original = gateway.inbox._process

    async def spy(message: StoredMessage) -> None:
        seen.append(current_request_id.get())
        await original(message)

    gateway.inbox._process = spy
    token = current_request_id.set("first-webhook")
    try:
        await gateway.inbox.accept(Inbound("web:x1", "web", WEB, "hi", {}))
    finally:
        current_request_id.reset(token)
    await gateway.inbox.wait_idle()
    assert seen == [None]


def test_ids_are_kept_made_or_derived() -> None:
    inbound = Inbound("tg:1", "telegram", "tg:1", "hi", {"kind": "text"})
    token = current_request_id.set("from-the-webhook")
    try:
        assert with_request_id(inbound).metadata == {
            "kind": "text",
            "request_id": "from-the-webhook",
        }
    finally:
        current_request_id.reset(token)
    made = with_request_id(inbound).metadata["request_id"]  # long polling: no request
    assert len(made) == 32
    kept = Inbound("tg:2", "telegram", "tg:1", "hi", {"request_id": "already"})
    assert with_request_id(kept) is kept
    old = StoredMessage(id=41, channel="web", sender_id=WEB, text="x", metadata={}, attempts=0)
    assert request_id_of(old) == "gw-msg-41"
    with processing(old) as request_id:
        assert current_request_id.get() == request_id == "gw-msg-41"
    assert current_request_id.get() is None
