"""Telegram's Bot API unreachable at boot must not take the gateway down: the web chat and
WhatsApp are served at once, Telegram's registration is retried in the background (``/readyz``
says so), and Telegram updates that arrive meanwhile are recorded and answered once the bot
is registered. The gateway runs as ``python -m bot serve`` runs it: uvicorn, with its lifespan.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from twilio.rest import Client

from bot.app import Gateway, create_app
from bot.rasa_client import RasaClient
from channels.clients import make_telegram_bot
from core.config import Settings
from tests.bot.conftest import PUBLIC_BASE_URL, WEBHOOK_SECRET
from tests.support.fake_telegram import FakeTelegram, telegram_text_update
from tests.support.fake_twilio import FakeTwilioHttpClient, signed_form, whatsapp_inbound
from tests.support.local_server import LocalServer, free_port
from tests.support.rasa_stand_in import RasaStandIn

CHAT = 660001


def until(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not callable(condition) or not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@pytest.fixture
def telegram_port() -> int:
    """Where the Bot API will answer later; nothing listens there at boot."""
    return free_port()


@pytest.fixture
def gateway(
    settings: Settings, twilio_http: FakeTwilioHttpClient, telegram_port: int
) -> Iterator[tuple[Gateway, str]]:
    unreachable = settings.model_copy(
        update={"telegram_api_base_url": f"http://127.0.0.1:{telegram_port}/bot"}
    )
    gw = Gateway(
        unreachable,
        telegram_bot=make_telegram_bot(
            unreachable.telegram_bot_token, unreachable.telegram_api_base_url
        ),
        twilio_client=Client(
            unreachable.twilio_account_sid, unreachable.twilio_auth_token, http_client=twilio_http
        ),
        rasa=RasaClient(
            unreachable.rasa_url,
            unreachable.backend_url,
            secret=unreachable.rasa_shared_secret,
            health_ttl=0.0,
        ),
        recovery_interval=0.1,
        telegram_retry=(0.1, 0.5),
    )
    server = LocalServer(create_app(unreachable, gateway=gw)).start()
    yield gw, server.url
    server.stop()


def test_gateway_serves_other_channels_and_registers_telegram_once_reachable(
    gateway: tuple[Gateway, str],
    rasa: RasaStandIn,
    twilio_http: FakeTwilioHttpClient,
    telegram_port: int,
) -> None:
    gw, url = gateway
    with httpx.Client(base_url=url, timeout=10) as http:
        web = http.post("/webchat/messages", json={"sender": "web:visitor-0001", "text": "hi"})
        assert web.json() == {"messages": [{"text": "echo: hi"}]}
        form, signature = signed_form(
            f"{PUBLIC_BASE_URL}/whatsapp/webhook", whatsapp_inbound("SM1", "+919800000001", "ok")
        )
        assert http.post("/whatsapp/webhook", data=form, headers=signature).status_code == 200
        until(lambda: len(twilio_http.messages()) == 1)

        ready = http.get("/readyz").json()
        assert ready["status"] == "degraded"
        assert ready["channels"]["web"] == ready["channels"]["whatsapp"] == "ready"
        assert ready["channels"]["telegram"].startswith("registering, last error: NetworkError")
        assert gw.settings.telegram_bot_token not in str(ready)

        # Telegram (or a webhook registered before) still delivers: recorded, held.
        update = telegram_text_update(CHAT, "anyone there?", update_id=900)
        secret = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        assert http.post("/telegram/webhook", json=update, headers=secret).status_code == 200
        assert http.post("/telegram/webhook", json=update, headers=secret).status_code == 200
        time.sleep(0.5)
        assert rasa.messages(f"tg:{CHAT}") == []
        assert gw.store.senders_with_pending() == [f"tg:{CHAT}"]

        with FakeTelegram().start(telegram_port) as telegram:
            until(lambda: http.get("/readyz").json()["channels"]["telegram"] == "ready")
            assert http.get("/readyz").json()["status"] == "ready"
            (registration,) = telegram.sent("setWebhook")
            assert registration["url"] == f"{PUBLIC_BASE_URL}/telegram/webhook"
            assert registration["secret_token"] == WEBHOOK_SECRET
            replies = telegram.wait_for(1, "sendMessage", CHAT)
            assert [reply["text"] for reply in replies] == ["echo: anyone there?"]
            assert rasa.messages(f"tg:{CHAT}") == ["anyone there?"]
            until(lambda: gw.store.senders_with_pending() == [])
