"""Status written back to CPGRAMS: an officer's action on a pulled grievance reaches the portal
through the outbox, in order, and is retried while the portal is down."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.cpgrams_pull import pull
from backend.db import make_engine
from backend.imports import import_batch
from backend.models import Notification, Ticket, utcnow
from backend.outbox import deliver_batch
from backend.worker import build_senders
from channels.cpgrams import CpgramsClient, CpgramsStatusSender
from channels.senders import LoggingSender
from core.config import Settings
from tests.backend.conftest import START, Clock, Officers, act_ok, file
from tests.support.fake_cpgrams import TOKEN, FakeCpgrams, grievance_rows


def portal_rows(factory: sessionmaker[Session]) -> list[Notification]:
    with factory() as session:
        rows = list(
            session.scalars(
                select(Notification).where(Notification.channel == "cpgrams").order_by("id")
            )
        )
        session.expunge_all()
        return rows


async def test_officer_actions_reach_cpgrams_in_order_and_survive_its_outage(
    client: TestClient,
    factory: sessionmaker[Session],
    settings: Settings,
    officers: Officers,
    service_headers: dict[str, str],
    clock: Clock,
) -> None:
    rows = grievance_rows(random.Random(8), 3, bad_share=0.0, today=START)
    with FakeCpgrams([r.item for r in rows]) as fake:
        puller = CpgramsClient(fake.url, TOKEN, timeout=2.0)
        assert (await pull(factory, puller, interval_seconds=900, clock=clock)).created == 3
        await puller.aclose()
        with factory() as session:
            tickets = {
                t.external_ref: (t.number, t.department_code)
                for t in session.scalars(select(Ticket))
            }
        first, second, third = (tickets[str(r.registration_number)] for r in rows)
        heads: dict[str, dict[str, str]] = {}

        def officer(department: str) -> dict[str, str]:
            if department not in heads:
                heads[department] = officers.add(f"o-{department}", department, role="head")
            return heads[department]

        # Through the real admin API, as officers do.
        acted: dict[str, list[tuple[str, str, str]]] = {}

        def action(ticket: tuple[str, str], name: str, note: str, status: str | None) -> None:
            """``status``: what CPGRAMS must be told (None: the status stays as it was)."""
            clock.advance(minutes=7)
            act_ok(client, ticket[0], name, officer(ticket[1]), note)
            reference = next(k for k, v in tickets.items() if v == ticket)
            if status is not None:
                acted.setdefault(reference, []).append((status, note, clock.now.isoformat()))

        action(first, "acknowledge", "Looking into it", "acknowledged")
        action(second, "acknowledge", "", "acknowledged")
        action(first, "resolve", "Buyer paid on 2 November; MSEFC closed the case.", "resolved")
        action(second, "reply", "Asked the bank for its reasons.", "in_progress")
        action(second, "reply", "Still waiting.", None)  # in progress still: nothing to tell
        action(third, "reject", "Not an MSME matter: a private dispute.", "rejected")
        # A chat grievance and a batch from another portal: nothing goes to CPGRAMS.
        chat = file(client, service_headers)
        act_ok(client, chat, "acknowledge", officer("MSEFC-MH"), "Seen")
        batch = import_batch(
            factory,
            "Registration,Date,Name,State,District,Category,Text\n"
            f"XP/1,2026-10-01,Asha,Kerala,Kochi,{rows[0].item['category_path']},"
            "Our payment is overdue for months now.\n",
            "csv",
            "otherportal",
            clock.now,
        )
        other = batch.created[0]["number"]
        with factory() as session:
            other_department = session.scalars(
                select(Ticket.department_code).where(Ticket.number == other)
            ).one()
        act_ok(client, other, "acknowledge", officer(other_department), "Seen")

        written = portal_rows(factory)
        assert len(written) == 5  # the second reply changed no status
        assert {r.channel_user_id for r in written} == set(acted)

        configured = settings.model_copy(
            update={"cpgrams_pull_url": fake.url, "cpgrams_pull_token": SecretStr(TOKEN)}
        )
        engine = make_engine(settings.database_url)
        senders = build_senders(configured, engine)
        assert isinstance(senders["cpgrams"], CpgramsStatusSender)
        assert isinstance(build_senders(settings, engine)["cpgrams"], LoggingSender)

        # CPGRAMS is down for the first three posts: they wait and are tried again.
        fake.fail_status(3)
        moment = utcnow()
        for _ in range(8):
            await deliver_batch(factory, senders, now=moment, backoff_seconds=1.0, max_attempts=6)
            moment += timedelta(minutes=1)
        retried = [r for r in portal_rows(factory) if r.attempts > 1]
        assert len(retried) == 3 and all(r.status == "sent" for r in retried)
        assert {r.status for r in portal_rows(factory)} == {"sent"}
        await senders["cpgrams"].aclose()  # type: ignore[attr-defined]
        engine.dispose()

    received: dict[str, list[tuple[str, str, str]]] = {}
    for update in fake.status_updates:
        received.setdefault(update["registration_number"], []).append(
            (update["status"], update["note"], update["at"])
        )
    # Each grievance's changes arrived once each, in the order they were made, with the note
    # and the time of the change.
    assert received == acted
    # The registration number (slashes and all) travels percent-encoded in the path.
    assert all("%2F" in path for path in fake.status_raw_paths)


async def test_a_grievance_cpgrams_does_not_know_is_not_retried(
    client: TestClient, factory: sessionmaker[Session], officers: Officers, clock: Clock
) -> None:
    rows = grievance_rows(random.Random(9), 1, bad_share=0.0, today=START)
    # Uploaded as a file (not pulled), unknown to this CPGRAMS endpoint.
    item: dict[str, Any] = rows[0].item
    header = ",".join(item)
    values = ",".join(f'"{v}"' for v in item.values())
    report = import_batch(factory, f"{header}\n{values}\n", "csv", "cpgrams", clock.now)
    number = report.created[0]["number"]
    with factory() as session:
        department = session.scalars(
            select(Ticket.department_code).where(Ticket.number == number)
        ).one()
    act_ok(client, number, "acknowledge", officers.add("o", department, role="head"), "Seen")
    with FakeCpgrams([]) as fake:
        sender = CpgramsStatusSender(CpgramsClient(fake.url, TOKEN, timeout=2.0))
        result = await deliver_batch(factory, {"cpgrams": sender}, now=utcnow())
        await sender.aclose()
    assert result.undeliverable == 1
    (row,) = portal_rows(factory)
    assert (row.status, row.last_error, row.attempts) == ("undeliverable", "cpgrams HTTP 404", 1)
