"""``TWILIO_API_BASE_URL``: the real twilio client, over HTTP, to the local fake Twilio API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient

from bot.store import GatewayStore, make_engine
from channels.clients import LocalTwilioHttpClient, make_twilio_client
from channels.outbound import OutboundNotification
from channels.senders import WhatsAppSender, build_senders
from channels.tables import LastInboundReader, utcnow
from core.config import Settings
from tests.support.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    WHATSAPP_FROM,
    FakeTwilioApi,
    FakeTwilioControl,
)
from tests.support.local_server import LocalServer

NUMBER = "+919812345678"
TEMPLATE = "HX" + "2" * 32


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[tuple[FakeTwilioApi, str]]:
    api = FakeTwilioApi()
    server = LocalServer(api.app).start()
    yield api, server.url
    server.stop()


@pytest.fixture
def control(twilio_api: tuple[FakeTwilioApi, str]) -> FakeTwilioControl:
    control = FakeTwilioControl(twilio_api[1])
    control.reset()
    return control


def test_without_a_base_url_the_client_talks_to_twilio() -> None:
    client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN)
    assert type(client.http_client) is TwilioHttpClient


def test_messages_create_reaches_the_local_fake(control: FakeTwilioControl) -> None:
    client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, control.url + "/")
    assert isinstance(client.http_client, LocalTwilioHttpClient)
    message = client.messages.create(from_=WHATSAPP_FROM, to=f"whatsapp:{NUMBER}", body="hi")
    (sent,) = control.messages()
    assert message.sid == sent["_sid"] and message.sid.startswith("SM")
    assert message.status == "queued"
    assert sent["To"] == f"whatsapp:{NUMBER}" and sent["Body"] == "hi"
    assert sent["From"] == WHATSAPP_FROM


def test_the_fake_refuses_wrong_credentials(control: FakeTwilioControl) -> None:
    client = make_twilio_client(ACCOUNT_SID, "not-the-token", control.url)
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(from_=WHATSAPP_FROM, to=f"whatsapp:{NUMBER}", body="hi")
    assert raised.value.status == 401
    assert control.messages() == []


def test_queued_failure_is_a_twilio_error(control: FakeTwilioControl) -> None:
    client = make_twilio_client(ACCOUNT_SID, AUTH_TOKEN, control.url)
    control.fail_next(400, 63016)
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(from_=WHATSAPP_FROM, to=f"whatsapp:{NUMBER}", body="hi")
    assert raised.value.status == 400 and raised.value.code == 63016
    client.messages.create(from_=WHATSAPP_FROM, to=f"whatsapp:{NUMBER}", body="again")
    assert [m["Body"] for m in control.messages()] == ["again"]


async def test_worker_senders_use_the_base_url(tmp_path: Path, control: FakeTwilioControl) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_whatsapp_from=WHATSAPP_FROM,
        twilio_template_sid=TEMPLATE,
        twilio_api_base_url=control.url,
    )
    reader = LastInboundReader(make_engine(settings.database_url))
    sender = build_senders(settings, reader)["whatsapp"]
    assert isinstance(sender, WhatsAppSender)
    store = GatewayStore(make_engine(settings.database_url))
    store.create_tables()
    # Last heard from 25 hours ago: outside the window, so the template goes out.
    store.record_inbound(
        dedup_key="wa:SMold",
        channel="whatsapp",
        sender_id=f"wa:{NUMBER}",
        text="hello",
        metadata={},
        received_at=utcnow() - timedelta(hours=25),
    )
    result = await sender.send(
        OutboundNotification(
            id=7,
            channel="whatsapp",
            channel_user_id=NUMBER,
            text="Grievance MS-7K3Q-9: the officer needs the invoice copies.",
            language="en",
            ticket_number="MS-7K3Q-9",
            status="awaiting_info",
            delivery_key="n-7",
        )
    )
    (sent,) = control.messages(to=f"whatsapp:{NUMBER}")
    assert result.outcome == "sent" and result.provider_message_id == sent["_sid"]
    assert sent["ContentSid"] == TEMPLATE and "Body" not in sent
    variables = json.loads(sent["ContentVariables"])
    assert variables["1"] == "MS-7K3Q-9" and "invoice" in variables["3"]
    store.close()
