"""Filing through the group-commit writer: several filings in one transaction, each answered
after the commit, and a failing filing never takes the others (or half of itself) along."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend import filing
from backend.auth import add_officer
from backend.db import GroupCommit, transaction
from backend.filing import Filed, filing_unit, route_filing
from backend.models import Notification, Ticket, TicketEvent
from backend.tickets import NewTicket, get_ticket
from backend.triage import Triage
from tests.backend.conftest import START, grievance

TRIAGE = Triage(use_classifier=False)


def new_ticket(user: str, **overrides: Any) -> NewTicket:
    values: dict[str, Any] = {
        "channel": "telegram",
        "channel_user_id": user,
        "name": "Meena Kumari",
        "enterprise_name": "Meena Textiles",
        "state": "Maharashtra",
        "district": "Pune",
        "category": "labour",
        "description": f"Labour inspector {user} keeps visiting the unit and asks for money.",
        "idempotency_key": f"group-commit-{user}",
    }
    values.update(overrides)
    return NewTicket(**values)


@pytest.fixture
def writer(factory: sessionmaker[Session]) -> Iterator[GroupCommit]:
    yield GroupCommit(factory.kw["bind"], idle_seconds=0.5)


def gate(writer: GroupCommit) -> threading.Event:
    """Keep the writer busy on a first unit until the event is set, so that everything
    submitted meanwhile lands in the next batch: one transaction, deterministically."""
    opened = threading.Event()

    def blocker(_connection: Connection, _shared: dict[str, Any]) -> None:
        opened.wait(10)

    writer.submit(blocker)
    return opened


def counts(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as session:
        return (
            session.scalar(select(func.count(Ticket.id))) or 0,
            session.scalar(select(func.count(TicketEvent.id))) or 0,
            session.scalar(select(func.count(Notification.id))) or 0,
        )


def test_concurrent_filings_share_one_transaction_and_the_officer_loads(
    factory: sessionmaker[Session], writer: GroupCommit
) -> None:
    with transaction(factory) as session:
        first, _ = add_officer(session, "A", "DFO-MUMBAI", "officer")
        second, _ = add_officer(session, "B", "DFO-MUMBAI", "officer")
        officer_ids = {first.id, second.id}
    opened = gate(writer)
    futures = [
        writer.submit(filing_unit(route_filing(new_ticket(f"u{i}"), TRIAGE, START)))
        for i in range(4)
    ]
    assert not any(f.done() for f in futures)  # nobody is answered before the commit
    opened.set()
    filed = [f.result(10) for f in futures]
    assert writer.batches == 2 and writer.units == 5  # the gate, then the four together
    assert all(f.created for f in filed) and len({f.number for f in filed}) == 4
    assert counts(factory) == (4, 8, 8)  # per filing: 2 events, citizen + officer notes
    with factory() as session:
        assigned = session.scalars(select(Ticket.officer_id)).all()
        # Least-loaded within the batch: the loads it assigned count for the next filing.
        assert sorted(assigned) == sorted([*officer_ids, *officer_ids])
        ticket = get_ticket(session, filed[0].number)
        assert ticket.department_code == "DFO-MUMBAI" and ticket.status == "routed"
        assert ticket.ack_due_at == filed[0].ack_due_at  # stored UTC, read back aware
        assert ticket.attachments == []
        events = session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        ).all()
        assert [(e.actor, e.action, e.to_status) for e in events] == [
            ("citizen", "create", "new"),
            ("system:router", "route", "routed"),
        ]
        notes = session.scalars(
            select(Notification).where(Notification.ticket_id == ticket.id)
        ).all()
        assert {n.delivery_key for n in notes} == {
            f"{ticket.number}:created:{events[1].id}:citizen",
            f"{ticket.number}:assigned:{events[1].id}:officer:{ticket.officer_id}",
        }


def test_a_failing_filing_leaves_nothing_and_spares_the_rest_of_its_batch(
    factory: sessionmaker[Session], writer: GroupCommit, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = filing._filing_notifications

    def failing_for_bad(data: NewTicket, *args: Any) -> list[dict[str, Any]]:
        if data.channel_user_id == "bad":
            # After its ticket and events are written: the savepoint must undo them.
            raise RuntimeError("outbox row refused")
        return real(data, *args)

    monkeypatch.setattr(filing, "_filing_notifications", failing_for_bad)
    opened = gate(writer)
    futures = {
        user: writer.submit(filing_unit(route_filing(new_ticket(user), TRIAGE, START)))
        for user in ("good1", "bad", "good2")
    }
    opened.set()
    assert futures["good1"].result(10).created and futures["good2"].result(10).created
    with pytest.raises(RuntimeError, match="outbox row refused"):
        futures["bad"].result(10)
    assert writer.batches == 2  # all three were in one transaction
    assert counts(factory) == (2, 4, 2)
    with factory() as session:
        users = set(session.scalars(select(Ticket.channel_user_id)))
    assert users == {"good1", "good2"}


def test_the_same_key_twice_in_one_batch_files_once(
    factory: sessionmaker[Session], writer: GroupCommit
) -> None:
    opened = gate(writer)
    routed = route_filing(new_ticket("twice"), TRIAGE, START)
    futures = [writer.submit(filing_unit(routed)) for _ in range(3)]
    opened.set()
    filed: list[Filed] = [f.result(10) for f in futures]
    assert [f.created for f in filed] == [True, False, False]
    assert {f.ticket_id for f in filed} == {filed[0].ticket_id}
    assert counts(factory) == (1, 2, 1)


def test_a_failed_commit_runs_each_filing_alone(
    factory: sessionmaker[Session], writer: GroupCommit
) -> None:
    engine = factory.kw["bind"]
    failures = iter([False, True])  # the gate's commit passes, the next one fails

    def fail_first_commit(_connection: Any) -> None:
        if next(failures, False):
            raise RuntimeError("disk I/O error")

    event.listen(engine, "commit", fail_first_commit)
    try:
        opened = gate(writer)
        futures = [
            writer.submit(filing_unit(route_filing(new_ticket(f"r{i}"), TRIAGE, START)))
            for i in range(3)
        ]
        opened.set()
        filed = [f.result(10) for f in futures]
    finally:
        event.remove(engine, "commit", fail_first_commit)
    # The gate's batch committed; the three failed together, then committed one by one.
    assert all(f.created for f in filed)
    assert writer.batches == 4
    assert counts(factory) == (3, 6, 3)


def test_the_writer_thread_ends_when_idle_and_comes_back(
    factory: sessionmaker[Session], writer: GroupCommit
) -> None:
    assert writer.run(filing_unit(route_filing(new_ticket("early"), TRIAGE, START))).created
    thread = writer._thread
    assert thread is not None
    thread.join(5)  # idle_seconds is 0.5
    assert not thread.is_alive() and writer._thread is None
    assert writer.run(filing_unit(route_filing(new_ticket("late"), TRIAGE, START))).created
    assert counts(factory)[0] == 2


def test_two_writers_racing_on_one_key_file_once(factory: sessionmaker[Session]) -> None:
    """Two API processes (two writers) filing the same retry at once. On PostgreSQL the second
    insert waits on the first's uncommitted key, fails on the unique index when it commits and
    answers with the winner; on SQLite the write lock makes the second read the first's row."""
    engine = factory.kw["bind"]
    first, second = (GroupCommit(engine, idle_seconds=0.5) for _ in range(2))
    routed = route_filing(new_ticket("raced"), TRIAGE, START)
    holding, release = threading.Event(), threading.Event()

    def hold(_connection: Connection, _shared: dict[str, Any]) -> None:
        holding.set()  # the first filing is written, not committed
        release.wait(10)

    opened = gate(first)
    winner = first.submit(filing_unit(routed))
    first.submit(hold)
    opened.set()
    assert holding.wait(10)
    loser = second.submit(filing_unit(routed))
    if engine.dialect.name == "postgresql":
        with engine.connect() as probe:
            for _ in range(200):  # until the second insert waits on the first's key
                waiting = probe.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                ).scalar()
                probe.rollback()  # the view is a snapshot per transaction
                if waiting:
                    break
                threading.Event().wait(0.05)
            assert waiting == 1
    release.set()
    assert winner.result(10).created and not loser.result(10).created
    assert loser.result().ticket_id == winner.result().ticket_id
    assert counts(factory) == (1, 2, 1)


def test_the_api_files_through_the_app_writer(
    client: TestClient, app: Any, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    def post(i: int) -> tuple[int, str]:
        body = grievance(idempotency_key=f"api-writer-{i:04d}", channel_user_id=f"api{i}")
        response = client.post("/api/v1/tickets", json=body, headers=service_headers)
        return response.status_code, response.json()["number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, range(16)))
    assert {code for code, _ in results} == {201}
    assert len({number for _, number in results}) == 16
    assert app.state.group_commit.units == 16
    assert counts(factory) == (16, 32, 16)
    with factory() as session:
        # Every answered number is committed and readable.
        for _, number in results:
            assert get_ticket(session, number).status == "routed"
