"""The gateway's /metrics: messages in/out, turn latency, backlog, Rasa failures/failovers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Gateway, create_app
from bot.metrics import BacklogCollector, GatewayMetrics
from bot.rasa_client import AssistantUnavailable, RasaClient
from bot.store import GatewayStore, make_engine
from channels.tables import utcnow
from tests.bot.conftest import PUBLIC_BASE_URL
from tests.bot.test_telegram_channel import CHAT, post_update
from tests.support.fake_telegram import telegram_text_update
from tests.support.processes import RASA_SHARED_SECRET
from tests.support.rasa_stand_in import RasaStandIn

WEB = "web:visitor-metrics-1"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float | None:
    return samples(text).get((name, tuple(sorted(labels.items()))))


async def test_messages_in_out_and_turn_latency_per_channel(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    rasa.replies["hi"] = [{"text": "one"}, {"text": "two"}]
    await client.post("/webchat/messages", json={"sender": WEB, "text": "hi"})
    await post_update(client, telegram_text_update(CHAT, "hello", update_id=1))
    await post_update(client, telegram_text_update(CHAT, "hello", update_id=1))  # redelivered
    await gateway.inbox.wait_idle()
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert value(text, "gateway_messages_in_total", channel="web", outcome="accepted") == 1
    assert value(text, "gateway_messages_in_total", channel="telegram", outcome="accepted") == 1
    assert value(text, "gateway_messages_in_total", channel="telegram", outcome="duplicate") == 1
    assert value(text, "gateway_messages_out_total", channel="web", kind="reply") == 2
    assert value(text, "gateway_messages_out_total", channel="telegram", kind="reply") == 1
    assert value(text, "gateway_turn_duration_seconds_count", channel="web") == 1
    assert value(text, "gateway_turn_duration_seconds_count", channel="telegram") == 1
    assert value(text, "gateway_inbound_backlog", channel="web") is None  # nothing waits
    assert value(text, "gateway_inbound_backlog_oldest_seconds") == 0
    assert value(text, "gateway_assistant_up") == 1
    route = value(
        text,
        "grievance_http_request_duration_seconds_count",
        method="POST",
        route="/webchat/messages",
        status="200",
    )
    assert route == 1
    assert "visitor-metrics" not in text and str(CHAT) not in text  # no senders in labels


async def test_an_outage_shows_as_failures_a_backlog_and_the_assistant_down(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    rasa.stop()
    try:
        await post_update(client, telegram_text_update(CHAT, "anyone?", update_id=5))
        await gateway.inbox.wait_idle()
        text = (await client.get("/metrics")).text
        assert value(text, "gateway_rasa_failures_total", reason="unavailable") == 1
        assert value(text, "gateway_inbound_backlog", channel="telegram") == 1
        assert value(text, "gateway_assistant_up") == 0
        assert value(text, "gateway_messages_out_total", channel="telegram", kind="notice") == 1
    finally:
        rasa.start()


async def test_a_refusing_rasa_server_is_counted_as_a_failover(rasa: RasaStandIn) -> None:
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    client = RasaClient(f"{dead},{rasa.url}", None, secret=RASA_SHARED_SECRET)
    client.metrics = metrics = GatewayMetrics()
    sender = next(
        s for s in (f"web:u{i:06d}" for i in range(100)) if client.replicas_for(s)[0] == dead
    )
    try:
        replies = await client.send(sender, "hi", {"channel": "web"})
    finally:
        await client.close()
    assert replies == [{"recipient_id": sender, "text": "echo: hi"}]
    assert metrics.rasa_failovers.labels(dead)._value.get() == 1
    assert metrics.messages_out.labels("web", "reply")._value.get() == 1


async def test_no_server_answering_raises_after_counting_each_refusal() -> None:
    client = RasaClient("http://127.0.0.1:9", None, secret=RASA_SHARED_SECRET)
    client.metrics = metrics = GatewayMetrics()
    try:
        with pytest.raises(AssistantUnavailable):
            await client.send("web:abcdefgh", "hi", {"channel": "web"})
    finally:
        await client.close()
    assert metrics.rasa_failovers.labels("http://127.0.0.1:9")._value.get() == 1


def test_backlog_counts_pending_messages_and_the_oldest_age(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/backlog.db")
    store = GatewayStore(engine)
    store.create_tables()
    start = utcnow()
    for index, channel in enumerate(["telegram", "telegram", "whatsapp"]):
        store.record_inbound(
            dedup_key=f"k{index}",
            channel=channel,
            sender_id=f"tg:{index}",
            text="x",
            metadata={},
            received_at=start + timedelta(seconds=index),
        )
    store.mark_done(3)
    collector = BacklogCollector(store, lambda: True, clock=lambda: start + timedelta(seconds=90))
    families = {f.name: f for f in collector.collect()}
    backlog = {s.labels["channel"]: s.value for s in families["gateway_inbound_backlog"].samples}
    assert backlog == {"telegram": 2}
    assert families["gateway_inbound_backlog_oldest_seconds"].samples[0].value == 90
    store.close()
    engine.dispose()


async def test_metrics_token_is_required_when_set(gateway: Gateway) -> None:
    settings = gateway.settings.model_copy(update={"metrics_token": "scrape-secret"})
    transport = httpx.ASGITransport(app=create_app(settings, gateway=gateway))
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL) as http:
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
        assert right.status_code == 200 and "gateway_messages_in" in right.text
