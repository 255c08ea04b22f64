from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bot.app import Gateway
from tests.bot.conftest import WEBHOOK_SECRET
from tests.support.fake_telegram import FakeTelegram, telegram_text_update
from tests.support.rasa_stand_in import RasaStandIn

CHAT = 555001


def headers(secret: str | None = WEBHOOK_SECRET) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}


async def post_update(
    client: httpx.AsyncClient, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET
) -> httpx.Response:
    return await client.post("/telegram/webhook", json=update, headers=headers(secret))


async def test_text_message_reaches_rasa_and_reply_reaches_chat(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn, telegram: FakeTelegram
) -> None:
    response = await post_update(
        client, telegram_text_update(CHAT, "my payment is late", update_id=1)
    )
    assert response.status_code == 200
    await gateway.inbox.wait_idle()
    assert rasa.received[0]["sender"] == f"tg:{CHAT}"
    assert rasa.received[0]["message"] == "my payment is late"
    assert rasa.received[0]["metadata"]["channel"] == "telegram"
    sent = telegram.sent("sendMessage", CHAT)
    assert [m["text"] for m in sent] == ["echo: my payment is late"]
    assert sent[0]["parse_mode"] == "HTML"


async def test_missing_or_wrong_secret_is_refused_and_nothing_processed(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn, telegram: FakeTelegram
) -> None:
    missing = await post_update(client, telegram_text_update(CHAT, "hi", update_id=2), None)
    wrong = await post_update(client, telegram_text_update(CHAT, "hi", update_id=3), "guess")
    assert missing.status_code == 401
    assert wrong.status_code == 403
    await gateway.inbox.wait_idle()
    assert rasa.received == []
    assert telegram.sent("sendMessage") == []
    assert gateway.store.senders_with_pending() == []


async def test_redelivered_update_is_processed_once(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    update = telegram_text_update(CHAT, "hello", update_id=10)
    for _ in range(3):
        assert (await post_update(client, update)).status_code == 200
    await gateway.inbox.wait_idle()
    assert rasa.messages() == ["hello"]


async def test_messages_of_one_chat_reach_rasa_in_order(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn, telegram: FakeTelegram
) -> None:
    rasa.delays["first"] = 0.3  # the first turn is slow; the others must still wait for it
    for update_id, text in enumerate(["first", "second", "third"], start=20):
        await post_update(client, telegram_text_update(CHAT, text, update_id=update_id))
    await gateway.inbox.wait_idle()
    assert rasa.messages(f"tg:{CHAT}") == ["first", "second", "third"]
    assert [m["text"] for m in telegram.sent("sendMessage", CHAT)] == [
        "echo: first",
        "echo: second",
        "echo: third",
    ]


async def test_start_command_greets(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    await post_update(client, telegram_text_update(CHAT, "/start", update_id=30))
    await post_update(
        client, telegram_text_update(CHAT, "/status@msme_desk_test_bot", update_id=31)
    )
    await gateway.inbox.wait_idle()
    assert rasa.messages() == ["/greet", "/check_status"]


async def test_buttons_become_inline_keyboard_and_long_payload_round_trips(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn, telegram: FakeTelegram
) -> None:
    long_payload = '/inform{"category":"regulation_licensing","state":"Arunachal Pradesh"}'
    rasa.replies["file"] = [
        {
            "text": "Which **category**? <pick one>",
            "buttons": [
                {"title": "Labour", "payload": '/inform{"category":"labour"}'},
                {"title": "Licences", "payload": long_payload},
            ],
        }
    ]
    await post_update(client, telegram_text_update(CHAT, "file", update_id=40))
    await gateway.inbox.wait_idle()
    (sent,) = telegram.sent("sendMessage", CHAT)
    assert sent["text"] == "Which <b>category</b>? &lt;pick one&gt;"
    keyboard = sent["reply_markup"]["inline_keyboard"]
    datas = [button["callback_data"] for row in keyboard for button in row]
    assert all(len(d.encode()) <= 64 for d in datas)
    assert datas[0] == '/inform{"category":"labour"}'
    assert datas[1] != long_payload

    press = {
        "update_id": 41,
        "callback_query": {
            "id": "cbq-1",
            "from": {"id": CHAT, "is_bot": False, "first_name": "Asha"},
            "chat_instance": "ci",
            "data": datas[1],
            "message": {
                "message_id": 7,
                "date": 1700000000,
                "chat": {"id": CHAT, "type": "private"},
                "text": "Which category?",
            },
        },
    }
    await post_update(client, press)
    await gateway.inbox.wait_idle()
    assert rasa.messages()[-1] == long_payload
    assert telegram.sent("answerCallbackQuery")[0]["callback_query_id"] == "cbq-1"
    assert telegram.sent("editMessageReplyMarkup")[0]["message_id"] == 7


async def test_edited_message_and_group_chat_get_polite_answers(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn, telegram: FakeTelegram
) -> None:
    edited = telegram_text_update(CHAT, "changed", update_id=50)
    edited["edited_message"] = edited.pop("message")
    await post_update(client, edited)
    group = -100777
    await post_update(
        client, telegram_text_update(group, "hello all", update_id=51, chat_type="group")
    )
    await post_update(
        client, telegram_text_update(group, "/start", update_id=52, chat_type="group")
    )
    await gateway.inbox.wait_idle()
    assert rasa.received == []
    assert "edited" in telegram.sent("sendMessage", CHAT)[0]["text"]
    (group_reply,) = telegram.sent("sendMessage", group)
    assert "directly" in group_reply["text"]


async def test_shared_contact_sends_phone_number(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    update = telegram_text_update(CHAT, "", update_id=60)
    del update["message"]["text"]
    update["message"]["contact"] = {
        "phone_number": "+919876543210",
        "first_name": "Asha",
        "user_id": CHAT,
    }
    await post_update(client, update)
    await gateway.inbox.wait_idle()
    (turn,) = rasa.received
    assert turn["message"] == "+919876543210"
    assert turn["metadata"]["contact_phone"] == "+919876543210"


async def test_hindi_user_gets_hindi_gateway_texts(
    client: httpx.AsyncClient, gateway: Gateway, telegram: FakeTelegram
) -> None:
    update = telegram_text_update(CHAT, "", update_id=70, language_code="hi")
    del update["message"]["text"]
    update["message"]["sticker"] = {
        "file_id": "f",
        "file_unique_id": "u",
        "type": "regular",
        "width": 1,
        "height": 1,
        "is_animated": False,
        "is_video": False,
    }
    await post_update(client, update)
    await gateway.inbox.wait_idle()
    (reply,) = telegram.sent("sendMessage", CHAT)
    assert "टाइप" in reply["text"]


async def test_long_polling_when_no_public_url(
    gateway: Gateway, rasa: RasaStandIn, telegram: FakeTelegram
) -> None:
    assert gateway.telegram is not None
    await gateway.telegram.start("", gateway.inbox.accept)
    update = telegram_text_update(CHAT, "polled hello", update_id=0)
    telegram.queue_update({"message": update["message"]})  # the fake numbers it
    for _ in range(200):
        if telegram.sent("sendMessage", CHAT):
            break
        await asyncio.sleep(0.05)
    assert telegram.sent("deleteWebhook")
    assert rasa.messages() == ["polled hello"]
    assert telegram.sent("sendMessage", CHAT)[0]["text"] == "echo: polled hello"


async def test_webhook_registered_with_secret_when_public_url_set(
    gateway: Gateway, telegram: FakeTelegram
) -> None:
    assert gateway.telegram is not None
    await gateway.telegram.start("https://desk.example.org", gateway.inbox.accept)
    (registration,) = telegram.sent("setWebhook")
    assert registration["url"] == "https://desk.example.org/telegram/webhook"
    assert registration["secret_token"] == WEBHOOK_SECRET
    assert "callback_query" in registration["allowed_updates"]


def ill_typed_updates() -> list[dict[str, Any]]:
    """Updates PTB parses without checking types (only a sender with the secret could send
    them); found by tests/bot/test_gateway_fuzz.py: a list as button data answered 500."""
    press = {
        "update_id": 80,
        "callback_query": {
            "id": "cbq-2",
            "from": {"id": CHAT, "is_bot": False, "first_name": "Asha"},
            "chat_instance": "ci",
            "data": [{"a": 1}],
            "message": {"message_id": 7, "date": 0, "chat": {"id": CHAT, "type": "private"}},
        },
    }
    float_chat = telegram_text_update(CHAT, "hi", update_id=81)
    float_chat["message"]["chat"]["id"] = 1.5
    number_text = telegram_text_update(CHAT, "hi", update_id=82)
    number_text["message"]["text"] = 12345
    odd_language = telegram_text_update(CHAT, "hi", update_id=83)
    odd_language["message"]["from"]["language_code"] = ["hi"]
    return [press, float_chat, number_text, odd_language]


async def test_ill_typed_updates_are_dropped_not_recorded(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn, telegram: FakeTelegram
) -> None:
    for update in ill_typed_updates():
        assert (await post_update(client, update)).status_code == 200
    await gateway.inbox.wait_idle()
    assert gateway.store.senders_with_pending() == []
    assert rasa.received == []
    await post_update(client, telegram_text_update(CHAT, "hello", update_id=84))
    await gateway.inbox.wait_idle()
    assert rasa.messages() == ["hello"]
