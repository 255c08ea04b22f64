"""WhatsApp end to end: the real backend, worker, action server, Rasa (trained model) and
gateway, with Twilio faked as a local HTTP server that the twilio library reaches through
``TWILIO_API_BASE_URL`` (the worker and the gateway are separate processes).

A WhatsApp conversation (webhooks signed with twilio's ``RequestValidator`` over
``PUBLIC_BASE_URL`` + path, as Twilio signs them) files a grievance, answering the category by
its number; an officer of the ticket's department replies through the admin API and the worker
delivers the reply to that number as free text. Then the user's last message is moved back 25
hours: the next notification goes out as the Content template (``ContentSid`` + variables).

Faults: Rasa killed (SIGKILL) mid-conversation: the user is told once, a Twilio redelivery is
dropped, and after Rasa is back every recorded message is answered once, in order.

Runs under the app env (.venv/bin/pytest); skips with the reason when .venv-rasa or the model
in models/ is missing (`make setup-rasa train`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from channels.tables import senders as gateway_senders
from channels.tables import utcnow
from tests.support.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    WHATSAPP_FROM,
    FakeTwilioControl,
    signed_form,
    whatsapp_inbound,
)
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

TOKEN = "e2e-whatsapp-service-token"
TEMPLATE_SID = "HX" + "5" * 32
_OPTION = re.compile(r"^(\d{1,2})\. (.+)$", re.MULTILINE)


class WhatsAppSystem:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.database_url = f"sqlite:///{tmp / 'app.db'}"
        self.twilio_port, self.actions_port = free_port(), free_port()
        self.rasa_port, self.gateway_port = free_port(), free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.twilio = FakeTwilioControl(f"http://127.0.0.1:{self.twilio_port}")
        self.backend_url = ""
        self._sids = iter(range(1, 1_000_000))
        self.rasa = self.rasa_service()

    def rasa_service(self) -> Service:
        # A SQL tracker store, so that a restarted Rasa continues the conversation.
        return rasa_server(self.tmp, self.rasa_port, self.actions_port, self.tmp / "tracker.db")

    def start_rasa(self) -> None:
        self.rasa = self.rasa_service()
        self.rasa.start().wait(rasa_ready_url(self.rasa_port), timeout=240)

    def post_message(self, number: str, text: str, message_sid: str | None = None) -> str:
        """POST an inbound WhatsApp message as Twilio would (signed); its MessageSid."""
        sid = message_sid or f"SM{next(self._sids):032x}"
        url = f"{self.gateway_url}/whatsapp/webhook"
        form, headers = signed_form(url, whatsapp_inbound(sid, number, text))
        response = httpx.post(url, data=form, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return sid

    def sent_to(self, number: str) -> list[dict[str, Any]]:
        return self.twilio.messages(to=f"whatsapp:{number}")

    def say(self, number: str, text: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Send ``text`` from ``number``; the messages that arrive for it."""
        before = len(self.sent_to(number))
        self.post_message(number, text)
        return self.replies_after(number, before, timeout)

    def replies_after(
        self, number: str, before: int, timeout: float = 30.0
    ) -> list[dict[str, Any]]:
        """Messages after the first ``before``; waits until they stop coming."""
        deadline = time.monotonic() + timeout
        seen, quiet_since = before, None
        while time.monotonic() < deadline:
            sent = self.sent_to(number)
            if len(sent) > seen:
                seen, quiet_since = len(sent), time.monotonic()
            elif quiet_since is not None and time.monotonic() - quiet_since > 0.7:
                return sent[before:]
            time.sleep(0.1)
        sent = self.sent_to(number)
        assert len(sent) > before, f"no reply for {number} within {timeout}s"
        return sent[before:]

    def wait_for(self, number: str, before: int, needle: str, timeout: float = 30.0) -> dict:
        """The first message after ``before`` whose body or variables contain ``needle``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.sent_to(number)[before:]:
                if needle in message.get("Body", "") + message.get("ContentVariables", ""):
                    return message
            time.sleep(0.2)
        raise AssertionError(f"nothing with {needle!r}: {self.sent_to(number)[before:]}")


def bodies(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("Body", "") for m in messages)


def option_number(messages: list[dict[str, Any]], *title_parts: str) -> str | None:
    """The number of the last shown option whose title contains one of ``title_parts``."""
    for message in reversed(messages):
        for number, title in _OPTION.findall(message.get("Body", "")):
            if any(part in title.lower() for part in title_parts):
                return str(number)
    return None


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WhatsAppSystem]:
    reason = rasa_skip_reason()
    if reason:
        pytest.skip(reason)
    tmp = tmp_path_factory.mktemp("whatsapp")
    system = WhatsAppSystem(tmp)
    migrate(system.database_url, tmp)
    twilio = Service(
        "fake-twilio",
        [str(APP_PYTHON), "-m", "tests.support.fake_twilio", "--port", str(system.twilio_port)],
        {},
        tmp,
    )
    channel_env = {
        "DATABASE_URL": system.database_url,
        "SERVICE_TOKEN": TOKEN,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_TEMPLATE_SID": TEMPLATE_SID,
        "TWILIO_API_BASE_URL": system.twilio.url,
        "PUBLIC_BASE_URL": system.gateway_url,
        "GATEWAY_URL": system.gateway_url,
        # Telegram off: no token (a developer's .env must not switch it on).
        "TELEGRAM_BOT_TOKEN": "",
    }
    backend, system.backend_url = backend_service(system.database_url, TOKEN, tmp)
    actions = Service(
        "actions",
        action_server_command(system.actions_port),
        {"BACKEND_URL": system.backend_url, "SERVICE_TOKEN": TOKEN, **action_server_env()},
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
            "BACKEND_URL": system.backend_url,
        },
        tmp,
    )
    with running(twilio, backend, actions, worker, gateway):
        try:
            twilio.start().wait(f"{system.twilio.url}/_fake/messages")
            backend.start()
            actions.start()
            system.rasa.start()
            backend.wait(f"{system.backend_url}/healthz", timeout=60)
            worker.start()
            gateway.start().wait(f"{system.gateway_url}/healthz", timeout=60)
            actions.wait(f"http://127.0.0.1:{system.actions_port}/health", timeout=120)
            system.rasa.wait(rasa_ready_url(system.rasa_port), timeout=240)
            yield system
        finally:
            # The Rasa service may have been replaced by the fault test.
            system.rasa.stop()


def officer_token(system: WhatsAppSystem, department: str) -> str:
    out = subprocess.run(
        [str(APP_PYTHON), "-m", "backend", "officer", "add", "--name", "E2E WhatsApp Officer",
         "--department", department, "--role", "officer"],
        env={**os.environ, "DATABASE_URL": system.database_url},
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def officer_action(system: WhatsAppSystem, token: str, number: str, action: str, note: str) -> None:
    response = httpx.post(
        f"{system.backend_url}/admin/v1/tickets/{number}/{action}",
        json={"note": note} if note else {},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_whatsapp_files_a_grievance_gets_replies_and_the_template_outside_the_window(
    system: WhatsAppSystem,
) -> None:
    number = "+919876543210"
    assert "name" in bodies(system.say(number, "I want to file a complaint")).lower()
    assert "mobile" in bodies(system.say(number, "Ramesh Kumar")).lower()
    assert "udyam" in bodies(system.say(number, "+91 98765-43210")).lower()
    assert "district" in bodies(system.say(number, "Shree Ganesh Textiles")).lower()
    assert "describe" in bodies(system.say(number, "Pune, maharastra")).lower()
    summary = system.say(number, "A central PSU has not paid our invoices worth 4 lakh since March")
    assert "delayed payment" in bodies(summary).lower()  # proposed from the story
    assert "Maharashtra" in bodies(summary)
    confirm = option_number(summary, "yes", "submit", "confirm", "file")
    filed = bodies(system.say(number, confirm or "/affirm"))
    match = re.search(r"MS-[0-9A-Z]{4,6}-[0-9A-Z]", filed)
    assert match, filed
    ticket = match.group(0)

    details = httpx.get(
        f"{system.backend_url}/api/v1/tickets/{ticket}",
        params={"channel": "whatsapp", "channel_user_id": number},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    assert details.status_code == 200, details.text
    token = officer_token(system, details.json()["department"]["code"])

    # Inside the 24-hour window: the officer's reply arrives as free text.
    before = len(system.sent_to(number))
    officer_action(system, token, ticket, "acknowledge", "")
    officer_action(system, token, ticket, "reply", "We have written to the buyer; expect payment.")
    reply = system.wait_for(number, before, "written to the buyer")
    assert ticket in reply["Body"] and "ContentSid" not in reply
    assert reply["From"] == WHATSAPP_FROM
    assert reply["StatusCallback"].startswith(f"{system.gateway_url}/whatsapp/status")

    # Outside it (last heard from 25 hours ago): the approved template, not free text.
    engine = sa.create_engine(system.database_url)
    with engine.begin() as conn:
        moved = conn.execute(
            gateway_senders.update()
            .where(gateway_senders.c.sender_id == f"wa:{number}")
            .values(last_inbound_at=utcnow() - timedelta(hours=25))
        )
        assert moved.rowcount == 1
    engine.dispose()
    before = len(system.sent_to(number))
    officer_action(system, token, ticket, "request-info", "Please send copies of the invoices.")
    template = system.wait_for(number, before, ticket)
    assert template["ContentSid"] == TEMPLATE_SID and "Body" not in template
    variables = json.loads(template["ContentVariables"])
    assert variables["1"] == ticket
    assert variables["2"] not in ("", "-")
    assert "invoices" in variables["3"]
    assert len(system.sent_to(number)) == before + 1  # one template, nothing else


def test_rasa_killed_mid_conversation(system: WhatsAppSystem) -> None:
    number = "+919811122233"
    assert system.say(number, "hello")
    system.rasa.kill()  # SIGKILL: no goodbye, connections refused from now on
    before = len(system.sent_to(number))
    sid = system.post_message(number, "I want to file a complaint")
    told = system.replies_after(number, before, timeout=20)
    assert len(told) == 1 and "unavailable" in told[0]["Body"], told
    system.post_message(number, "Ramesh Kumar")
    system.post_message(number, "I want to file a complaint", message_sid=sid)  # redelivery
    time.sleep(2)
    told_count = before + 1
    assert len(system.sent_to(number)) == told_count  # told once only

    system.start_rasa()
    replies = system.replies_after(number, told_count, timeout=60)
    text = bodies(replies).lower()
    assert "name" in text and "mobile" in text
    assert text.index("name") < text.index("mobile")  # in the order they were typed
    assert len({m["Body"] for m in replies}) == len(replies)  # no reply twice
    tracker: Any = rasa_tracker(f"http://127.0.0.1:{system.rasa_port}", f"wa:{number}")
    user_texts = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert user_texts.count("I want to file a complaint") == 1
    assert user_texts.count("Ramesh Kumar") == 1


def test_no_process_logged_a_phone_number_or_a_name(system: WhatsAppSystem) -> None:
    """Runs last in this module: every log line our processes wrote while the tests above
    filed grievances, replied and recovered (issue 14 item 6)."""
    # Lookups by the sender's number (GET /api/v1/tickets?channel_user_id=%2B91...) too.
    system.say("+919876543210", "my complaints")
    typed = ["+919876543210", "+919811122233", "Ramesh Kumar", "Shree Ganesh Textiles"]
    assert unmasked_in_logs(system.tmp, typed) == []
