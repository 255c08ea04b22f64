from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.inbox import Inbound, Inbox
from bot.rasa_client import AssistantUnavailable
from bot.store import GatewayStore, StoredMessage, make_engine
from core.config import Settings
from tests.bot.conftest import WEBHOOK_SECRET, make_gateway
from tests.support.fake_telegram import FakeTelegram, telegram_text_update
from tests.support.fake_twilio import FakeTwilioHttpClient
from tests.support.rasa_stand_in import RasaStandIn

CHAT = 777001


class Recorder:
    """A process function that can be switched to 'assistant down' or to raise a bug."""

    def __init__(self) -> None:
        self.processed: list[str] = []
        self.held: list[tuple[str, bool]] = []
        self.down = False
        self.broken: set[str] = set()

    async def process(self, message: StoredMessage) -> None:
        if self.down:
            raise AssistantUnavailable("down")
        if message.text in self.broken:
            raise ValueError("a bug")
        await asyncio.sleep(0)
        self.processed.append(f"{message.sender_id}/{message.text}")

    async def on_held(self, message: StoredMessage, first: bool) -> None:
        self.held.append((message.text, first))

    async def probe(self) -> bool:
        return not self.down


@pytest.fixture
def store(tmp_path: Path) -> GatewayStore:
    store = GatewayStore(make_engine(f"sqlite:///{tmp_path / 'inbox.db'}"))
    store.create_tables()
    return store


def inbound(sender: str, text: str, key: str | None = None) -> Inbound:
    return Inbound(dedup_key=key or f"{sender}:{text}", channel="web", sender_id=sender, text=text)


async def test_each_sender_in_order_duplicates_dropped(store: GatewayStore) -> None:
    recorder = Recorder()
    inbox = Inbox(store, recorder.process, recorder.on_held, recorder.probe)
    await inbox.start()
    for i in range(5):
        assert await inbox.accept(inbound("web:a", f"a{i}")) is not None
        assert await inbox.accept(inbound("web:b", f"b{i}")) is not None
    assert await inbox.accept(inbound("web:a", "a0")) is None  # same dedup key
    await inbox.wait_idle()
    await inbox.stop()
    assert [p for p in recorder.processed if p.startswith("web:a")] == [
        f"web:a/a{i}" for i in range(5)
    ]
    assert [p for p in recorder.processed if p.startswith("web:b")] == [
        f"web:b/b{i}" for i in range(5)
    ]
    assert len(recorder.processed) == 10


async def test_outage_tells_once_and_replays_in_order(store: GatewayStore) -> None:
    recorder = Recorder()
    inbox = Inbox(store, recorder.process, recorder.on_held, recorder.probe, recovery_interval=0.05)
    await inbox.start()
    recorder.down = True
    for text in ["one", "two", "three"]:
        await inbox.accept(inbound("web:a", text))
        await inbox.wait_idle()
    assert recorder.processed == []
    assert [first for _, first in recorder.held].count(True) == 1
    assert store.senders_with_pending() == ["web:a"]

    recorder.down = False
    for _ in range(100):
        if len(recorder.processed) == 3:
            break
        await asyncio.sleep(0.02)
    await inbox.wait_idle()
    assert recorder.processed == ["web:a/one", "web:a/two", "web:a/three"]
    assert store.senders_with_pending() == []

    # A second outage is announced again, once.
    recorder.held.clear()
    recorder.down = True
    await inbox.accept(inbound("web:a", "four"))
    await inbox.accept(inbound("web:a", "five"))
    await inbox.wait_idle()
    await inbox.stop()
    assert [first for _, first in recorder.held].count(True) == 1


async def test_pending_messages_replayed_after_restart(store: GatewayStore) -> None:
    first_life = Recorder()
    first_life.down = True
    inbox = Inbox(store, first_life.process, first_life.on_held, first_life.probe)
    await inbox.start()
    await inbox.accept(inbound("web:a", "typed before the crash"))
    await inbox.accept(inbound("web:b", "also typed"))
    await inbox.wait_idle()
    await inbox.stop()  # the gateway goes away with both messages pending

    second_life = Recorder()
    restarted = Inbox(store, second_life.process, second_life.on_held, second_life.probe)
    await restarted.start()
    await restarted.wait_idle()
    await restarted.stop()
    assert sorted(second_life.processed) == ["web:a/typed before the crash", "web:b/also typed"]


async def test_a_failing_message_is_given_up_without_blocking_the_sender(
    store: GatewayStore,
) -> None:
    recorder = Recorder()
    recorder.broken.add("poison")
    inbox = Inbox(
        store,
        recorder.process,
        recorder.on_held,
        recorder.probe,
        recovery_interval=0.02,
        give_up_after=3,
    )
    await inbox.start()
    await inbox.accept(inbound("web:a", "poison"))
    await inbox.accept(inbound("web:a", "fine"))
    for _ in range(200):
        if recorder.processed:
            break
        await asyncio.sleep(0.02)
    await inbox.stop()
    assert recorder.processed == ["web:a/fine"]


async def test_rasa_stopped_mid_conversation_user_told_then_answered_without_duplicates(
    settings: Settings,
    twilio_http: FakeTwilioHttpClient,
    rasa: RasaStandIn,
    telegram: FakeTelegram,
) -> None:
    """Through the real gateway: Rasa goes away, the user is told once; the messages are
    processed when Rasa is back, also across a gateway restart; nothing twice."""
    from bot.app import create_app

    async def post(gw_client: httpx.AsyncClient, text: str, update_id: int) -> None:
        response = await gw_client.post(
            "/telegram/webhook",
            json=telegram_text_update(CHAT, text, update_id=update_id),
            headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
        )
        assert response.status_code == 200

    gateway = make_gateway(settings, twilio_http)
    await gateway.start(start_telegram=False)
    app = create_app(settings, gateway=gateway)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://desk.example.org"
    ) as http:
        await post(http, "hello", 1)
        await gateway.inbox.wait_idle()
        rasa.stop()
        await post(http, "my payment is late", 2)
        await post(http, "it is 90 days now", 3)
        await gateway.inbox.wait_idle()
        texts = [m["text"] for m in telegram.sent("sendMessage", CHAT)]
        assert texts[0] == "echo: hello"
        assert len(texts) == 2 and "unavailable" in texts[1]
    await gateway.stop()  # the gateway restarts while Rasa is still down

    rasa.server.start()  # Rasa is back, on the same port
    gateway = make_gateway(settings, twilio_http)
    await gateway.start(start_telegram=False)
    try:
        for _ in range(200):
            if len(telegram.sent("sendMessage", CHAT)) >= 4:
                break
            await asyncio.sleep(0.05)
        await gateway.inbox.wait_idle()
    finally:
        await gateway.stop()
    assert rasa.messages() == ["hello", "my payment is late", "it is 90 days now"]
    texts = [m["text"] for m in telegram.sent("sendMessage", CHAT)]
    assert texts[2:] == ["echo: my payment is late", "echo: it is 90 days now"]


async def test_a_recovery_pass_that_read_a_message_as_pending_does_not_process_it_again(
    store: GatewayStore,
) -> None:
    """The recovery pass reads pending messages on the DB thread; if the sender's worker
    finishes the message meanwhile, that stale read must not queue it a second time."""
    recorder = Recorder()
    inbox = Inbox(store, recorder.process, recorder.on_held, recorder.probe)
    await inbox.start()
    assert await inbox.accept(inbound("web:race", "hello")) is not None
    stale = store.pending_for("web:race", 10)  # read while it is still pending
    assert [message.text for message in stale] == ["hello"]
    await inbox.wait_idle()
    assert recorder.processed == ["web:race/hello"]

    for message in stale:  # what resume_pending does with its (now stale) read
        inbox._enqueue(message)
    inbox.schedule("web:race")
    await inbox.wait_idle()
    await inbox.stop()
    assert recorder.processed == ["web:race/hello"]
