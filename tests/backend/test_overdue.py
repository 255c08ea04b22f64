"""One meaning of "overdue" (issue 18): the rule (routing.sla.is_overdue), its SQL form
(backend.escalation.overdue_clause), the admin queue's filter and flag, the metrics count and
the dashboard's badge all agree, over many generated tickets in every status, including the
case that split them: a reopened ticket keeps its old acknowledged_at but must be attended
again."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.escalation import overdue_clause
from backend.models import Ticket
from routing import sla
from routing.lifecycle import Status
from tests.backend.conftest import Clock, Officers, file, sign_in


def _scatter(factory: sessionmaker[Session], numbers: list[str], clock: Clock) -> None:
    """Every status, deadlines before and after now, acknowledged or not: at random."""
    rng = random.Random(18)
    statuses = list(Status)
    with factory() as session, session.begin():
        for number in numbers:
            ack = clock.now + timedelta(hours=rng.uniform(-80, 80))
            session.execute(
                sa.update(Ticket)
                .where(Ticket.number == number)
                .values(
                    status=rng.choice(statuses).value,
                    ack_due_at=ack,
                    resolve_due_at=ack + timedelta(hours=rng.uniform(0, 120)),
                    acknowledged_at=rng.choice([None, clock.now - timedelta(days=1)]),
                )
            )


def test_every_view_of_overdue_agrees(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
    clock: Clock,
) -> None:
    numbers = [file(client, service_headers, channel_user_id=str(i)) for i in range(120)]
    _scatter(factory, numbers, clock)
    now = clock.now
    with factory() as session:
        tickets = session.scalars(sa.select(Ticket)).all()
        expected = {
            t.number
            for t in tickets
            if sla.is_overdue(Status(t.status), t.ack_due_at, t.resolve_due_at, now)
        }
        in_sql = set(session.scalars(sa.select(Ticket.number).where(overdue_clause(now))))
        statuses = {t.number: t.status for t in tickets}
    assert in_sql == expected
    assert 10 < len(expected) < 110  # the generator reached both sides
    # Reopened, acknowledged before, acknowledgement due again: overdue everywhere.
    assert any(statuses[n] == "reopened" for n in expected)

    boss = officers.add("lead", "MINISTRY-LEADERSHIP", role="leadership")
    listed: set[str] = set()
    page = 1
    while True:
        answer = client.get(
            "/admin/v1/tickets", params={"overdue": "true", "page": page}, headers=boss
        ).json()
        listed |= {t["number"] for t in answer["tickets"]}
        assert all(t["overdue"] for t in answer["tickets"])
        if len(listed) >= answer["total"] or not answer["tickets"]:
            break
        page += 1
    assert listed == expected

    sign_in(client, officers, "lead")
    for number in numbers[:40]:
        page_text = client.get(f"/dashboard/tickets/{number}").text
        late = "badge late" in page_text
        assert late == (number in expected), (number, statuses[number])
