"""What the citizen's status shows: what the officer asked or decided, whether the ticket may
still be reopened, the rating; a stranger sees number, status and department only. Feedback
on a concluded ticket answers a stable code; the reason for reopening reaches the officers;
a filing that repeats an open ticket says which (issue 13, items 12, 14 and 16)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Notification
from tests.backend.conftest import Clock, Officers, act_ok, filed, grievance

OWNER = {"channel": "telegram", "channel_user_id": "5550001"}
QUESTION = "Please send a copy of invoice 113 and the delivery challan."
LATER_QUESTION = "Which date did the buyer accept the goods?"


def status(client: TestClient, number: str, headers: dict[str, str], **who: str) -> Any:
    response = client.get(f"/api/v1/tickets/{number}", params=who, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def mine(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/v1/tickets", params=OWNER, headers=headers)
    assert response.status_code == 200, response.text
    tickets: list[dict[str, Any]] = response.json()["tickets"]
    return tickets


def test_awaiting_info_shows_the_latest_question_to_the_owner_only(
    client: TestClient, service_headers: dict[str, str], officers: Officers, clock: Clock
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = filed(client, service_headers)["number"]
    act_ok(client, number, "acknowledge", officer)
    act_ok(client, number, "reply", officer, "We have written to the buyer.")
    act_ok(client, number, "request-info", officer, QUESTION)
    owner = status(client, number, service_headers, **OWNER)
    assert owner["status"] == "awaiting_info"
    assert owner["officer_question"] == QUESTION
    assert owner["reopen_allowed"] is False and owner["resolution"] is None
    # The citizen answers; a second request: the status shows the second question.
    answered = client.post(
        f"/api/v1/tickets/{number}/messages",
        json={**OWNER, "text": "Invoice and challan sent by email."},
        headers=service_headers,
    )
    assert answered.status_code == 201
    assert status(client, number, service_headers, **OWNER)["officer_question"] is None
    clock.advance(hours=1)
    act_ok(client, number, "request-info", officer, LATER_QUESTION)
    assert status(client, number, service_headers, **OWNER)["officer_question"] == LATER_QUESTION
    [listed] = mine(client, service_headers)
    assert listed["officer_question"] == LATER_QUESTION and listed["category"] == "delayed_payment"
    detail = client.get(f"/admin/v1/tickets/{number}", headers=officer).json()
    assert detail["officer_question"] == LATER_QUESTION
    # A stranger with the number: number, status and department, nothing else.
    for who in ({}, {"channel": "telegram", "channel_user_id": "999"}):
        stranger = status(client, number, service_headers, **who)
        assert set(stranger) == {"number", "status", "department", "is_owner"}, stranger
        assert stranger["is_owner"] is False and stranger["status"] == "awaiting_info"
        assert QUESTION not in str(stranger) and LATER_QUESTION not in str(stranger)


def test_resolution_and_the_reopen_window(
    client: TestClient, service_headers: dict[str, str], officers: Officers, clock: Clock
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = filed(client, service_headers)["number"]
    act_ok(client, number, "acknowledge", officer)
    act_ok(client, number, "reply", officer, "The council has issued notice to the buyer.")
    act_ok(client, number, "resolve", officer, "The buyer paid Rs 3,20,000 with interest.")
    owner = status(client, number, service_headers, **OWNER)
    assert owner["resolution"] == "The buyer paid Rs 3,20,000 with interest."
    assert owner["reopen_allowed"] is True and owner["rating"] is None
    assert owner["officer_question"] is None and owner["rejection_reason"] is None
    rated = client.post(
        f"/api/v1/tickets/{number}/feedback", json={**OWNER, "rating": 4}, headers=service_headers
    )
    assert rated.status_code == 200
    clock.advance(days=7, seconds=1)
    owner = status(client, number, service_headers, **OWNER)
    assert owner["rating"] == 4 and owner["reopen_allowed"] is False
    late = client.post(
        f"/api/v1/tickets/{number}/feedback",
        json={**OWNER, "rating": 1, "reopen": True, "comment": "not paid"},
        headers=service_headers,
    )
    assert late.status_code == 409
    assert late.json()["code"] == "reopen_window_passed" and "7 days" in late.json()["detail"]
    # Refused as a whole: the earlier rating stands.
    assert status(client, number, service_headers, **OWNER)["rating"] == 4


def test_rejection_reason_and_feedback_on_a_final_ticket(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = filed(client, service_headers)["number"]
    act_ok(
        client, number, "reject", officer, "The buyer is a state PSU outside the council's reach."
    )
    owner = status(client, number, service_headers, **OWNER)
    assert owner["status"] == "rejected"
    assert owner["rejection_reason"] == "The buyer is a state PSU outside the council's reach."
    assert owner["reopen_allowed"] is False and owner["resolution"] is None
    for body in ({"rating": 2}, {"rating": 1, "reopen": True}, {"reopen": True}):
        refused = client.post(
            f"/api/v1/tickets/{number}/feedback", json={**OWNER, **body}, headers=service_headers
        )
        assert refused.status_code == 409, body
        answer = refused.json()
        assert answer["code"] == "ticket_final" and answer["status"] == "rejected"
        assert isinstance(answer["detail"], str) and "allowed actions" not in answer["detail"]
    assert status(client, number, service_headers, **OWNER)["rating"] is None
    written = client.post(
        f"/api/v1/tickets/{number}/messages",
        json={**OWNER, "text": "Please look again."},
        headers=service_headers,
    )
    assert written.status_code == 409
    assert written.json()["code"] == "ticket_final" and "allowed" not in written.json()["detail"]


def test_feedback_on_an_open_ticket_says_it_is_not_resolved(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    number = filed(client, service_headers)["number"]
    early = client.post(
        f"/api/v1/tickets/{number}/feedback", json={**OWNER, "rating": 5}, headers=service_headers
    )
    assert early.status_code == 409
    assert early.json()["code"] == "not_resolved" and early.json()["status"] == "routed"


def test_the_reason_for_reopening_reaches_the_officers(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = filed(client, service_headers)["number"]
    act_ok(client, number, "acknowledge", officer)
    act_ok(client, number, "resolve", officer, "Paid.")
    reason = "Only half of the amount was paid; invoice 114 is still due."
    reopened = client.post(
        f"/api/v1/tickets/{number}/feedback",
        json={**OWNER, "rating": 1, "reopen": True, "comment": reason},
        headers=service_headers,
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "routed"
    detail = client.get(f"/admin/v1/tickets/{number}", headers=officer).json()
    [reopen] = [e for e in detail["events"] if e["action"] == "reopen"]
    assert reopen["note"] == reason and reopen["actor"] == "citizen"
    assert [(m["author"], m["text"]) for m in detail["messages"]] == [("citizen", reason)]
    with factory() as session:
        alerts = session.scalars(
            select(Notification.text).where(
                Notification.kind == "reopened", Notification.recipient == "officer"
            )
        ).all()
    assert alerts and all(reason in text for text in alerts)


def test_my_tickets_newest_first_with_category_and_department(
    client: TestClient, service_headers: dict[str, str], clock: Clock
) -> None:
    made = []
    for category, description in (
        ("delayed_payment", "A buyer in Mumbai has not paid invoice 113 for 90 days."),
        ("infrastructure_power", "The power supply to our unit is cut for four hours daily."),
        ("labour", "The labour inspector demands papers we have already filed twice."),
    ):
        made.append(filed(client, service_headers, category=category, description=description))
        clock.advance(minutes=5)
    filed(client, service_headers, channel_user_id="someone-else")
    listed = mine(client, service_headers)
    assert [t["number"] for t in listed] == [t["number"] for t in reversed(made)]
    assert [t["category"] for t in listed] == ["labour", "infrastructure_power", "delayed_payment"]
    for ticket, created in zip(listed, reversed(made), strict=True):
        assert ticket["department"] == created["department"]
        assert set(ticket["department"]) == {"code", "name", "name_hi"}
        assert ticket["created_at"] and ticket["officer_question"] is None
        assert "name" not in ticket or ticket["name"] != "Meena Kumari"


def test_the_create_answer_names_the_ticket_it_repeats(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    first = filed(client, service_headers, description="Buyer in Mumbai has not paid invoice 113.")
    assert first["duplicate_of"] is None
    request = grievance(description="The buyer in Mumbai still has not paid invoice 113!")
    again = client.post("/api/v1/tickets", json=request, headers=service_headers)
    assert again.status_code == 201 and again.json()["duplicate_of"] == first["number"]
    # A retry of that filing answers the same.
    replay = client.post("/api/v1/tickets", json=request, headers=service_headers)
    assert replay.status_code == 200 and replay.json()["duplicate_of"] == first["number"]
    other = filed(
        client, service_headers, description="Power cuts of four hours daily at the unit."
    )
    assert other["duplicate_of"] is None


@pytest.mark.parametrize("language", ["hi", "en"])
def test_department_names_come_in_both_languages(
    language: str, client: TestClient, service_headers: dict[str, str]
) -> None:
    created = filed(client, service_headers, language=language)
    assert created["department"]["code"] == "MSEFC-MH"
    assert (
        created["department"]["name_hi"]
        and created["department"]["name_hi"] != (created["department"]["name"])
    )
    preview = client.post(
        "/api/v1/route/preview",
        json={"description": "buyer has not paid", "category": "delayed_payment", "state": "MH"},
        headers=service_headers,
    ).json()
    assert preview["department"] == created["department"]


def test_an_officers_reply_waits_for_the_citizens_answer_in_the_list(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    number = filed(client, service_headers)["number"]
    [listed] = mine(client, service_headers)
    assert listed["officer_reply_unanswered"] is None
    act_ok(client, number, "acknowledge", officer)
    reply = "The buyer will pay by 31 December. Are you OK with that?"
    act_ok(client, number, "reply", officer, reply)
    [listed] = mine(client, service_headers)
    assert listed["officer_reply_unanswered"] == reply
    answered = client.post(
        f"/api/v1/tickets/{number}/messages",
        json={**OWNER, "text": "No, they have been promising for 3 months"},
        headers=service_headers,
    )
    assert answered.status_code == 201
    [listed] = mine(client, service_headers)
    assert listed["officer_reply_unanswered"] is None
