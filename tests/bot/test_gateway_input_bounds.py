"""Hostile input on every gateway endpoint answers 4xx, never 500: JSON nested too deeply,
integers too large for a query parameter, and bodies over ``MAX_BODY_BYTES`` whether or not
they announce their length (a chunked body is counted while it streams)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import Gateway
from tests.bot.conftest import PUBLIC_BASE_URL, SERVICE_TOKEN, WEBHOOK_SECRET
from tests.support.fake_twilio import signed_form, whatsapp_inbound
from tests.support.rasa_stand_in import RasaStandIn

WEB = "web:visitor-0001"
TELEGRAM = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
PUSH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
DEEP = b"[" * 1000 + b"]" * 1000  # 2 KB; json.loads raises RecursionError on it
JSON = {"Content-Type": "application/json"}


def nested_object(depth: int) -> bytes:
    """``{"sender": ..., "text": "hi", "x": {"x": ... {}}}``: a valid message, deep inside."""
    inner = b'{"x":' * depth + b"{}" + b"}" * depth
    return b'{"sender":"' + WEB.encode() + b'","text":"hi","x":' + inner + b"}"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/webchat/messages", JSON),
        ("/telegram/webhook", {**JSON, **TELEGRAM}),
        ("/internal/webchat/push", {**JSON, **PUSH}),
    ],
)
@pytest.mark.parametrize("body", [DEEP, nested_object(1000), nested_object(40)])
async def test_json_nested_too_deeply_is_refused_on_every_json_endpoint(
    client: httpx.AsyncClient,
    gateway: Gateway,
    rasa: RasaStandIn,
    path: str,
    headers: dict[str, str],
    body: bytes,
) -> None:
    response = await client.post(path, content=body, headers=headers)
    # Telegram redelivers anything but 2xx, so its webhook drops what it cannot read.
    expected = 200 if path == "/telegram/webhook" else 422
    assert response.status_code == expected, response.text
    await gateway.inbox.wait_idle()
    assert rasa.received == []
    assert gateway.store.senders_with_pending() == []


async def test_json_of_ordinary_depth_is_still_read(
    client: httpx.AsyncClient, rasa: RasaStandIn
) -> None:
    response = await client.post("/webchat/messages", content=nested_object(8), headers=JSON)
    assert response.status_code == 200
    assert rasa.messages() == ["hi"]


@pytest.mark.parametrize(
    "after", ["1000000000000000000000000000000", "-1000000000000000000000000000000", "9" * 5000]
)
async def test_webchat_updates_refuses_integers_out_of_range(
    client: httpx.AsyncClient, after: str
) -> None:
    response = await client.get("/webchat/updates", params={"sender": WEB, "after": after})
    assert response.status_code == 422, response.text


async def test_webchat_updates_still_reads_its_cursor(client: httpx.AsyncClient) -> None:
    pushed = await client.post(
        "/internal/webchat/push",
        json={"channel_user_id": WEB, "text": "ticket MS-ABCDEF-G moved"},
        headers=PUSH,
    )
    first = await client.get("/webchat/updates", params={"sender": WEB, "after": "0"})
    assert [m["text"] for m in first.json()["messages"]] == ["ticket MS-ABCDEF-G moved"]
    assert first.json()["last_id"] == pushed.json()["id"]
    latest = await client.get("/webchat/updates", params={"sender": WEB, "after": "-1"})
    assert latest.json() == {"messages": [], "last_id": pushed.json()["id"]}


@pytest.mark.parametrize("notification_id", ["1" * 30, "9" * 5000])
async def test_delivery_callback_refuses_integers_out_of_range(
    client: httpx.AsyncClient, notification_id: str
) -> None:
    url = f"{PUBLIC_BASE_URL}/whatsapp/status?notification_id={notification_id}"
    form = {"MessageSid": "SM" + "0" * 32, "MessageStatus": "delivered"}
    data, headers = signed_form(url, form)
    response = await client.post(url.removeprefix(PUBLIC_BASE_URL), data=data, headers=headers)
    assert response.status_code == 422, response.text


class Chunks:
    """A 10 MB body sent chunked (no Content-Length), counting what the app asked for."""

    def __init__(self, first: bytes = b"", chunk: bytes = b"a" * 65_536, total: int = 10**7):
        self.first = first
        self.chunk = chunk
        self.count = total // len(chunk)
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.first:
            yield self.first
        for _ in range(self.count):
            self.pulled += 1
            yield self.chunk


def signed_whatsapp_headers(path: str) -> dict[str, str]:
    _, headers = signed_form(
        f"{PUBLIC_BASE_URL}{path}", whatsapp_inbound("SM9", "+919800000000", "hi")
    )
    return {**headers, "Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    ("path", "headers", "first"),
    [
        ("/webchat/messages", JSON, b'{"sender":"' + WEB.encode() + b'","text":"'),
        ("/telegram/webhook", {**JSON, **TELEGRAM}, b'{"update_id":1,"message":{"text":"'),
        ("/internal/webchat/push", {**JSON, **PUSH}, b'{"text":"'),
        ("/whatsapp/webhook", signed_whatsapp_headers("/whatsapp/webhook"), b"Body="),
        ("/whatsapp/status", signed_whatsapp_headers("/whatsapp/status"), b"MessageSid="),
    ],
)
async def test_chunked_body_over_the_limit_is_refused_while_streaming(
    client: httpx.AsyncClient,
    gateway: Gateway,
    rasa: RasaStandIn,
    path: str,
    headers: dict[str, str],
    first: bytes,
) -> None:
    body = Chunks(first)
    response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 413, response.text
    assert "content-length" not in {name.lower() for name in headers}
    # Refused once the limit was passed, not after reading 10 MB.
    limit_chunks = gateway.settings.max_body_bytes // len(body.chunk)
    assert body.pulled <= limit_chunks + 2, body.pulled
    await gateway.inbox.wait_idle()
    assert rasa.received == []
    assert gateway.store.senders_with_pending() == []


async def test_announced_length_over_the_limit_is_refused_before_reading(
    client: httpx.AsyncClient,
) -> None:
    big = b'{"sender":"' + WEB.encode() + b'","text":"' + b"a" * 100_000 + b'"}'
    response = await client.post("/webchat/messages", content=big, headers=JSON)
    assert response.status_code == 413


# Found by probing past the fuzzer (which generates only encodable text, and no files): a lone
# surrogate (valid JSON, not encodable as UTF-8) made the inline SQLite write fail half-way
# and hold the database's write lock, so every later message waited forever.
LONE_SURROGATE = b'"a\\ud800b"'
NUL = b'"a\\u0000b"'  # PostgreSQL refuses NUL in text


@pytest.mark.parametrize("text", [LONE_SURROGATE, NUL])
async def test_text_no_database_can_store_is_refused_and_the_gateway_goes_on(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn, text: bytes
) -> None:
    web = b'{"sender":"' + WEB.encode() + b'","text":' + text + b"}"
    assert (await client.post("/webchat/messages", content=web, headers=JSON)).status_code == 422
    push = b'{"channel_user_id":"' + WEB.encode() + b'","text":' + text + b"}"
    response = await client.post("/internal/webchat/push", content=push, headers={**JSON, **PUSH})
    assert response.status_code == 422
    update = (
        b'{"update_id":77,"message":{"message_id":1,"date":0,"chat":{"id":4,"type":"private"},'
        b'"from":{"id":4,"is_bot":false,"first_name":' + text + b'},"text":"hi"}}'
    )
    tg = await client.post("/telegram/webhook", content=update, headers={**JSON, **TELEGRAM})
    assert tg.status_code == 200  # dropped: Telegram would redeliver a 4xx forever
    ordinary = await client.post("/webchat/messages", json={"sender": WEB, "text": "still here?"})
    assert ordinary.json() == {"messages": [{"text": "echo: still here?"}]}
    await gateway.inbox.wait_idle()
    assert rasa.messages() == ["still here?"]


async def test_a_failed_inline_write_releases_the_database(gateway: Gateway) -> None:
    """Whatever makes a write fail half-way, the write lock is released."""
    with pytest.raises(UnicodeEncodeError):
        await gateway.store.record_inbound_async(
            dedup_key="web:x:1", channel="web", sender_id=WEB, text="a\ud800", metadata={}
        )
    recorded = await gateway.store.record_inbound_async(
        dedup_key="web:x:2", channel="web", sender_id=WEB, text="fine", metadata={}
    )
    assert recorded is not None


async def test_whatsapp_form_with_a_file_is_refused(client: httpx.AsyncClient) -> None:
    files = {"Body": ("body.txt", b"hello", "text/plain")}
    for path in ("/whatsapp/webhook", "/whatsapp/status"):
        response = await client.post(path, files=files, headers={"X-Twilio-Signature": "x"})
        assert response.status_code == 415, response.text
