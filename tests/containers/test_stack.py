"""The compose stack as containers (podman), end to end: `make test-containers` only.

scripts/containers/run.sh builds both images, starts docker-compose.yml with
containers/compose.test.yml (the project's fake Telegram Bot API and fake Twilio API in
containers, stand-in PostgreSQL and Redis) and runs this module with the stack's addresses in
``STACK_*`` variables; without them (``make test``) every test here is skipped.

- A Telegram user files a grievance through the fake Bot API, an officer replies through the
  admin API, the worker delivers the reply; a WhatsApp user the same, webhooks signed as Twilio
  signs them.
- One container of each kind is killed (SIGKILL to its process, as a crash) while a
  conversation is in progress: its restart policy brings it back, and every message the user
  sent is answered, the grievance is filed once and the officer's reply arrives.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.fake_telegram import FakeTelegramControl, telegram_text_update
from tests.support.fake_twilio import FakeTwilioControl, signed_form, whatsapp_inbound

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("STACK_PROJECT"),
        reason="needs the container stack: make test-containers",
    ),
]

PROJECT = os.environ.get("STACK_PROJECT", "")
GATEWAY = os.environ.get("STACK_GATEWAY_URL", "")
TICKET = re.compile(r"MS-[0-9A-Z]{4,6}-[0-9A-Z]")
FILING = [  # answer, a word of the next question
    ("Ramesh Kumar", "mobile"),
    ("+91 98765-43210", "udyam"),
    ("Shree Ganesh Textiles", "district"),
    ("Pune, maharastra", "describe"),
    ("A central PSU has not paid our invoices worth 4 lakh since March", "delayed payment"),
]


def podman(*args: str, check: bool = True) -> str:
    return subprocess.run(
        ["podman", *args], check=check, capture_output=True, text=True, timeout=120
    ).stdout.strip()


def containers(service: str) -> list[str]:
    names = podman(
        "ps", "--filter", f"label=io.podman.compose.project={PROJECT}",
        "--filter", f"label=com.docker.compose.service={service}", "--format", "{{.Names}}",
    )  # fmt: skip
    return sorted(names.split())


def backend_url() -> str:
    """A running backend replica's address on the host (podman picks the ports)."""
    for name in containers("backend"):
        mapping = podman("port", name, "8000", check=False)
        if mapping:
            return "http://" + mapping.splitlines()[0].replace("0.0.0.0", "127.0.0.1")
    raise AssertionError("no backend replica publishes a port")


def crash(name: str) -> int:
    """SIGKILL the container's process from the host, as a crash would; its restart count."""
    restarts = int(podman("inspect", "-f", "{{.RestartCount}}", name))
    pid = podman("inspect", "-f", "{{.State.Pid}}", name)
    subprocess.run(["kill", "-9", pid], check=True)
    return restarts


def wait_restarted(
    name: str, restarts_before: int, killed_at: float, timeout: float = 300
) -> float:
    """Until the restart policy has started it again and its health check passes; the seconds
    since ``killed_at`` (``time.monotonic()``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = podman("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", name, check=False)
        count, _, status = state.partition(" ")
        if count.isdigit() and int(count) > restarts_before and status == "running":
            healthy = subprocess.run(["podman", "healthcheck", "run", name], capture_output=True)
            if healthy.returncode == 0:
                return time.monotonic() - killed_at
        time.sleep(1)
    raise AssertionError(f"{name} not back within {timeout}s: {podman('ps', '-a')}")


def officer_token(department: str) -> str:
    out = podman(
        "exec", containers("backend")[0], "python", "-m", "backend", "officer", "add",
        "--name", f"Stack Officer {department}", "--department", department, "--role", "officer",
    )  # fmt: skip
    return out.splitlines()[-1]


def ticket_details(number: str, channel: str, user: str) -> dict[str, Any]:
    response = httpx.get(
        f"{backend_url()}/api/v1/tickets/{number}",
        params={"channel": channel, "channel_user_id": user},
        headers={"Authorization": f"Bearer {os.environ['SERVICE_TOKEN']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def tickets_of(channel: str, user: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{backend_url()}/api/v1/tickets",
        params={"channel": channel, "channel_user_id": user, "limit": 50},
        headers={"Authorization": f"Bearer {os.environ['SERVICE_TOKEN']}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["tickets"]
    return result


def officer_replies(number: str, department: str, note: str) -> None:
    headers = {"Authorization": f"Bearer {officer_token(department)}"}
    for action, body in (("acknowledge", {}), ("reply", {"note": note})):
        response = httpx.post(
            f"{backend_url()}/admin/v1/tickets/{number}/{action}",
            json=body,
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 200, response.text


def until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


def post_retrying(url: str, timeout: float = 240, **kwargs: Any) -> None:
    """POST as Telegram and Twilio deliver webhooks: again until the gateway answers 200."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = httpx.post(url, timeout=10, **kwargs)
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the gateway did not take {url} within {timeout}s")
        time.sleep(1)


class TelegramUser:
    channel = "telegram"

    def __init__(self, chat: int) -> None:
        self.chat = chat
        self.user = str(chat)
        self.sender = f"tg:{chat}"
        self.fake = FakeTelegramControl(os.environ["STACK_TELEGRAM_URL"])
        self._update_ids = iter(range(chat * 1000, chat * 1000 + 999))

    def received(self) -> list[str]:
        return [m["text"] for m in self.fake.sent("sendMessage", self.chat)]

    def send(self, text: str) -> None:
        update = telegram_text_update(self.chat, text, update_id=next(self._update_ids))
        post_retrying(
            f"{GATEWAY}/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": os.environ["TELEGRAM_WEBHOOK_SECRET"]},
        )

    def submit(self) -> None:
        """Press Submit on the summary, as a Telegram user does (its inline button)."""
        messages = self.fake.sent("sendMessage", self.chat)
        keyboard = [m for m in messages if m.get("reply_markup")][-1]["reply_markup"]
        buttons = [b for row in keyboard["inline_keyboard"] for b in row]
        data = next(b["callback_data"] for b in buttons if "submit" in b["text"].lower())
        update_id = next(self._update_ids)
        post_retrying(
            f"{GATEWAY}/telegram/webhook",
            json={
                "update_id": update_id,
                "callback_query": {
                    "id": f"cbq-{update_id}", "chat_instance": "stack", "data": data,
                    "from": {"id": self.chat, "is_bot": False, "first_name": "Ramesh"},
                    "message": {"message_id": 1, "date": int(time.time()),
                                "chat": {"id": self.chat, "type": "private"}, "text": "summary"},
                },
            },
            headers={"X-Telegram-Bot-Api-Secret-Token": os.environ["TELEGRAM_WEBHOOK_SECRET"]},
        )  # fmt: skip


class WhatsAppUser:
    channel = "whatsapp"

    def __init__(self, number: str) -> None:
        self.user = number
        self.sender = f"wa:{number}"
        self.fake = FakeTwilioControl(os.environ["STACK_TWILIO_URL"])
        self._sids = iter(range(1, 1_000_000))

    def received(self) -> list[str]:
        messages = self.fake.messages(to=f"whatsapp:{self.user}")
        return [m.get("Body", "") + m.get("ContentVariables", "") for m in messages]

    def send(self, text: str) -> None:
        sid = f"SM{self.user[1:]}{next(self._sids):020x}"
        url = f"{GATEWAY}/whatsapp/webhook"
        form, headers = signed_form(
            url, whatsapp_inbound(sid, self.user, text), os.environ["TWILIO_AUTH_TOKEN"]
        )
        post_retrying(url, data=form, headers=headers)

    def submit(self) -> None:
        summary = self.received()[-1]
        option = re.search(r"^(\d{1,2})\. .*(?:submit|yes|confirm)", summary, re.I | re.M)
        self.send(option.group(1) if option else "/affirm")


User = TelegramUser | WhatsAppUser


def say(user: User, text: str, expect: str, timeout: float = 60) -> str:
    """Send ``text``; wait until a reply containing ``expect`` arrives; all new replies."""
    before = len(user.received())
    user.send(text)
    until(
        lambda: expect.lower() in "\n".join(user.received()[before:]).lower(),
        timeout,
        f"{user.sender}: a reply with {expect!r} to {text!r}; got {user.received()[before:]}",
    )
    return "\n".join(user.received()[before:])


def file_grievance(user: User, timeout: float = 60) -> str:
    """The whole filing conversation; the ticket number."""
    say(user, "I want to file a complaint", "name", timeout)
    for answer, expect in FILING:
        say(user, answer, expect, timeout)
    before = len(user.received())
    user.submit()
    until(lambda: bool(TICKET.search("\n".join(user.received()[before:]))), timeout, "ticket")
    match = TICKET.search("\n".join(user.received()[before:]))
    assert match
    return match.group(0)


def reply_arrives(user: User, number: str, timeout: float = 60) -> None:
    department = ticket_details(number, user.channel, user.user)["department"]["code"]
    before = len(user.received())
    note = f"We have written to the buyer about {number}."
    officer_replies(number, department, note)
    until(
        lambda: any(note in m for m in user.received()[before:]),
        timeout,
        f"the officer's reply to {user.sender}",
    )


def test_first_chat_turn() -> None:
    """The stack answers a first turn; seconds since the compose stack was started."""
    user = TelegramUser(600001)
    say(user, "hello", "", timeout=180)
    took = time.time() - float(os.environ["STACK_STARTED_AT"])
    print(f"\nFIGURE first chat turn answered {took:.0f} s after the stack was started")
    assert took < 180, f"first chat turn {took:.0f} s after the start (goal: within 180 s)"


def test_telegram_files_a_grievance_and_gets_the_officers_reply() -> None:
    user = TelegramUser(600002)
    number = file_grievance(user)
    reply_arrives(user, number)


def test_whatsapp_files_a_grievance_and_gets_the_officers_reply() -> None:
    user = WhatsAppUser("+919800000002")
    number = file_grievance(user)
    reply_arrives(user, number)


def rasa_of(sender: str) -> str:
    """The Rasa service the gateway sends this sender to first (bot/rasa_client.py)."""
    first = int.from_bytes(hashlib.sha256(sender.encode()).digest()[:8], "big") % 2
    return ["rasa-1", "rasa-2"][first]


KINDS = ["gateway", "backend", "worker", "rasa", "actions", "postgres", "redis"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_container_killed_mid_conversation_loses_nothing(kind: str) -> None:
    """Kill one container of ``kind`` in the middle of a filing and send the next answer at
    once, while it is down (the worker: as the officer's reply falls due); the answer is read,
    the conversation goes on to one filed ticket, and the officer's reply reaches the user."""
    index = KINDS.index(kind)
    user: User = (
        TelegramUser(610000 + index) if index % 2 == 0 else WhatsAppUser(f"+91981000000{index}")
    )
    service = rasa_of(user.sender) if kind == "rasa" else kind
    say(user, "I want to file a complaint", "name")
    say(user, FILING[0][0], FILING[0][1])
    victim = containers(service)[0]
    if kind == "worker":  # the worker's moment is a notification: kill it as one is due
        for answer, expect in FILING[1:]:
            say(user, answer, expect)
        before = len(user.received())
        user.submit()
        until(lambda: bool(TICKET.search("\n".join(user.received()[before:]))), 60, "ticket")
        match = TICKET.search("\n".join(user.received()[before:]))
        assert match
        number = match.group(0)
        restarts, killed_at = crash(victim), time.monotonic()
        reply_arrives(user, number, timeout=180)
        answered = time.monotonic() - killed_at
        back = wait_restarted(victim, restarts, killed_at)
    else:
        before = len(user.received())
        restarts, killed_at = crash(victim), time.monotonic()
        user.send(FILING[1][0])  # while it is down (or, the gateway, sent again until it is up)
        until(
            lambda: FILING[1][1] in "\n".join(user.received()[before:]).lower(),
            300,
            f"the answer sent as {victim} was killed is read",
        )
        answered = time.monotonic() - killed_at
        back = wait_restarted(victim, restarts, killed_at)
        for answer, expect in FILING[2:]:
            say(user, answer, expect, timeout=120)
        before = len(user.received())
        user.submit()
        until(lambda: bool(TICKET.search("\n".join(user.received()[before:]))), 120, "ticket")
        match = TICKET.search("\n".join(user.received()[before:]))
        assert match
        number = match.group(0)
        reply_arrives(user, number, timeout=120)
    print(
        f"\nFIGURE {victim} killed: answered {answered:.0f} s after the kill, back and healthy"
        f" after {back:.0f} s; ticket {number}"
    )
    filed = [t for t in tickets_of(user.channel, user.user)]
    assert [t["number"] for t in filed] == [number], f"filed once: {json.dumps(filed)[:500]}"
    # Each question asked once per answer: no answer was read twice or dropped.
    text = "\n".join(user.received()).lower()
    assert text.count("udyam") >= 1 and number in "\n".join(user.received())
