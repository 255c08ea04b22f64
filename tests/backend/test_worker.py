"""The worker's senders: WhatsApp's 24-hour window read from the channels' table, on the
worker's own engine, without the gateway's store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from backend.db import make_engine
from backend.migrate import migrate
from backend.worker import build_senders
from channels.senders import LoggingSender, WhatsAppSender
from channels.tables import senders as channel_senders
from channels.tables import utcnow
from core.config import Settings
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, WHATSAPP_FROM

NUMBER = "+919812345678"


def settings_for(url: str) -> Settings:
    return Settings(
        database_url=url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_whatsapp_from=WHATSAPP_FROM,
    )


async def test_whatsapp_window_follows_what_the_gateway_recorded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate(url, engine)
    sender = build_senders(settings_for(url), engine)["whatsapp"]
    assert isinstance(sender, WhatsAppSender)
    assert not await sender.within_window(NUMBER)  # never heard from

    def heard_from(hours_ago: float) -> None:
        with engine.begin() as connection:  # as the gateway records an inbound message
            connection.execute(channel_senders.delete())
            connection.execute(
                channel_senders.insert().values(
                    sender_id=f"wa:{NUMBER}",
                    channel="whatsapp",
                    last_inbound_at=utcnow() - timedelta(hours=hours_ago),
                    outage_notified=False,
                )
            )

    heard_from(1)
    assert await sender.within_window(NUMBER)
    heard_from(25)
    assert not await sender.within_window(NUMBER)
    engine.dispose()


def test_officers_are_logged_and_channels_without_credentials_too(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    senders = build_senders(Settings(database_url=url, telegram_bot_token=""), engine)
    assert {"telegram", "whatsapp", "web", "officer"} <= set(senders)
    assert isinstance(senders["telegram"], LoggingSender)
    engine.dispose()
