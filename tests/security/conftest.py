"""The backend's fixtures (a fresh app and database per test: SQLite, and PostgreSQL when
TEST_DATABASE_URL is set) for the security tests that drive the real app."""

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Ticket
from tests.backend.conftest import (  # noqa: F401
    app,
    client,
    clock,
    database_url,
    factory,
    officers,
    service_headers,
    settings,
)


def stored(sessions: sessionmaker[Session], number: str) -> Ticket:
    """The ticket as stored, to check what was written (not what was answered)."""
    with sessions() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        session.expunge(ticket)
        return ticket
