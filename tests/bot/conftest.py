from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from twilio.rest import Client

from bot.app import Gateway, create_app
from bot.rasa_client import RasaClient
from channels.clients import make_telegram_bot
from core.config import Settings
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    WHATSAPP_FROM,
    FakeTwilioHttpClient,
)
from tests.support.processes import RASA_SHARED_SECRET
from tests.support.rasa_stand_in import RasaStandIn

PUBLIC_BASE_URL = "https://desk.example.org"
BOT_TOKEN = "123456:TEST-token"
WEBHOOK_SECRET = "test-webhook-secret"
SERVICE_TOKEN = "test-service-token"


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def telegram(fake_telegram: FakeTelegram) -> FakeTelegram:
    fake_telegram.reset()
    return fake_telegram


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    stand_in = RasaStandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def twilio_http() -> FakeTwilioHttpClient:
    return FakeTwilioHttpClient()


@pytest.fixture
def settings(tmp_path: Path, telegram: FakeTelegram, rasa: RasaStandIn) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        service_token=SERVICE_TOKEN,
        rasa_url=rasa.url,
        rasa_shared_secret=RASA_SHARED_SECRET,
        backend_url=rasa.url,  # any HTTP answer counts as "backend up"
        gateway_url="http://gateway.test",
        public_base_url=PUBLIC_BASE_URL,
        telegram_bot_token=BOT_TOKEN,
        telegram_webhook_secret=WEBHOOK_SECRET,
        telegram_api_base_url=telegram.base_url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_whatsapp_from=WHATSAPP_FROM,
        twilio_template_sid="HX" + "1" * 32,
    )


def make_gateway(settings: Settings, twilio_http: FakeTwilioHttpClient) -> Gateway:
    return Gateway(
        settings,
        telegram_bot=make_telegram_bot(settings.telegram_bot_token, settings.telegram_api_base_url),
        twilio_client=Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=twilio_http
        ),
        rasa=RasaClient(
            settings.rasa_url,
            settings.backend_url,
            secret=settings.rasa_shared_secret,
            health_ttl=0.0,
        ),
        recovery_interval=0.1,
    )


@pytest.fixture
async def gateway(settings: Settings, twilio_http: FakeTwilioHttpClient) -> AsyncIterator[Gateway]:
    gw = make_gateway(settings, twilio_http)
    await gw.start(start_telegram=False)
    await gw.telegram.bot.initialize()  # type: ignore[union-attr]
    yield gw
    await gw.stop()


@pytest.fixture
async def client(gateway: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(gateway.settings, gateway=gateway)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_BASE_URL) as http:
        yield http
