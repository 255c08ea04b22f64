from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from twilio.rest import Client

from bot.app import Gateway, create_app
from bot.store import GatewayStore, make_engine
from channels.clients import make_telegram_bot
from channels.outbound import OutboundNotification
from channels.senders import (
    TEMPLATE_TEXT_LIMIT,
    LoggingSender,
    TelegramSender,
    WebChatSender,
    WhatsAppSender,
    build_senders,
)
from channels.tables import LastInboundReader, utcnow
from core.config import Settings
from tests.bot.conftest import PUBLIC_BASE_URL, SERVICE_TOKEN
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, WHATSAPP_FROM, FakeTwilioHttpClient

TEMPLATE = "HX" + "1" * 32
NUMBER = "+919812345678"


def notification(
    channel: str,
    user: str,
    text: str = "Grievance MS-7K3Q-9: reply from the officer.",
    **overrides: object,
) -> OutboundNotification:
    values: dict[str, object] = {
        "id": 42,
        "channel": channel,
        "channel_user_id": user,
        "text": text,
        "language": "en",
        "ticket_number": "MS-7K3Q-9",
        "status": "in_progress",
        "delivery_key": "n-42",
    }
    values.update(overrides)
    return OutboundNotification(**values)  # type: ignore[arg-type]


@pytest.fixture
def telegram_sender(telegram: FakeTelegram) -> TelegramSender:
    return TelegramSender(
        make_telegram_bot("123456:TEST-token", telegram.base_url), seconds_per_chat=0
    )


async def test_telegram_sent(telegram_sender: TelegramSender, telegram: FakeTelegram) -> None:
    result = await telegram_sender.send(notification("telegram", "9001"))
    assert result.outcome == "sent" and result.provider_message_id
    (sent,) = telegram.sent("sendMessage", 9001)
    assert sent["text"] == "Grievance MS-7K3Q-9: reply from the officer."
    await telegram_sender.aclose()


async def test_telegram_flood_control_is_retry_with_retry_after(
    telegram_sender: TelegramSender, telegram: FakeTelegram
) -> None:
    telegram.flood(9002, retry_after=7)
    result = await telegram_sender.send(notification("telegram", "9002"))
    assert result.outcome == "retry"
    assert result.retry_after == 7.0
    assert (await telegram_sender.send(notification("telegram", "9002"))).outcome == "sent"


async def test_telegram_blocked_user_is_undeliverable(
    telegram_sender: TelegramSender, telegram: FakeTelegram
) -> None:
    telegram.block(9003)
    result = await telegram_sender.send(notification("telegram", "9003"))
    assert result.outcome == "undeliverable"
    assert "blocked" in (result.error or "")


async def test_telegram_long_text_split_and_not_repeated_on_retry(
    telegram_sender: TelegramSender, telegram: FakeTelegram
) -> None:
    text = "The officer wrote a long answer. " * 300  # about 9900 characters: 3 parts
    result = await telegram_sender.send(notification("telegram", "9004", text=text))
    assert result.outcome == "sent"
    parts = telegram.sent("sendMessage", 9004)
    assert len(parts) == 3 and all(len(p["text"]) <= 4096 for p in parts)
    again = await telegram_sender.send(notification("telegram", "9004", text=text))
    assert again.outcome == "sent"
    assert len(telegram.sent("sendMessage", 9004)) == 3


async def test_telegram_per_chat_pacing_defers_a_burst(telegram: FakeTelegram) -> None:
    sender = TelegramSender(
        make_telegram_bot("123456:TEST-token", telegram.base_url),
        seconds_per_chat=30.0,
        max_pacing_wait=1.0,
    )
    first = await sender.send(notification("telegram", "9005", delivery_key="a"))
    second = await sender.send(notification("telegram", "9005", delivery_key="b"))
    other_chat = await sender.send(notification("telegram", "9006", delivery_key="c"))
    assert first.outcome == "sent" and other_chat.outcome == "sent"
    assert second.outcome == "retry" and second.retry_after and second.retry_after > 1.0
    assert len(telegram.sent("sendMessage", 9005)) == 1


@pytest.fixture
def whatsapp(
    settings: Settings, twilio_http: FakeTwilioHttpClient
) -> tuple[WhatsAppSender, GatewayStore]:
    store = GatewayStore(make_engine(settings.database_url))
    store.create_tables()
    sender = WhatsAppSender(
        Client(ACCOUNT_SID, AUTH_TOKEN, http_client=twilio_http),
        whatsapp_from=WHATSAPP_FROM,
        last_inbound=LastInboundReader(store.engine),
        template_sid=TEMPLATE,
        public_base_url=PUBLIC_BASE_URL,
    )
    return sender, store


async def test_whatsapp_within_window_sends_free_text_with_status_callback(
    whatsapp: tuple[WhatsAppSender, GatewayStore], twilio_http: FakeTwilioHttpClient
) -> None:
    sender, store = whatsapp
    store.set_last_inbound_at(f"wa:{NUMBER}", "whatsapp", utcnow() - timedelta(hours=2))
    result = await sender.send(notification("whatsapp", NUMBER))
    assert result.outcome == "sent" and (result.provider_message_id or "").startswith("SM")
    (sent,) = twilio_http.messages()
    assert sent["Body"] == "Grievance MS-7K3Q-9: reply from the officer."
    assert sent["To"] == f"whatsapp:{NUMBER}"
    assert sent["StatusCallback"] == f"{PUBLIC_BASE_URL}/whatsapp/status?notification_id=42"
    assert "ContentSid" not in sent


@pytest.mark.parametrize("last_seen", [None, timedelta(hours=25)])
async def test_whatsapp_outside_window_sends_the_template(
    last_seen: timedelta | None,
    whatsapp: tuple[WhatsAppSender, GatewayStore],
    twilio_http: FakeTwilioHttpClient,
) -> None:
    sender, store = whatsapp
    if last_seen is not None:
        store.set_last_inbound_at(f"wa:{NUMBER}", "whatsapp", utcnow() - last_seen)
    result = await sender.send(notification("whatsapp", NUMBER, language="hi", status="resolved"))
    assert result.outcome == "sent"
    (sent,) = twilio_http.messages()
    assert sent["ContentSid"] == TEMPLATE
    assert "Body" not in sent
    variables = json.loads(sent["ContentVariables"])
    assert variables["1"] == "MS-7K3Q-9"
    assert variables["2"] == "हल हो गई"  # the status name the assistant uses too
    # The template names the ticket itself; the short text starts with what happened.
    assert variables["3"] == "reply from the officer."


async def test_whatsapp_template_keeps_the_officers_note(
    whatsapp: tuple[WhatsAppSender, GatewayStore],
    twilio_http: FakeTwilioHttpClient,
) -> None:
    note = "Please send copies of the unpaid invoices and the purchase orders. " * 3
    text = (
        "Grievance MS-7K3Q-9: Micro and Small Enterprises Facilitation Council, Maharashtra "
        f"needs more information:\n{note}\n\nReply here to send it."
    )
    await whatsapp[0].send(notification("whatsapp", NUMBER, text, status="awaiting_info"))
    (sent,) = twilio_http.messages()
    short = json.loads(sent["ContentVariables"])["3"]
    assert short.startswith("Micro and Small Enterprises") and short.endswith("send it.")
    assert "\n" not in short and "  " not in short


def test_whatsapp_template_text_is_bounded() -> None:
    long = notification("whatsapp", NUMBER, "Grievance MS-7K3Q-9: " + "word " * 400)
    short = WhatsAppSender.template_variables(long)["3"]
    assert len(short) == TEMPLATE_TEXT_LIMIT and short.endswith("...")


async def test_whatsapp_refusals_and_outages(
    whatsapp: tuple[WhatsAppSender, GatewayStore], twilio_http: FakeTwilioHttpClient
) -> None:
    sender, _ = whatsapp
    twilio_http.fail_next(400, 21211, "Invalid 'To' Phone Number")
    assert (await sender.send(notification("whatsapp", NUMBER))).outcome == "undeliverable"
    twilio_http.fail_next(503, 20500, "Service unavailable")
    assert (await sender.send(notification("whatsapp", NUMBER))).outcome == "retry"
    twilio_http.fail_next(429, 20429, "Too many requests")
    assert (await sender.send(notification("whatsapp", NUMBER))).outcome == "retry"


async def test_whatsapp_without_template_outside_window_is_undeliverable(
    settings: Settings, twilio_http: FakeTwilioHttpClient
) -> None:
    store = GatewayStore(make_engine(settings.database_url))
    store.create_tables()
    sender = WhatsAppSender(
        Client(ACCOUNT_SID, AUTH_TOKEN, http_client=twilio_http),
        whatsapp_from=WHATSAPP_FROM,
        last_inbound=LastInboundReader(store.engine),
    )
    result = await sender.send(notification("whatsapp", NUMBER))
    assert result.outcome == "undeliverable" and "TWILIO_TEMPLATE_SID" in (result.error or "")
    assert twilio_http.messages() == []


async def test_web_notification_pushed_to_the_page(gateway: Gateway) -> None:
    app = create_app(gateway.settings, gateway=gateway)
    transport = httpx.ASGITransport(app=app)
    sender = WebChatSender("http://gateway.test", SERVICE_TOKEN, transport=transport)
    web_id = "pagevisitor01"
    result = await sender.send(notification("web", web_id))
    assert result.outcome == "sent"
    # The same delivery key again does not show it twice.
    assert (await sender.send(notification("web", web_id))).outcome == "sent"
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        updates = (await http.get(f"/webchat/updates?sender=web:{web_id}&after=0")).json()
    assert [m["text"] for m in updates["messages"]] == [
        "Grievance MS-7K3Q-9: reply from the officer."
    ]
    assert updates["messages"][0]["kind"] == "notification"
    wrong = WebChatSender("http://gateway.test", "not-the-token", transport=transport)
    assert (await wrong.send(notification("web", web_id, delivery_key="x"))).outcome == (
        "undeliverable"
    )
    await sender.aclose()
    await wrong.aclose()


def test_build_senders_without_credentials_logs(tmp_path: object) -> None:
    settings = Settings(
        database_url="sqlite://",
        telegram_bot_token="",
        twilio_account_sid="",
        twilio_auth_token="",
        twilio_whatsapp_from="",
    )
    senders = build_senders(settings, LastInboundReader(make_engine(settings.database_url)))
    assert isinstance(senders["telegram"], LoggingSender)
    assert isinstance(senders["whatsapp"], LoggingSender)
    assert isinstance(senders["web"], WebChatSender)


def test_build_senders_with_credentials(settings: Settings) -> None:
    senders = build_senders(settings, LastInboundReader(make_engine(settings.database_url)))
    assert isinstance(senders["telegram"], TelegramSender)
    assert isinstance(senders["whatsapp"], WhatsAppSender)
