from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Notification, Ticket, TicketEvent
from tests.backend.conftest import Clock, Officers, act, file


def test_admin_needs_an_officer_token(client: TestClient, service_headers: dict[str, str]) -> None:
    assert client.get("/admin/v1/tickets").status_code == 401
    # The service token is not an officer token.
    assert client.get("/admin/v1/tickets", headers=service_headers).status_code == 401


def test_officer_works_a_ticket_to_resolution(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
    clock: Clock,
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    queue = client.get("/admin/v1/tickets", headers=officer).json()
    assert [t["number"] for t in queue["tickets"]] == [number]

    assert act(client, number, "acknowledge", officer).json()["status"] == "acknowledged"
    clock.advance(hours=2)
    detail = act(client, number, "request-info", officer, note="Please send invoice 113.").json()
    assert detail["status"] == "awaiting_info"
    clock.advance(days=2)
    reply = client.post(
        f"/api/v1/tickets/{number}/messages",
        json={"channel": "telegram", "channel_user_id": "5550001", "text": "Invoice attached."},
        headers=service_headers,
    )
    assert reply.status_code == 201 and reply.json()["status"] == "in_progress"
    detail = client.get(f"/admin/v1/tickets/{number}", headers=officer).json()
    # The clocks stood still for the two days the ticket waited on the citizen.
    assert detail["resolve_due_at"].startswith("2026-11-11T09:00")
    assert detail["escalation_level"] == 0
    assert [m["text"] for m in detail["messages"]] == ["Invoice attached."]

    resolved = act(client, number, "resolve", officer, note="Buyer paid with interest.").json()
    assert resolved["status"] == "resolved"
    actions = [e["action"] for e in resolved["events"]]
    assert actions == ["create", "route", "acknowledge", "request-info", "provide-info", "resolve"]
    assert all(e["actor"] for e in resolved["events"])
    with factory() as session:
        kinds = [
            n.kind
            for n in session.scalars(
                select(Notification)
                .where(Notification.recipient == "citizen")
                .order_by(Notification.id)
            )
        ]
    assert kinds == ["created", "acknowledged", "request_info", "resolved"]


def test_invalid_transition_is_409_and_changes_nothing(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    response = act(client, number, "resolve", officer, note="done")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "routed" and "acknowledge" in body["allowed_actions"]
    assert "routed" in body["detail"]
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.status == "routed" and ticket.resolution is None
        assert len(session.scalars(select(TicketEvent)).all()) == 2


def test_other_department_gets_403_and_the_attempt_is_recorded(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
) -> None:
    outsider = officers.add("ravi", "KVIC")
    boss = officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    number = file(client, service_headers)
    assert client.get(f"/admin/v1/tickets/{number}", headers=outsider).status_code == 403
    assert act(client, number, "acknowledge", outsider).status_code == 403
    assert client.get("/admin/v1/tickets", headers=outsider).json()["total"] == 0
    assert (
        client.get(
            "/admin/v1/tickets", params={"department": "MSEFC-MH"}, headers=outsider
        ).status_code
        == 403
    )
    detail = client.get(f"/admin/v1/tickets/{number}", headers=boss).json()
    denied = [e for e in detail["events"] if e["action"] == "denied"]
    assert len(denied) == 2 and denied[0]["actor"].startswith("officer:")
    assert detail["status"] == "routed"


def test_transfer_needs_reason_and_target(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    assert act(client, number, "transfer", officer, note="wrong desk").status_code == 422
    assert act(client, number, "transfer", officer, department="NSIC").status_code == 422
    assert act(client, number, "transfer", officer, note="x", department="NOPE").status_code == 422
    moved = act(client, number, "transfer", officer, note="raw material issue", department="NSIC")
    assert moved.status_code == 200 and moved.json()["department"]["code"] == "NSIC"
    # Now it is NSIC's, and no longer Asha's to see.
    assert client.get(f"/admin/v1/tickets/{number}", headers=officer).status_code == 403


def test_least_loaded_officer_is_assigned(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officers.add("a", "MSEFC-MH")
    officers.add("b", "MSEFC-MH")
    for _ in range(4):
        file(client, service_headers)
    with factory() as session:
        assigned = [t.officer_id for t in session.scalars(select(Ticket))]
    assert sorted(assigned) == sorted([officers.ids["a"], officers.ids["b"]] * 2)


def test_queue_filters(
    client: TestClient, service_headers: dict[str, str], officers: Officers, clock: Clock
) -> None:
    boss = officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    first = file(client, service_headers)
    file(client, service_headers, state="Gujarat", category="coir")
    clock.advance(days=4)
    by_state = client.get("/admin/v1/tickets", params={"state": "Gujarat"}, headers=boss)
    assert by_state.json()["total"] == 1
    overdue = client.get("/admin/v1/tickets", params={"overdue": "true"}, headers=boss).json()
    assert overdue["total"] == 2 and all(t["overdue"] for t in overdue["tickets"])
    routed = client.get(
        "/admin/v1/tickets", params={"status": "routed", "department": "MSEFC-MH"}, headers=boss
    ).json()
    assert [t["number"] for t in routed["tickets"]] == [first]
    assert (
        client.get("/admin/v1/tickets", params={"status": "bogus"}, headers=boss).status_code == 422
    )


def test_feedback_and_reopen(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    clock: Clock,
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    owner = {"channel": "telegram", "channel_user_id": "5550001"}
    number = file(client, service_headers)
    early = client.post(
        f"/api/v1/tickets/{number}/feedback", json={**owner, "rating": 5}, headers=service_headers
    )
    assert early.status_code == 409
    act(client, number, "acknowledge", officer)
    act(client, number, "resolve", officer, note="paid")
    assert (
        client.post(
            f"/api/v1/tickets/{number}/feedback",
            json={**owner, "rating": 9},
            headers=service_headers,
        ).status_code
        == 422
    )
    stranger = client.post(
        f"/api/v1/tickets/{number}/feedback",
        json={"channel": "telegram", "channel_user_id": "1", "reopen": True},
        headers=service_headers,
    )
    assert stranger.status_code == 403
    clock.advance(days=2)
    reopened = client.post(
        f"/api/v1/tickets/{number}/feedback",
        json={**owner, "rating": 1, "reopen": True, "comment": "not paid after all"},
        headers=service_headers,
    )
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "routed"
    assert reopened.json()["escalation_level"] == 1


def test_reopen_window_closes(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    clock: Clock,
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    act(client, number, "acknowledge", officer)
    act(client, number, "resolve", officer, note="paid")
    clock.advance(days=8)
    late = client.post(
        f"/api/v1/tickets/{number}/feedback",
        json={"channel": "telegram", "channel_user_id": "5550001", "reopen": True},
        headers=service_headers,
    )
    assert late.status_code == 409 and "window" in late.json()["detail"]


def test_dead_notifications_listed_and_retried(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    boss = officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    officer = officers.add("asha", "MSEFC-MH")
    file(client, service_headers)
    with factory() as session, session.begin():
        row = session.scalars(select(Notification).where(Notification.recipient == "citizen")).one()
        row.status, row.last_error = "dead", "telegram 500"
        dead_id = row.id
    assert client.get("/admin/v1/notifications?status=dead", headers=officer).status_code == 403
    listed = client.get("/admin/v1/notifications?status=dead", headers=boss).json()
    assert [n["id"] for n in listed] == [dead_id] and listed[0]["last_error"] == "telegram 500"
    retried = client.post(f"/admin/v1/notifications/{dead_id}/retry", headers=boss).json()
    assert retried["status"] == "pending" and retried["attempts"] == 0
