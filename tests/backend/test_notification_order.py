"""Notifications reach the citizen in the order of the events, and in their language.

Issue 13, item 5: a citizen who chats in Hindi got Hinglish notifications, with the
department's English name, and "registered" could arrive after the officer's later messages
(rows of one ticket were sent side by side, and a retried row was overtaken by later ones).
"""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Notification, Ticket
from backend.outbox import OutboundNotification, SendResult, deliver_batch
from core.config import Settings
from tests.backend.conftest import Officers, act_ok, file

# Past every row's due time, including retries (their backoff counts from the real clock).
LATER = datetime(2030, 1, 1, tzinfo=UTC)
OWNER = {"channel": "telegram", "channel_user_id": "5550001"}
HINDI_STORY = (
    "पुणे के एक खरीदार ने 90 दिन से हमारे बिल संख्या 113 का भुगतान नहीं किया है। "
    "कई बार याद दिलाने के बाद भी जवाब नहीं आया।"
)


class ScriptedSender:
    """Records every send in order; answers from a script keyed by notification kind."""

    def __init__(self, failures: dict[str, int] | None = None) -> None:
        self.sent: list[OutboundNotification] = []
        self.failures = dict(failures or {})
        self.lock = threading.Lock()

    async def send(self, notification: OutboundNotification) -> SendResult:
        await asyncio.sleep(0)  # let the other sends of the batch interleave
        with self.lock:
            kind = notification.delivery_key.split(":")[1]
            if self.failures.get(kind, 0) > 0:
                self.failures[kind] -= 1
                return SendResult("retry", error="telegram 502")
            self.sent.append(notification)
            return SendResult("sent", f"tg-{notification.id}")


def kinds(sent: list[OutboundNotification], recipient: str = "5550001") -> list[str]:
    return [n.delivery_key.split(":")[1] for n in sent if n.channel_user_id == recipient]


def drain(
    factory: sessionmaker[Session],
    sender: ScriptedSender,
    senders: dict[str, ScriptedSender] | None = None,
    rounds: int = 20,
) -> int:
    """Deliver batch after batch until nothing is claimed; the number of batches."""
    for batch in range(rounds):
        report = asyncio.run(
            deliver_batch(factory, senders or {"telegram": sender}, now=LATER, max_attempts=3)
        )
        if not report.claimed:
            return batch
    raise AssertionError("the outbox did not drain")


def work_a_ticket(client: TestClient, headers: dict[str, str], officer: dict[str, str]) -> str:
    number = file(client, headers)
    act_ok(client, number, "acknowledge", officer)
    act_ok(client, number, "reply", officer, "We have written to the buyer.")
    act_ok(client, number, "request-info", officer, "Please send invoice 113.")
    return number


def test_a_later_notification_waits_for_an_earlier_one_that_is_retrying(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    work_a_ticket(client, service_headers, officer)
    # "registered" fails twice; the officer's later messages are due all along.
    sender = ScriptedSender(failures={"created": 2})
    senders = {"telegram": sender, "officer": sender}
    report = asyncio.run(deliver_batch(factory, senders, now=LATER, max_attempts=5))
    # One citizen row in flight (and the officer's own alert, another recipient).
    assert kinds(sender.sent) == [] and report.retried == 1
    drain(factory, sender, senders)
    assert kinds(sender.sent) == ["created", "acknowledged", "reply", "request_info"]
    assert kinds(sender.sent, recipient=str(officers.ids["asha"])) == ["assigned"]


def test_rows_of_one_ticket_are_never_sent_side_by_side(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    numbers = [work_a_ticket(client, service_headers, officer) for _ in range(3)]
    sender = ScriptedSender()
    batches = drain(factory, sender)
    # Four citizen rows per ticket: four batches, each sending the next row of every ticket.
    assert batches == 4
    by_ticket: dict[str, list[str]] = defaultdict(list)
    for notification in sender.sent:
        if notification.channel == "telegram":
            by_ticket[notification.ticket_number or ""].append(notification.delivery_key)
    assert sorted(by_ticket) == sorted(numbers)
    for keys in by_ticket.values():
        assert [k.split(":")[1] for k in keys] == [
            "created",
            "acknowledged",
            "reply",
            "request_info",
        ]


def test_a_dead_notification_does_not_hold_back_the_next(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    act_ok(client, number, "acknowledge", officer)
    sender = ScriptedSender(failures={"created": 3})  # max_attempts=3: dead
    for _attempt in range(2):  # while "registered" is retried, "taken up" waits
        asyncio.run(deliver_batch(factory, {"telegram": sender}, now=LATER, max_attempts=3))
        assert kinds(sender.sent) == []
    drain(factory, sender)  # given up on: the next one goes
    assert kinds(sender.sent) == ["acknowledged"]
    with factory() as session:
        statuses = {
            n.kind: n.status
            for n in session.scalars(
                select(Notification).where(Notification.recipient == "citizen")
            )
        }
    assert statuses == {"created": "dead", "acknowledged": "sent"}


@pytest.mark.postgres
def test_two_workers_keep_each_tickets_order(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    if settings.is_sqlite:
        pytest.skip("SKIP LOCKED races need PostgreSQL; SQLite runs one worker")
    officer = officers.add("asha", "MSEFC-MH")
    for i in range(12):
        number = file(client, service_headers, channel_user_id=f"chat{i}")
        act_ok(client, number, "acknowledge", officer)
        act_ok(client, number, "reply", officer, "We have written to the buyer.")
        act_ok(client, number, "resolve", officer, "Paid.")
    sender = ScriptedSender(failures={"created": 5, "acknowledged": 3})
    senders = {"telegram": sender, "officer": sender}
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        idle = 0
        while idle < 3:  # the other worker may hold the rows this one waits on
            report = asyncio.run(
                deliver_batch(factory, senders, now=LATER, limit=5, max_attempts=9)
            )
            idle = 0 if report.claimed else idle + 1

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in range(12):
        assert kinds(sender.sent, f"chat{i}") == ["created", "acknowledged", "reply", "resolved"]
    keys = [n.delivery_key for n in sender.sent]
    assert len(keys) == len(set(keys)) == 12 * 5  # each once, the officer's alerts included


def citizen_texts(factory: sessionmaker[Session]) -> dict[str, tuple[str, str]]:
    with factory() as session:
        return {
            n.kind: (n.language, n.text)
            for n in session.scalars(
                select(Notification)
                .where(Notification.recipient == "citizen")
                .order_by(Notification.id)
            )
        }


def test_a_hindi_story_filed_as_hinglish_is_answered_in_hindi(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    """The assistant's language slot turned "hinglish" on a short "haan ji" at the summary;
    the grievance itself was written in Devanagari."""
    officer = officers.add("asha", "MSEFC-MH")
    number = file(
        client,
        service_headers,
        language="hinglish",
        name="मीना कुमारी",
        enterprise_name="मीना टेक्सटाइल्स",
        description=HINDI_STORY,
    )
    act_ok(client, number, "acknowledge", officer)
    texts = citizen_texts(factory)
    hindi_department = "सूक्ष्म और लघु उद्यम सुविधा परिषद, महाराष्ट्र"
    assert texts["created"] == (
        "hi",
        f"आपकी शिकायत {number} {hindi_department} में दर्ज हो गई है। 3 दिन में इस पर कार्रवाई "
        f'शुरू होगी और 7 दिन में निपटारा होगा। स्थिति जानने के लिए "status {number}" भेजें।',
    )
    assert texts["acknowledged"] == (
        "hi",
        f"शिकायत {number}: {hindi_department} के अधिकारी ने इस पर काम शुरू कर दिया है।",
    )
    with factory() as session:
        assert session.scalars(select(Ticket.language)).one() == "hi"


def test_hindi_notifications_name_the_department_in_hindi(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers, language="hi")
    act_ok(client, number, "acknowledge", officer)
    act_ok(client, number, "reply", officer, "We have written to the buyer.")
    for kind, (language, text) in citizen_texts(factory).items():
        assert language == "hi", kind
        assert "सुविधा परिषद, महाराष्ट्र" in text and "Facilitation Council" not in text, kind


def test_later_notifications_follow_the_conversations_language(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = file(
        client,
        service_headers,
        language="hinglish",
        description="Pune ke buyer ne 90 din se bill 113 ka paisa nahi diya hai.",
    )
    # Hinglish in Latin letters stays Hinglish (with the department's English name).
    language, text = citizen_texts(factory)["created"]
    assert language == "hinglish" and text.startswith("Aapki shikayat")
    assert "Micro and Small Enterprises Facilitation Council, Maharashtra" in text
    act_ok(client, number, "acknowledge", officer)
    act_ok(client, number, "request-info", officer, "Please send invoice 113.")
    # The answer comes in Devanagari: the ticket is a Hindi reader's from now on.
    answered = client.post(
        f"/api/v1/tickets/{number}/messages",
        json={**OWNER, "text": "बिल की कॉपी ईमेल से भेज दी है।"},
        headers=service_headers,
    )
    assert answered.status_code == 201
    act_ok(client, number, "reply", officer, "Received, thank you.")
    assert citizen_texts(factory)["reply"][0] == "hi"
    # The conversation says English: later notifications are English.
    said = client.post(
        f"/api/v1/tickets/{number}/messages",
        json={**OWNER, "text": "Any news?", "language": "en"},
        headers=service_headers,
    )
    assert said.status_code == 201
    act_ok(client, number, "resolve", officer, "Paid.")
    language, text = citizen_texts(factory)["resolved"]
    assert language == "en" and text.startswith(f"Grievance {number} is resolved")
