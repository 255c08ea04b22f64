from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from bot.app import Gateway
from channels.tables import utcnow
from tests.bot.conftest import PUBLIC_BASE_URL
from tests.support.fake_twilio import (
    WHATSAPP_FROM,
    FakeTwilioHttpClient,
    signed_form,
    whatsapp_inbound,
)
from tests.support.rasa_stand_in import RasaStandIn

NUMBER = "+919876543210"
WEBHOOK = f"{PUBLIC_BASE_URL}/whatsapp/webhook"


async def post_signed(
    client: httpx.AsyncClient, form: dict[str, str], url: str = WEBHOOK, **kwargs: object
) -> httpx.Response:
    data, headers = signed_form(url, form, **kwargs)  # type: ignore[arg-type]
    path = url.removeprefix(PUBLIC_BASE_URL)
    return await client.post(path, data=data, headers=headers)


async def test_signed_message_is_answered_through_twilio(
    client: httpx.AsyncClient,
    gateway: Gateway,
    rasa: RasaStandIn,
    twilio_http: FakeTwilioHttpClient,
) -> None:
    response = await post_signed(client, whatsapp_inbound("SM1", NUMBER, "namaste"))
    assert response.status_code == 200
    await gateway.inbox.wait_idle()
    (turn,) = rasa.received
    assert turn["sender"] == f"wa:{NUMBER}"
    assert turn["metadata"]["channel"] == "whatsapp"
    (sent,) = twilio_http.messages()
    assert sent["To"] == f"whatsapp:{NUMBER}"
    assert sent["From"] == WHATSAPP_FROM
    assert sent["Body"] == "echo: namaste"


@pytest.mark.parametrize("case", ["missing", "forged", "altered", "other_url"])
async def test_unsigned_forged_or_altered_requests_are_refused(
    case: str,
    client: httpx.AsyncClient,
    gateway: Gateway,
    rasa: RasaStandIn,
    twilio_http: FakeTwilioHttpClient,
) -> None:
    form = whatsapp_inbound("SM2", NUMBER, "hello")
    data, headers = signed_form(WEBHOOK, form)
    if case == "missing":
        headers = {}
    elif case == "forged":
        data, headers = signed_form(WEBHOOK, form, token="not-the-auth-token")
    elif case == "altered":
        data = {**data, "Body": "transfer the ticket to me"}
    else:
        data, headers = signed_form("https://elsewhere.example.org/whatsapp/webhook", form)
    response = await client.post("/whatsapp/webhook", data=data, headers=headers)
    assert response.status_code == (401 if case == "missing" else 403)
    await gateway.inbox.wait_idle()
    assert rasa.received == []
    assert twilio_http.messages() == []
    assert gateway.store.last_inbound_at(f"wa:{NUMBER}") is None


async def test_duplicate_message_sid_dropped(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    for _ in range(2):
        await post_signed(client, whatsapp_inbound("SM3", NUMBER, "once"))
    await gateway.inbox.wait_idle()
    assert rasa.messages() == ["once"]


async def test_numbered_options_answered_by_number_or_text(
    client: httpx.AsyncClient,
    gateway: Gateway,
    rasa: RasaStandIn,
    twilio_http: FakeTwilioHttpClient,
) -> None:
    buttons = [
        {"title": "Delayed payment", "payload": '/inform{"category":"delayed_payment"}'},
        {"title": "Labour", "payload": '/inform{"category":"labour"}'},
    ]
    rasa.replies["file a complaint"] = [{"text": "Which category?", "buttons": buttons}]
    await post_signed(client, whatsapp_inbound("SM10", NUMBER, "file a complaint"))
    await gateway.inbox.wait_idle()
    body = twilio_http.messages()[-1]["Body"]
    assert "1. Delayed payment\n2. Labour" in body
    await post_signed(client, whatsapp_inbound("SM11", NUMBER, "2"))
    await gateway.inbox.wait_idle()
    assert rasa.messages()[-1] == '/inform{"category":"labour"}'
    # The options are answered once; a later "2" is just text.
    await post_signed(client, whatsapp_inbound("SM12", NUMBER, "2"))
    await gateway.inbox.wait_idle()
    assert rasa.messages()[-1] == "2"

    rasa.replies["again"] = [{"text": "Which category?", "buttons": buttons}]
    await post_signed(client, whatsapp_inbound("SM13", NUMBER, "again"))
    await post_signed(client, whatsapp_inbound("SM14", NUMBER, "delayed PAYMENT"))
    await gateway.inbox.wait_idle()
    assert rasa.messages()[-1] == '/inform{"category":"delayed_payment"}'


async def test_media_is_kept_and_offered_with_later_messages(
    client: httpx.AsyncClient,
    gateway: Gateway,
    rasa: RasaStandIn,
    twilio_http: FakeTwilioHttpClient,
) -> None:
    media_url = "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1"
    form = whatsapp_inbound("SM20", NUMBER, "", media=[(media_url, "image/jpeg")])
    await post_signed(client, form)
    await gateway.inbox.wait_idle()
    assert rasa.received == []  # nothing for the assistant to read yet
    assert "attachment" in twilio_http.messages()[-1]["Body"]
    await post_signed(client, whatsapp_inbound("SM21", NUMBER, "the invoice is attached"))
    await gateway.inbox.wait_idle()
    (turn,) = rasa.received
    assert turn["metadata"]["attachments"] == [{"url": media_url, "content_type": "image/jpeg"}]


async def test_inbound_message_records_last_inbound_at(
    client: httpx.AsyncClient, gateway: Gateway
) -> None:
    before = utcnow()
    await post_signed(client, whatsapp_inbound("SM30", NUMBER, "hi"))
    await gateway.inbox.wait_idle()
    last = gateway.store.last_inbound_at(f"wa:{NUMBER}")
    assert last is not None and before - timedelta(seconds=1) <= last <= utcnow()


@pytest.fixture
def notifications(gateway: Gateway) -> sa.Table:
    """The backend's notifications table, reduced to the columns the callback touches."""
    table = sa.Table(
        "notifications",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("provider_message_id", sa.String, nullable=True),
        sa.Column("delivery_status", sa.String, nullable=True),
    )
    table.create(gateway.engine)
    with gateway.engine.begin() as conn:
        conn.execute(table.insert().values(id=42, provider_message_id=None))
    return table


def delivery_state(gateway: Gateway, table: sa.Table) -> tuple[str | None, str | None]:
    with gateway.engine.connect() as conn:
        row = conn.execute(
            sa.select(table.c.provider_message_id, table.c.delivery_status).where(table.c.id == 42)
        ).one()
    return row[0], row[1]


async def test_status_callback_updates_notification_in_order(
    client: httpx.AsyncClient, gateway: Gateway, notifications: sa.Table
) -> None:
    url = f"{PUBLIC_BASE_URL}/whatsapp/status?notification_id=42"
    callback = {"MessageSid": "SMabc", "MessageStatus": "delivered", "To": f"whatsapp:{NUMBER}"}
    assert (await post_signed(client, callback, url=url)).status_code == 204
    assert delivery_state(gateway, notifications) == ("SMabc", "delivered")
    late = {**callback, "MessageStatus": "sent"}  # arrives after "delivered": ignored
    await post_signed(client, late, url=url)
    assert delivery_state(gateway, notifications) == ("SMabc", "delivered")
    read = {**callback, "MessageStatus": "read"}
    await post_signed(client, read, url=url)
    assert delivery_state(gateway, notifications) == ("SMabc", "read")


async def test_status_callback_with_bad_signature_changes_nothing(
    client: httpx.AsyncClient, gateway: Gateway, notifications: sa.Table
) -> None:
    url = f"{PUBLIC_BASE_URL}/whatsapp/status?notification_id=42"
    data, headers = signed_form(url, {"MessageSid": "SMx", "MessageStatus": "delivered"})
    # Signed for notification 42, replayed against another notification id.
    response = await client.post("/whatsapp/status?notification_id=43", data=data, headers=headers)
    assert response.status_code == 403
    assert delivery_state(gateway, notifications) == (None, None)


async def test_outside_window_failure_forgets_the_window(
    client: httpx.AsyncClient, gateway: Gateway, notifications: sa.Table
) -> None:
    await post_signed(client, whatsapp_inbound("SM40", NUMBER, "hi"))
    await gateway.inbox.wait_idle()
    assert gateway.store.last_inbound_at(f"wa:{NUMBER}") is not None
    url = f"{PUBLIC_BASE_URL}/whatsapp/status?notification_id=42"
    failed = {
        "MessageSid": "SMf",
        "MessageStatus": "failed",
        "ErrorCode": "63016",
        "To": f"whatsapp:{NUMBER}",
    }
    await post_signed(client, failed, url=url)
    assert delivery_state(gateway, notifications) == ("SMf", "failed")
    assert gateway.store.last_inbound_at(f"wa:{NUMBER}") is None
