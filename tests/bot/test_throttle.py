"""Per-sender rate limits on the gateway: web chat 429, webhooks recorded and told once."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa

from bot.app import Gateway, create_app
from bot.throttle import SenderThrottle, retry_after
from channels.tables import inbound_messages
from channels.texts import gateway_text
from core.config import Settings
from core.ratelimit import Limit, MemoryBuckets
from tests.bot.conftest import PUBLIC_BASE_URL, make_gateway
from tests.bot.test_telegram_channel import CHAT, post_update
from tests.bot.test_whatsapp_channel import NUMBER, post_signed
from tests.support.fake_telegram import FakeTelegram, telegram_text_update
from tests.support.fake_twilio import FakeTwilioHttpClient, whatsapp_inbound
from tests.support.rasa_stand_in import RasaStandIn

WEB = "web:visitor-flood-01"
TOO_FAST = gateway_text("too_fast", "en")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def limited(
    settings: Settings, twilio_http: FakeTwilioHttpClient, clock: Clock
) -> AsyncIterator[tuple[Gateway, httpx.AsyncClient]]:
    """A gateway whose senders may send 2 messages at once, then one per second."""
    gw = make_gateway(settings, twilio_http)
    gw.throttle = SenderThrottle(MemoryBuckets(clock), Limit(per_second=1.0, burst=2))
    await gw.start(start_telegram=False)
    await gw.telegram.bot.initialize()  # type: ignore[union-attr]
    transport = httpx.ASGITransport(app=create_app(settings, gateway=gw))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL) as http:
        yield gw, http
    await gw.stop()


def recorded(gw: Gateway) -> list[dict[str, object]]:
    with gw.engine.connect() as conn:
        rows = conn.execute(sa.select(inbound_messages).order_by(inbound_messages.c.id))
        return [
            {"text": r.text, "status": r.status, **json.loads(r.metadata_json)}
            for r in rows.mappings()
        ]


def test_retry_after_is_whole_seconds_at_least_one() -> None:
    assert [retry_after(w) for w in (0.01, 1.0, 1.2)] == [1, 1, 2]


async def test_sender_buckets_are_per_sender_and_refill(clock: Clock) -> None:
    throttle = SenderThrottle(MemoryBuckets(clock), Limit(per_second=0.5, burst=1))
    assert await throttle.take("tg:1") == 0
    assert await throttle.take("tg:1") == pytest.approx(2.0)
    assert await throttle.take("tg:2") == 0  # another sender has a bucket of its own
    clock.now += 2.0
    assert await throttle.take("tg:1") == 0
    off = SenderThrottle(MemoryBuckets(clock), Limit(per_second=0.5, burst=1), enabled=False)
    assert [await off.take("tg:1") for _ in range(5)] == [0.0] * 5


async def test_web_chat_over_the_limit_gets_429_with_retry_after(
    limited: tuple[Gateway, httpx.AsyncClient], rasa: RasaStandIn, clock: Clock
) -> None:
    gw, client = limited
    answers = [
        await client.post("/webchat/messages", json={"sender": WEB, "text": f"m{i}"})
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["Retry-After"] == "1"
    assert answers[2].json()["messages"] == [{"text": TOO_FAST}]
    assert rasa.messages(WEB) == ["m0", "m1"]
    assert [r["text"] for r in recorded(gw)] == ["m0", "m1"]  # the page sends it again
    clock.now += 1.0
    again = await client.post("/webchat/messages", json={"sender": WEB, "text": "m2"})
    assert again.status_code == 200 and rasa.messages(WEB) == ["m0", "m1", "m2"]
    other = await client.post("/webchat/messages", json={"sender": "web:someone-else", "text": "x"})
    assert other.status_code == 200


async def test_telegram_flood_is_recorded_answered_once_and_never_refused(
    limited: tuple[Gateway, httpx.AsyncClient],
    rasa: RasaStandIn,
    telegram: FakeTelegram,
    clock: Clock,
) -> None:
    gw, client = limited
    for update_id in range(1, 7):
        update = telegram_text_update(CHAT, f"flood {update_id}", update_id=update_id)
        assert (await post_update(client, update)).status_code == 200
    await gw.inbox.wait_idle()
    assert rasa.messages(f"tg:{CHAT}") == ["flood 1", "flood 2"]
    texts = [m["text"] for m in telegram.sent("sendMessage", CHAT)]
    assert texts == ["echo: flood 1", "echo: flood 2", TOO_FAST]
    rows = recorded(gw)
    assert len(rows) == 6 and all(r["status"] == "done" for r in rows)  # nothing lost
    assert [bool(r.get("rate_limited")) for r in rows] == [False] * 2 + [True] * 4

    # Once a message gets through again, a later flood is told again (once).
    clock.now += 1.0
    await post_update(client, telegram_text_update(CHAT, "calm", update_id=7))
    await post_update(client, telegram_text_update(CHAT, "flood again", update_id=8))
    await post_update(client, telegram_text_update(CHAT, "and again", update_id=9))
    await gw.inbox.wait_idle()
    texts = [m["text"] for m in telegram.sent("sendMessage", CHAT)]
    assert texts[3:] == ["echo: calm", TOO_FAST]
    metrics = gw.metrics.messages_in
    assert metrics.labels("telegram", "accepted")._value.get() == 3
    assert metrics.labels("telegram", "rate_limited")._value.get() == 6
    assert gw.metrics.messages_out.labels("telegram", "notice")._value.get() == 2


async def test_whatsapp_flood_is_recorded_and_told_once(
    limited: tuple[Gateway, httpx.AsyncClient],
    rasa: RasaStandIn,
    twilio_http: FakeTwilioHttpClient,
) -> None:
    gw, client = limited
    for index in range(4):
        response = await post_signed(client, whatsapp_inbound(f"SM{index}", NUMBER, f"hi {index}"))
        assert response.status_code == 200
    await gw.inbox.wait_idle()
    assert rasa.messages(f"wa:{NUMBER}") == ["hi 0", "hi 1"]
    assert [m["Body"] for m in twilio_http.messages()] == ["echo: hi 0", "echo: hi 1", TOO_FAST]
    assert len(recorded(gw)) == 4


@pytest.mark.redis
async def test_two_gateways_share_a_senders_bucket_through_redis(settings: Settings) -> None:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        pytest.skip("Redis tests need TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15); not set")
    shared = settings.model_copy(
        update={
            "redis_url": url,
            "rate_limit_sender_per_second": 0.01,
            "rate_limit_sender_burst": 2,
        }
    )
    first, second = SenderThrottle.from_settings(shared), SenderThrottle.from_settings(shared)
    sender = f"wa:+9198{uuid.uuid4().int % 10**8:08d}"
    waits = [await first.take(sender), await second.take(sender), await first.take(sender)]
    assert waits[:2] == [0.0, 0.0] and waits[2] > 0
