from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.api.app import create_app
from backend.models import Notification, Ticket, TicketEvent
from core.config import Settings
from tests.backend.conftest import filed, grievance


def test_service_api_needs_the_token(client: TestClient) -> None:
    assert client.post("/api/v1/tickets", json=grievance()).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.post("/api/v1/tickets", json=grievance(), headers=wrong).status_code == 401
    assert client.get("/api/v1/tickets/MS-7K3Q9P-D").status_code == 401


def test_filing_routes_and_starts_the_clocks(
    client: TestClient, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    body = filed(client, service_headers)
    assert body["status"] == "routed"
    assert body["department"]["code"] == "MSEFC-MH"  # delayed payment -> the state's council
    assert body["ack_due_at"].startswith("2026-11-05T09:00")
    assert body["resolve_due_at"].startswith("2026-11-09T09:00")
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.mobile == "+919876543210"
        events = session.scalars(select(TicketEvent).order_by(TicketEvent.id)).all()
        assert [(e.action, e.from_status, e.to_status) for e in events] == [
            ("create", None, "new"),
            ("route", "new", "routed"),
        ]
        note = session.scalars(select(Notification)).one()
        assert note.recipient == "citizen" and note.channel == "telegram"
        assert body["number"] in note.text


def test_same_idempotency_key_returns_the_same_ticket(
    client: TestClient, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    request = grievance(idempotency_key="filing-abc-123")
    first = client.post("/api/v1/tickets", json=request, headers=service_headers)
    again = client.post("/api/v1/tickets", json=request, headers=service_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    with factory() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 1


def test_concurrent_retries_create_one_ticket(
    client: TestClient, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    request = grievance(idempotency_key="filing-raced-0001")

    def post(_: int) -> tuple[int, str]:
        response = client.post("/api/v1/tickets", json=request, headers=service_headers)
        return response.status_code, response.json()["number"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, range(16)))
    assert {number for _, number in results} == {results[0][1]}
    assert sorted(code for code, _ in results).count(201) == 1
    with factory() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 1
        assert session.scalar(select(func.count(Notification.id))) == 1


def test_status_privacy(client: TestClient, service_headers: dict[str, str]) -> None:
    number = filed(client, service_headers)["number"]
    anyone = client.get(f"/api/v1/tickets/{number}", headers=service_headers).json()
    assert anyone["status"] == "routed" and anyone["is_owner"] is False
    for personal in ("name", "mobile", "udyam_number", "description"):
        assert personal not in anyone
    owner = client.get(
        f"/api/v1/tickets/{number}",
        params={"channel": "telegram", "channel_user_id": "5550001"},
        headers=service_headers,
    ).json()
    assert owner["is_owner"] is True and owner["name"] == "Meena Kumari"
    other = client.get(
        f"/api/v1/tickets/{number}",
        params={"channel": "telegram", "channel_user_id": "999"},
        headers=service_headers,
    ).json()
    assert "mobile" not in other


def test_mistyped_number_is_caught_before_lookup(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    number = filed(client, service_headers)["number"]
    wrong_check = number[:-1] + ("2" if number[-1] != "2" else "3")
    response = client.get(f"/api/v1/tickets/{wrong_check}", headers=service_headers)
    assert response.status_code == 422
    assert "mistyped" in response.json()["detail"]
    lower = client.get(f"/api/v1/tickets/{number.lower()}", headers=service_headers)
    assert lower.status_code == 200 and lower.json()["number"] == number


def test_unknown_valid_number_is_404(client: TestClient, service_headers: dict[str, str]) -> None:
    assert (
        client.get(
            "/api/v1/tickets/MS-7K3Q9P-"
            + __import__("routing.ticket_number", fromlist=["check_char"]).check_char("7K3Q9P"),
            headers=service_headers,
        ).status_code
        == 404
    )


def test_my_tickets_lists_only_mine(client: TestClient, service_headers: dict[str, str]) -> None:
    mine = {filed(client, service_headers)["number"] for _ in range(2)}
    filed(client, service_headers, channel_user_id="someone-else")
    listed = client.get(
        "/api/v1/tickets",
        params={"channel": "telegram", "channel_user_id": "5550001"},
        headers=service_headers,
    ).json()["tickets"]
    assert {t["number"] for t in listed} == mine


def test_field_level_validation(client: TestClient, service_headers: dict[str, str]) -> None:
    cases = {
        "udyam_number": "UDYAM-12345",
        "state": "Atlantis",
        "category": "weather",
        "description": "",
        "mobile": "12345",
        "language": "fr",
    }
    for field, value in cases.items():
        response = client.post(
            "/api/v1/tickets", json=grievance(**{field: value}), headers=service_headers
        )
        assert response.status_code == 422, field
        locations = [tuple(error["loc"]) for error in response.json()["detail"]]
        assert ("body", field) in locations, (field, locations)
    long = client.post(
        "/api/v1/tickets", json=grievance(description="x" * 4001), headers=service_headers
    )
    assert long.status_code == 422


def test_state_spellings_are_canonicalised(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    number = filed(client, service_headers, state="maharastra")["number"]
    owner = client.get(
        f"/api/v1/tickets/{number}",
        headers=service_headers,
        params={"channel": "telegram", "channel_user_id": "5550001"},
    ).json()
    assert owner["state"] == "Maharashtra"


def test_malformed_and_oversized_bodies(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    headers = {**service_headers, "Content-Type": "application/json"}
    broken = client.post("/api/v1/tickets", content=b'{"name": ', headers=headers)
    assert broken.status_code == 422
    huge = client.post("/api/v1/tickets", content=b"{" + b" " * (70 * 1024) + b"}", headers=headers)
    assert huge.status_code == 413
    not_object = client.post("/api/v1/tickets", content=b"[1, 2]", headers=headers)
    assert not_object.status_code == 422


def test_route_preview(client: TestClient, service_headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/route/preview",
        json={
            "description": "PMEGP margin money not released",
            "category": "pmegp_khadi",
            "state": "Bihar",
        },
        headers=service_headers,
    )
    assert response.status_code == 200
    assert response.json()["department"]["code"] == "KVIC"
    bad = client.post(
        "/api/v1/route/preview",
        json={"description": "x", "state": "Narnia"},
        headers=service_headers,
    )
    assert bad.status_code == 422


def test_ready_only_when_the_database_answers(client: TestClient) -> None:
    # The test app runs without the embedding model, so nothing is left to warm up.
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_not_ready_while_the_model_warms_up(settings: Settings) -> None:
    from backend.triage import Triage

    warming = create_app(
        settings.model_copy(update={"load_embedding_model": True}),
        triage=Triage(use_classifier=False),
    )
    # Without entering the lifespan the warm-up never ran: not ready, but alive.
    raw = TestClient(warming)
    assert raw.get("/healthz").status_code == 200
    response = raw.get("/readyz")
    assert response.status_code == 503 and "warming up" in response.json()["detail"]
