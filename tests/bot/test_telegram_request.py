"""PTB's Bot over ``AiohttpRequest``: what reaches the Bot API, and Telegram's answers and
network failures turned into PTB's own errors (which the senders and channel rely on)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from channels.clients import make_telegram_bot
from channels.senders import retry_after_seconds
from channels.telegram_request import AiohttpRequest
from tests.support.fake_telegram import FakeTelegram
from tests.support.local_server import LocalServer, free_port

TOKEN = "123456:TEST-token"


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_telegram_bot(TOKEN, telegram.base_url)
    await bot.initialize()
    yield bot
    await bot.shutdown()


async def test_send_message_reaches_the_api_with_its_parameters(
    bot: Bot, telegram: FakeTelegram
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="/affirm")]])
    message = await bot.send_message(
        chat_id=4242, text="<b>नमस्ते</b> & welcome", parse_mode="HTML", reply_markup=keyboard
    )
    assert message.chat.id == 4242 and message.message_id > 0
    (sent,) = telegram.sent("sendMessage", 4242)
    assert sent["text"] == "<b>नमस्ते</b> & welcome" and sent["parse_mode"] == "HTML"
    assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "/affirm"


async def test_many_requests_in_flight_share_the_pool(bot: Bot, telegram: FakeTelegram) -> None:
    await asyncio.gather(*(bot.send_message(chat_id=5000 + i, text=f"n{i}") for i in range(40)))
    assert {int(p["chat_id"]) for p in telegram.sent()} == {5000 + i for i in range(40)}


async def test_blocked_and_flood_control_answers_become_ptb_errors(
    bot: Bot, telegram: FakeTelegram
) -> None:
    telegram.block(7001)
    telegram.flood(7002, retry_after=9)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(chat_id=7001, text="x")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(chat_id=7002, text="x")
    assert retry_after_seconds(flood.value) == 9.0


async def test_files_go_as_multipart(bot: Bot, telegram: FakeTelegram) -> None:
    await bot.send_document(chat_id=7003, document=b"%PDF-1.4 receipt", filename="receipt.pdf")
    (sent,) = telegram.sent("sendDocument", 7003)
    assert "receipt.pdf" in str(sent["document"])


async def test_long_polling_gets_queued_updates(bot: Bot, telegram: FakeTelegram) -> None:
    chat = {"id": 7, "type": "private"}
    telegram.queue_update({"message": {"message_id": 1, "date": 0, "chat": chat, "text": "hi"}})
    updates = await bot.get_updates(timeout=1)
    assert [u.message.text for u in updates if u.message] == ["hi"]


async def test_refused_connection_is_a_network_error() -> None:
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{free_port()}/bot", request=AiohttpRequest())
    with pytest.raises(NetworkError) as error:
        await bot.send_message(chat_id=1, text="x")
    assert not isinstance(error.value, (TimedOut, BadRequest))
    await bot.shutdown()


async def test_a_server_that_does_not_answer_in_time_is_timed_out() -> None:
    async def slow(_request: Request) -> JSONResponse:
        await asyncio.sleep(1.0)
        return JSONResponse({"ok": True, "result": True})

    server = LocalServer(Starlette(routes=[Route("/bot{token}/{method}", slow, methods=["POST"])]))
    server.start()
    try:
        bot = Bot(TOKEN, base_url=f"{server.url}/bot", request=AiohttpRequest(read_timeout=0.2))
        with pytest.raises(TimedOut):
            await bot.send_message(chat_id=1, text="x")
        await bot.shutdown()
    finally:
        server.stop()
