from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.escalation import sweep
from backend.models import Notification, Ticket, TicketEvent
from core.config import Settings
from tests.backend.conftest import START, Clock, Officers, grievance


def file_many(client: TestClient, headers: dict[str, str], count: int) -> list[str]:
    numbers = []
    for i in range(count):
        response = client.post(
            "/api/v1/tickets", json=grievance(channel_user_id=f"u{i}"), headers=headers
        )
        assert response.status_code == 201
        numbers.append(response.json()["number"])
    return numbers


def levels(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        return {t.number: t.escalation_level for t in session.scalars(select(Ticket))}


def test_ack_breach_then_resolve_breach(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    officers: Officers,
) -> None:
    officers.add("head", "MSEFC-MH", role="head")
    officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    [number] = file_many(client, service_headers, 1)
    assert sweep(factory, START + timedelta(days=2, hours=23)).escalated == 0
    first = sweep(factory, START + timedelta(days=3))
    assert first.escalated_to_head == 1 and levels(factory) == {number: 2}
    assert sweep(factory, START + timedelta(days=3)).escalated == 0  # idempotent
    second = sweep(factory, START + timedelta(days=7))
    assert second.escalated_to_leadership == 1 and levels(factory) == {number: 3}
    with factory() as session:
        events = session.scalars(
            select(TicketEvent).where(TicketEvent.action == "escalate").order_by(TicketEvent.id)
        ).all()
        assert [e.note.split(":")[0] for e in events] == ["level 0 -> 2", "level 2 -> 3"]
        assert all(e.actor == "system:sla" for e in events)
        escalations = session.scalars(
            select(Notification).where(Notification.kind == "escalated")
        ).all()
        recipients = sorted((n.recipient, n.channel) for n in escalations)
    # Citizen twice; the head at level 2 and 3; leadership at level 3.
    assert recipients == [("citizen", "telegram")] * 2 + [("officer", "officer")] * 3


def test_acknowledged_tickets_do_not_breach_ack(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    officers: Officers,
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    [number] = file_many(client, service_headers, 1)
    client.post(f"/admin/v1/tickets/{number}/acknowledge", json={}, headers=officer)
    assert sweep(factory, START + timedelta(days=5)).escalated == 0
    assert sweep(factory, START + timedelta(days=7, seconds=1)).escalated_to_leadership == 1


def test_awaiting_info_pauses_escalation(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    officers: Officers,
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    [number] = file_many(client, service_headers, 1)
    client.post(f"/admin/v1/tickets/{number}/acknowledge", json={}, headers=officer)
    client.post(
        f"/admin/v1/tickets/{number}/request-info", json={"note": "GST number?"}, headers=officer
    )
    assert sweep(factory, START + timedelta(days=30)).escalated == 0


def test_cli_sweep_as_of(
    client: TestClient,
    service_headers: dict[str, str],
    settings: Settings,
    factory: sessionmaker[Session],
) -> None:
    file_many(client, service_headers, 2)
    env = {"DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "backend", "sla-sweep", "--as-of", "2026-11-20T00:00:00Z"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    assert "to leadership 2" in out
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    assert "examined 0" in again
    assert set(levels(factory).values()) == {3}


@pytest.mark.postgres
def test_two_workers_racing_escalate_each_ticket_once(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
) -> None:
    if settings.is_sqlite:
        pytest.skip("SKIP LOCKED races need PostgreSQL; SQLite runs one worker")
    file_many(client, service_headers, 60)
    as_of = START + timedelta(days=8)
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        results.append(sweep(factory, as_of, batch_size=7))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.escalated for r in results) == 60
    with factory() as session:
        per_ticket = session.execute(
            select(TicketEvent.ticket_id, func.count())
            .where(TicketEvent.action == "escalate")
            .group_by(TicketEvent.ticket_id)
        ).all()
    assert len(per_ticket) == 60 and {count for _, count in per_ticket} == {1}
