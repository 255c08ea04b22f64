"""The filing's fast path (backend/filing.py running backend/filing_sql.py's raw SQL, one
statement per row) writes the
same notifications as the plain ORM path would (backend/notifications.py: notify_citizen and
notify_officers for the route event), over generated filings in every chat channel, language
and category (issue 18: every fast path has one source of truth or a parity test)."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Notification, Ticket, TicketEvent
from backend.notifications import notify_citizen, notify_officers
from infra.channels import CHAT_CHANNELS
from routing.categories import CATEGORY_CODES
from tests.backend.conftest import Officers, file

FIELDS = ("delivery_key", "recipient", "channel", "channel_user_id", "language", "kind", "text")
DESCRIPTIONS = (
    "A buyer in Mumbai has not paid invoice 113 for 90 days after delivery.",
    "खरीदार ने 4 लाख का भुगतान छह महीने से नहीं किया है, कृपया मदद करें।",
    "Bank manager loan sanction nahi kar raha, teen mahine se chakkar laga rahe hain.",
    "The power supply to our unit is cut for four hours every day this month.",
)


def _rows(notifications: list[Notification]) -> set[tuple[object, ...]]:
    return {tuple(getattr(n, field) for field in FIELDS) for n in notifications}


@pytest.mark.parametrize("seed", [1, 2])
def test_a_filing_writes_what_the_orm_path_would(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
    seed: int,
) -> None:
    rng = random.Random(seed)
    for department in ("MSEFC-MH", "CREDIT-CELL", "DFO-MUMBAI"):
        officers.add(f"{department}-{seed}", department)
    numbers = [
        file(
            client,
            service_headers,
            channel=rng.choice(sorted(CHAT_CHANNELS)),
            channel_user_id=str(rng.randrange(10**9)),
            language=rng.choice(["en", "hi", "hinglish"]),
            category=rng.choice(CATEGORY_CODES),
            description=rng.choice(DESCRIPTIONS),
        )
        for _ in range(30)
    ]
    compared = 0
    with factory() as session:
        for number in numbers:
            ticket = session.scalars(sa.select(Ticket).where(Ticket.number == number)).one()
            if ticket.urgency == "critical":
                continue  # critical alerts: compared by the urgency tests
            written = session.scalars(
                sa.select(Notification).where(Notification.ticket_id == ticket.id)
            ).all()
            route = session.scalars(
                sa.select(TicketEvent.id).where(
                    TicketEvent.ticket_id == ticket.id, TicketEvent.action == "route"
                )
            ).one()
            with session.no_autoflush:  # the ORM path's rows, built and never written
                expected = [notify_citizen(session, ticket, "created", route)]
                expected += notify_officers(session, ticket, "assigned", route)
            built = [n for n in expected if n is not None]
            for notification in built:
                session.expunge(notification)
            wanted = _rows(built)
            assert _rows(list(written)) == wanted, number
            compared += 1
    assert compared >= 20
