"""Fixtures for the backend: each test gets a fresh app and database (SQLite, and PostgreSQL
when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.api.app import create_app
from backend.auth import add_officer
from backend.db import make_engine, make_session_factory, transaction
from backend.migrate import migrate
from backend.triage import Triage
from core.config import Settings
from tests.support.databases import database_url_for

SERVICE_TOKEN = "test-service-token"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url_for(request.param, tmp_path)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        service_token=SERVICE_TOKEN,
        load_embedding_model=False,
        cache_dir=tmp_path / "cache",
        notification_backoff_seconds=1.0,
        notification_max_attempts=3,
    )


@pytest.fixture
def factory(settings: Settings) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    migrate(settings.database_url, engine)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: Settings, factory: sessionmaker[Session], clock: Clock) -> Any:
    return create_app(settings, clock=clock, triage=Triage(use_classifier=False))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def service_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@dataclass
class Officers:
    factory: sessionmaker[Session]
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, department: str, role: str = "officer") -> dict[str, str]:
        with transaction(self.factory) as session:
            officer, token = add_officer(session, key, department, role)
            self.ids[key] = officer.id
        self.tokens[key] = token
        return self.headers(key)

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[key]}"}


@pytest.fixture
def officers(factory: sessionmaker[Session]) -> Officers:
    return Officers(factory)


_keys = itertools.count()


def grievance(**overrides: Any) -> dict[str, Any]:
    """A valid create-ticket body; override what the test is about."""
    body: dict[str, Any] = {
        "idempotency_key": f"test-key-{next(_keys):06d}-{id(overrides)}",
        "channel": "telegram",
        "channel_user_id": "5550001",
        "name": "Meena Kumari",
        "mobile": "+91 98765 43210",
        "enterprise_name": "Meena Textiles",
        "udyam_number": "UDYAM-MH-18-0012345",
        "state": "Maharashtra",
        "district": "Pune",
        "category": "delayed_payment",
        "description": "A buyer in Mumbai has not paid invoice 113 for 90 days after delivery.",
        "language": "en",
    }
    body.update(overrides)
    return body


# --- what most tests do: file a grievance, act as an officer, sign in to the dashboard -----


def filed(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """File ``grievance(**overrides)`` through the service API; the 201 answer."""
    response = client.post("/api/v1/tickets", json=grievance(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def file(client: TestClient, headers: dict[str, str], **overrides: Any) -> str:
    """File a grievance; its number."""
    number: str = filed(client, headers, **overrides)["number"]
    return number


def act(client: TestClient, number: str, action: str, headers: dict[str, str], **body: Any) -> Any:
    """An officer action through the admin API; the response, whatever it is."""
    return client.post(f"/admin/v1/tickets/{number}/{action}", json=body, headers=headers)


def act_ok(
    client: TestClient, number: str, action: str, officer: dict[str, str], note: str = ""
) -> None:
    """An officer action that must succeed."""
    response = act(client, number, action, officer, note=note)
    assert response.status_code == 200, response.text


def csrf_of(page: str) -> str:
    """The CSRF token of a dashboard page's forms."""
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def sign_in(client: TestClient, officers: Officers, key: str) -> None:
    """Sign in to the dashboard with the officer ``key``'s token, as the login form does."""
    form = client.get("/dashboard/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text)
    assert nonce is not None
    response = client.post(
        "/dashboard/login",
        data={"token": officers.tokens[key], "nonce": nonce.group(1), "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
