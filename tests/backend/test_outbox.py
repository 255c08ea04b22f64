from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Notification
from backend.outbox import OutboundNotification, SendResult, deliver_batch
from core.config import Settings
from tests.backend.conftest import START, grievance


class RecordingSender:
    """The test sender: records what it was asked to send and answers as scripted."""

    def __init__(self, outcomes: list[SendResult] | None = None) -> None:
        self.sent: list[OutboundNotification] = []
        self.outcomes = outcomes or []
        self.lock = threading.Lock()

    async def send(self, notification: OutboundNotification) -> SendResult:
        with self.lock:
            self.sent.append(notification)
            return self.outcomes.pop(0) if self.outcomes else SendResult("sent", "msg-1")


def file(client: TestClient, headers: dict[str, str], count: int = 1) -> None:
    for i in range(count):
        body = grievance(channel_user_id=f"chat{i}")
        assert client.post("/api/v1/tickets", json=body, headers=headers).status_code == 201


def statuses(factory: sessionmaker[Session]) -> list[tuple[str, int]]:
    with factory() as session:
        return [
            (n.status, n.attempts)
            for n in session.scalars(
                select(Notification)
                .where(Notification.recipient == "citizen")
                .order_by(Notification.id)
            )
        ]


def test_delivers_through_the_channel_sender(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    file(client, service_headers)
    sender = RecordingSender()
    report = asyncio.run(deliver_batch(factory, {"telegram": sender}, now=START))
    assert report.sent == 1
    [outbound] = sender.sent
    assert outbound.channel_user_id == "chat0" and outbound.ticket_number
    assert outbound.ticket_number in outbound.text and outbound.status == "routed"
    assert statuses(factory) == [("sent", 1)]
    assert asyncio.run(deliver_batch(factory, {"telegram": sender}, now=START)).claimed == 0


def test_retries_with_backoff_then_dead(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    file(client, service_headers)
    failing = RecordingSender([SendResult("retry", error="502")] * 5)
    now = START
    deliver = {"telegram": failing}
    kwargs = {"max_attempts": 3, "backoff_seconds": 10.0}
    assert asyncio.run(deliver_batch(factory, deliver, now=now, **kwargs)).retried == 1
    # Not due again before the backoff has passed.
    assert asyncio.run(deliver_batch(factory, deliver, now=now, **kwargs)).claimed == 0
    with factory() as session:
        first_due = session.scalars(select(Notification.next_attempt_at)).first()
    assert first_due is not None
    asyncio.run(deliver_batch(factory, deliver, now=first_due + timedelta(seconds=25), **kwargs))
    report = asyncio.run(
        deliver_batch(factory, deliver, now=first_due + timedelta(hours=1), **kwargs)
    )
    assert report.dead == 1 and statuses(factory) == [("dead", 3)]


def test_undeliverable_is_not_retried(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    file(client, service_headers)
    blocked = RecordingSender([SendResult("undeliverable", error="403 blocked by user")])
    asyncio.run(deliver_batch(factory, {"telegram": blocked}, now=START))
    later = START + timedelta(days=1)
    assert asyncio.run(deliver_batch(factory, {"telegram": blocked}, now=later)).claimed == 0
    assert statuses(factory) == [("undeliverable", 1)]


def test_sender_crash_does_not_lose_the_notification(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    class Exploding:
        async def send(self, notification: OutboundNotification) -> SendResult:
            raise ConnectionError("network down")

    file(client, service_headers)
    report = asyncio.run(deliver_batch(factory, {"telegram": Exploding()}, now=START))
    assert report.retried == 1 and statuses(factory) == [("pending", 1)]


def test_expired_lease_is_claimed_again(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    file(client, service_headers)
    with factory() as session, session.begin():
        row = session.scalars(select(Notification)).first()
        assert row is not None
        row.status, row.lease_until = "sending", START - timedelta(seconds=1)  # a dead worker
    sender = RecordingSender()
    assert asyncio.run(deliver_batch(factory, {"telegram": sender}, now=START)).sent == 1


@pytest.mark.postgres
def test_two_workers_send_each_notification_once(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    if settings.is_sqlite:
        pytest.skip("SKIP LOCKED races need PostgreSQL; SQLite runs one worker")
    file(client, service_headers, count=40)
    sender = RecordingSender()
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        while asyncio.run(deliver_batch(factory, {"telegram": sender}, now=START, limit=5)).claimed:
            pass

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(n.delivery_key for n in sender.sent)
    assert len(counts) == 40 and set(counts.values()) == {1}


def test_each_outcome_of_one_batch_is_recorded_on_its_own_row(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    file(client, service_headers, count=4)
    sender = RecordingSender(
        [
            SendResult("sent", "tg-1"),
            SendResult("undeliverable", error="forbidden: bot was blocked by the user"),
            SendResult("retry", retry_after=600.0, error="telegram flood control"),
            SendResult("sent", "tg-4"),
        ]
    )
    report = asyncio.run(deliver_batch(factory, {"telegram": sender}, now=START))
    assert (report.sent, report.undeliverable, report.retried) == (2, 1, 1)
    with factory() as session:
        rows = {
            n.channel_user_id: n
            for n in session.scalars(
                select(Notification).where(Notification.recipient == "citizen")
            )
        }
    order = [n.channel_user_id for n in sender.sent]
    sent, blocked, flooded, last = (rows[user] for user in order)
    assert (sent.status, sent.provider_message_id, sent.lease_until) == ("sent", "tg-1", None)
    assert sent.sent_at is not None and last.provider_message_id == "tg-4"
    assert blocked.status == "undeliverable" and "blocked" in (blocked.last_error or "")
    assert blocked.sent_at is None
    # Telegram's retry_after wins over the shorter backoff (10 s after the first attempt).
    assert flooded.status == "pending" and flooded.next_attempt_at >= START + timedelta(minutes=10)
    assert flooded.last_error == "telegram flood control"


def test_an_outcome_does_not_overwrite_a_row_another_worker_finished(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    """A send outlived its lease; the row was claimed again and sent by another worker: the
    slow worker's late "retry" must not make it pending again (it would be sent twice)."""
    file(client, service_headers)

    class OutlivesItsLease:
        async def send(self, notification: OutboundNotification) -> SendResult:
            with factory() as session, session.begin():
                row = session.get(Notification, notification.id)
                assert row is not None
                row.status, row.provider_message_id = "sent", "by-the-other-worker"
            return SendResult("retry", error="timed out")

    report = asyncio.run(deliver_batch(factory, {"telegram": OutlivesItsLease()}, now=START))
    assert report.claimed == 1
    assert statuses(factory) == [("sent", 1)]
