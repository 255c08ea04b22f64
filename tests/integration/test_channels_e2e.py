"""Channels end to end: the real backend, worker, action server, Rasa (trained model) and
gateway, with Telegram faked as a local Bot API server that PTB talks to.

A Telegram conversation files a grievance (category chosen with an inline button); an officer
replies through the admin API; the worker delivers the reply to the fake Telegram as a message
to that chat. Then Rasa is stopped mid-conversation: the user is told once, and the messages
are answered, once each, after Rasa is back.

Runs under the app env (.venv/bin/pytest); skips with the reason when .venv-rasa or the model
in models/ is missing (`make setup-rasa train`).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.support.fake_telegram import FakeTelegramControl, telegram_text_update
from tests.support.processes import (
    APP_PYTHON,
    ROOT,
    Service,
    action_server_command,
    action_server_env,
    backend_service,
    free_port,
    migrate,
    rasa_ready_url,
    rasa_server,
    rasa_skip_reason,
    rasa_tracker,
    running,
    unmasked_in_logs,
)

pytestmark = pytest.mark.integration

TOKEN = "e2e-channels-service-token"
BOT_TOKEN = "123456:E2E-channels"
SECRET = "e2e-webhook-secret"


class System:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.database_url = f"sqlite:///{tmp / 'app.db'}"
        self.telegram_port = free_port()
        self.actions_port, self.rasa_port, self.gateway_port = free_port(), free_port(), free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.telegram = FakeTelegramControl(f"http://127.0.0.1:{self.telegram_port}")
        self.update_ids = iter(range(1, 1_000_000))

    def rasa_service(self) -> Service:
        # A SQL tracker store, so that a restarted Rasa continues the conversation.
        return rasa_server(self.tmp, self.rasa_port, self.actions_port, self.tmp / "tracker.db")

    def post_update(self, update: dict[str, Any]) -> None:
        response = httpx.post(
            f"{self.gateway_url}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            timeout=10,
        )
        assert response.status_code == 200, response.text

    def say(self, chat: int, text: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Send a text as ``chat``; the replies that arrive for it."""
        before = len(self.telegram.sent("sendMessage", chat))
        self.post_update(telegram_text_update(chat, text, update_id=next(self.update_ids)))
        return self.replies_after(chat, before, timeout)

    def press(self, chat: int, message: dict[str, Any], title_part: str) -> list[dict[str, Any]]:
        """Press the inline button whose title contains ``title_part``."""
        keyboard = message["reply_markup"]["inline_keyboard"]
        buttons = [b for row in keyboard for b in row if title_part.lower() in b["text"].lower()]
        assert buttons, f"no button with {title_part!r} in {keyboard}"
        before = len(self.telegram.sent("sendMessage", chat))
        update_id = next(self.update_ids)
        self.post_update(
            {
                "update_id": update_id,
                "callback_query": {
                    "id": f"cbq-{update_id}",
                    "from": {"id": chat, "is_bot": False, "first_name": "Ramesh"},
                    "chat_instance": "e2e",
                    "data": buttons[0]["callback_data"],
                    "message": {
                        "message_id": 1, "date": int(time.time()),
                        "chat": {"id": chat, "type": "private"}, "text": message["text"],
                    },
                },
            }
        )  # fmt: skip
        return self.replies_after(chat, before)

    def replies_after(self, chat: int, before: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Replies that arrived after the first ``before``; waits until they stop coming."""
        deadline = time.monotonic() + timeout
        seen = before
        quiet_since = None
        while time.monotonic() < deadline:
            sent = self.telegram.sent("sendMessage", chat)
            if len(sent) > seen:
                seen, quiet_since = len(sent), time.monotonic()
            elif quiet_since is not None and time.monotonic() - quiet_since > 0.7:
                return sent[before:]
            time.sleep(0.1)
        sent = self.telegram.sent("sendMessage", chat)
        assert len(sent) > before, f"no reply for chat {chat} within {timeout}s"
        return sent[before:]


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply["text"] for reply in replies)


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    reason = rasa_skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("channels")
    system = System(tmp)
    migrate(system.database_url, tmp)
    telegram = Service(
        "fake-telegram",
        [str(APP_PYTHON), "-m", "tests.support.fake_telegram", "--port", str(system.telegram_port)],
        {},
        tmp,
    )
    channel_env = {
        "DATABASE_URL": system.database_url,
        "SERVICE_TOKEN": TOKEN,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{system.telegram_port}/bot",
        "GATEWAY_URL": system.gateway_url,
    }
    backend, backend_url = backend_service(system.database_url, TOKEN, tmp)
    system.backend_url = backend_url  # type: ignore[attr-defined]
    actions = Service(
        "actions",
        action_server_command(system.actions_port),
        {"BACKEND_URL": backend_url, "SERVICE_TOKEN": TOKEN, **action_server_env()},
        tmp,
    )
    worker = Service(
        "worker",
        [str(APP_PYTHON), "-m", "backend", "worker"],
        {**channel_env, "WORKER_POLL_SECONDS": "0.2", "LOAD_EMBEDDING_MODEL": "false"},
        tmp,
    )
    gateway = Service(
        "gateway",
        [str(APP_PYTHON), "-m", "bot", "serve", "--port", str(system.gateway_port)],
        {
            **channel_env,
            "RASA_URL": f"http://127.0.0.1:{system.rasa_port}",
            "BACKEND_URL": backend_url,
            "PUBLIC_BASE_URL": system.gateway_url,
        },
        tmp,
    )
    system.rasa = system.rasa_service()  # type: ignore[attr-defined]
    with running(telegram, backend, actions, worker, gateway, system.rasa):  # type: ignore[attr-defined]
        telegram.start().wait(f"http://127.0.0.1:{system.telegram_port}/_fake/sent")
        backend.start()
        actions.start()
        system.rasa.start()  # type: ignore[attr-defined]
        backend.wait(f"{backend_url}/healthz", timeout=60)
        worker.start()
        gateway.start().wait(f"{system.gateway_url}/healthz", timeout=60)
        actions.wait(f"http://127.0.0.1:{system.actions_port}/health", timeout=120)
        system.rasa.wait(rasa_ready_url(system.rasa_port), timeout=240)  # type: ignore[attr-defined]
        yield system
        # The Rasa service may have been replaced by the fault test.
        system.rasa.stop()  # type: ignore[attr-defined]


def officer_token(system: System) -> str:
    engine = sa.create_engine(system.database_url)
    with engine.connect() as conn:
        code = conn.execute(sa.text("SELECT code FROM departments ORDER BY code LIMIT 1")).scalar()
    engine.dispose()
    out = subprocess.run(
        [str(APP_PYTHON), "-m", "backend", "officer", "add", "--name", "E2E Lead",
         "--department", str(code), "--role", "leadership"],
        env={**os.environ, "DATABASE_URL": system.database_url},
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def test_telegram_files_a_grievance_and_gets_the_officers_reply(system: System) -> None:
    chat = 424242
    assert "name" in text_of(system.say(chat, "I want to file a complaint")).lower()
    assert "mobile" in text_of(system.say(chat, "Ramesh Kumar")).lower()
    assert "udyam" in text_of(system.say(chat, "+91 98765-43210")).lower()
    assert "district" in text_of(system.say(chat, "Shree Ganesh Textiles")).lower()
    assert "describe" in text_of(system.say(chat, "Pune, maharastra")).lower()
    summary_messages = system.say(
        chat, "A central PSU has not paid our invoices worth 4 lakh since March"
    )
    # The category proposed from the story; every button fits Telegram's callback_data.
    assert "delayed payment" in text_of(summary_messages).lower()
    for message in summary_messages:
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                assert len(button["callback_data"].encode()) <= 64
    assert "Maharashtra" in text_of(summary_messages)
    # Submit as a Telegram user does: the summary's inline button (typing "/affirm" would be a
    # bot command, which the gateway passes on as the word "affirm").
    with_submit = [m for m in summary_messages if m.get("reply_markup")]
    assert with_submit, "the summary comes with Submit / Change / Cancel buttons"
    filed = text_of(system.press(chat, with_submit[-1], "submit"))
    match = re.search(r"MS-[0-9A-Z]{4,6}-[0-9A-Z]", filed)
    assert match, filed
    number = match.group(0)

    token = officer_token(system)
    before = len(system.telegram.sent("sendMessage", chat))
    note = "We have written to the buyer; expect payment within 15 days."
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged = httpx.post(
        f"{system.backend_url}/admin/v1/tickets/{number}/acknowledge",  # type: ignore[attr-defined]
        json={},
        headers=headers,
        timeout=10,
    )
    assert acknowledged.status_code == 200, acknowledged.text
    response = httpx.post(
        f"{system.backend_url}/admin/v1/tickets/{number}/reply",  # type: ignore[attr-defined]
        json={"note": note},
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = system.telegram.sent("sendMessage", chat)[before:]
        if any("written to the buyer" in m["text"] for m in new):
            break
        time.sleep(0.2)
    pushed = [m for m in system.telegram.sent("sendMessage", chat)[before:]]
    assert any(number in m["text"] and "written to the buyer" in m["text"] for m in pushed), pushed


def test_rasa_stopped_mid_conversation(system: System) -> None:
    chat = 515151
    assert system.say(chat, "hello")
    system.rasa.stop()  # type: ignore[attr-defined]
    told = system.say(chat, "I want to file a complaint", timeout=20)
    assert len(told) == 1 and "unavailable" in told[0]["text"]
    before = len(system.telegram.sent("sendMessage", chat))
    system.post_update(
        telegram_text_update(chat, "Ramesh Kumar", update_id=next(system.update_ids))
    )
    time.sleep(2)
    assert len(system.telegram.sent("sendMessage", chat)) == before  # told once only

    system.rasa = system.rasa_service()  # type: ignore[attr-defined]
    system.rasa.start().wait(rasa_ready_url(system.rasa_port), timeout=240)  # type: ignore[attr-defined]
    replies = text_of(system.replies_after(chat, before, timeout=60)).lower()
    assert "name" in replies and "mobile" in replies
    tracker: Any = rasa_tracker(f"http://127.0.0.1:{system.rasa_port}", f"tg:{chat}")
    user_texts = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert user_texts.count("I want to file a complaint") == 1
    assert user_texts.count("Ramesh Kumar") == 1


def test_no_process_logged_a_phone_number_or_a_name(system: System) -> None:
    """Runs last in this module: every log line our processes wrote while the tests above
    filed a grievance over Telegram and recovered from Rasa stopping (issue 14 item 6)."""
    typed = ["+91 98765 43210", "Ramesh Kumar", "Shree Ganesh Textiles"]
    assert unmasked_in_logs(system.tmp, typed) == []
