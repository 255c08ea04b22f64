"""Two worker processes on PostgreSQL race over one backlog: every notification is delivered
exactly once (per delivery key) and every overdue ticket is escalated exactly once.

The backlog: 150 tickets filed by web chat users 10 days ago (so all are past both SLA
deadlines) with their outbox rows. Both workers start at once; the fake gateway that receives
web chat pushes refuses every fifth key once (503), so retries are part of the race. Needs
PostgreSQL (TEST_DATABASE_URL); SQLite allows one worker only and is skipped with the reason.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from backend.db import make_engine, make_session_factory
from backend.filing import create_ticket
from backend.migrate import migrate
from backend.models import Notification, TicketEvent, utcnow
from backend.tickets import NewTicket
from backend.triage import Triage
from tests.support.databases import postgres_url
from tests.support.local_server import LocalServer
from tests.support.processes import APP_PYTHON, Service, free_port, running

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

TOKEN = "workers-scale-token"
TICKETS = 150


class FakeGateway:
    """Records every web chat push; refuses every fifth delivery key the first time."""

    def __init__(self) -> None:
        self.delivered: list[str] = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/internal/webchat/push", self.push, methods=["POST"])])

    async def push(self, request: Request) -> JSONResponse:
        body = await request.json()
        key = body["delivery_key"]
        with self.lock:
            if hash(key) % 5 == 0 and key not in self.refused:
                self.refused.add(key)
                return JSONResponse({"detail": "busy"}, status_code=503)
            self.delivered.append(key)
            return JSONResponse({"id": len(self.delivered)})


def attempts_of(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "grievance_notification_attempts_total"
    )


def test_two_workers_share_one_backlog_without_doubles(tmp_path: Path) -> None:
    url = postgres_url()
    engine = make_engine(url)
    migrate(url, engine)
    factory = make_session_factory(engine)
    filed_at = utcnow() - timedelta(days=10)
    triage = Triage(use_classifier=False)
    for i in range(TICKETS):
        create_ticket(
            factory,
            NewTicket(
                channel="web", channel_user_id=f"racer-{i:04d}", name="Asha Devi",
                enterprise_name="Asha Foods", state="Maharashtra", district="Pune",
                category="delayed_payment", description=f"Invoice {i} unpaid for 90 days.",
                idempotency_key=f"race-{i}",
            ),
            triage,
            filed_at,
        )  # fmt: skip

    fake = FakeGateway()
    gateway = LocalServer(fake.app).start()
    ports = [free_port(), free_port()]
    workers = [
        Service(
            f"worker-{n}",
            [str(APP_PYTHON), "-m", "backend", "worker"],
            {
                "DATABASE_URL": url, "SERVICE_TOKEN": TOKEN, "GATEWAY_URL": gateway.url,
                "WORKER_POLL_SECONDS": "0.1", "WORKER_BATCH_SIZE": "10",
                "NOTIFICATION_BACKOFF_SECONDS": "0.2", "SLA_SWEEP_INTERVAL_SECONDS": "0.5",
                "WORKER_METRICS_PORT": str(port), "LOAD_EMBEDDING_MODEL": "false",
                "TELEGRAM_BOT_TOKEN": "", "TWILIO_ACCOUNT_SID": "",
            },
            tmp_path,
        )
        for n, port in enumerate(ports)
    ]  # fmt: skip
    try:
        with running(*(worker.start() for worker in workers)):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with factory() as session:
                    open_rows = session.scalar(
                        select(func.count())
                        .select_from(Notification)
                        .where(Notification.status.in_(["pending", "sending"]))
                    )
                    escalations = session.scalar(
                        select(func.count())
                        .select_from(TicketEvent)
                        .where(TicketEvent.action == "escalate")
                    )
                if open_rows == 0 and escalations and escalations >= TICKETS:
                    time.sleep(1.5)  # a further sweep and poll each: they must change nothing
                    break
                time.sleep(0.3)
            per_worker = [attempts_of(port) for port in ports]
    finally:
        gateway.stop()

    with factory() as session:
        statuses = Counter(session.scalars(select(Notification.status)))
        web_keys = set(
            session.scalars(select(Notification.delivery_key).where(Notification.channel == "web"))
        )
        per_ticket = Counter(
            session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.action == "escalate"))
        )
    engine.dispose()
    assert set(statuses) == {"sent"}, statuses
    delivered = Counter(fake.delivered)
    assert set(delivered) == web_keys  # every citizen notification arrived ...
    assert max(delivered.values()) == 1  # ... once
    assert fake.refused, "the retry path was not exercised"
    # Overdue by both deadlines: one escalation per ticket (straight to leadership), no more.
    assert len(per_ticket) == TICKETS and set(per_ticket.values()) == {1}
    assert all(n > 0 for n in per_worker), f"one worker did all the work: {per_worker}"
