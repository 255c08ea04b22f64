"""Urgency on the service (issue 15): the route preview answers it, tickets store it, a
critical ticket gets a 4-hour acknowledgement clock and alerts the department's heads and
leadership at once, the queue puts critical and high first with a badge, analytics count it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Notification, Ticket
from routing.directory import load_directory
from routing.sla import deadlines, urgent_deadlines
from tests.backend.conftest import START, Officers, filed, grievance, sign_in

SELF_HARM = "Buyer has not paid for a year, I am thinking of suicide, please help."
WAGES = "We have not paid our workers' wages for three months because the buyer will not pay."
PLAIN = "A buyer in Mumbai has not paid invoice 113 for 90 days after delivery."


def test_route_preview_answers_urgency_with_reasons(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    def preview(text: str) -> dict[str, Any]:
        response = client.post(
            "/api/v1/route/preview", json={"description": text}, headers=service_headers
        )
        assert response.status_code == 200, response.text
        urgency: dict[str, Any] = response.json()["urgency"]
        return urgency

    assert preview(SELF_HARM) == {"level": "critical", "reasons": ["self_harm"]}
    assert preview("मजदूरों को तीन महीने से वेतन नहीं मिला") == {
        "level": "high",
        "reasons": ["wages_unpaid"],
    }
    assert preview(PLAIN) == {"level": "normal", "reasons": []}


def test_a_critical_ticket_is_stored_alerted_and_on_a_short_clock(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    officers: Officers,
) -> None:
    officers.add("dealing", "MSEFC-MH")
    officers.add("head", "MSEFC-MH", role="head")
    officers.add("other-head", "MSEFC-KA", role="head")
    officers.add("boss", "MINISTRY-LEADERSHIP", role="leadership")
    critical = filed(client, service_headers, description=SELF_HARM)
    plain = filed(client, service_headers, description=PLAIN, channel_user_id="5550002")
    # The filing's answer says it too, and a replay of the same filing answers the same.
    assert critical["urgency"] == {"level": "critical", "reasons": ["self_harm"]}
    assert plain["urgency"] == {"level": "normal", "reasons": []}
    body = grievance(description=SELF_HARM, idempotency_key="replayed", channel_user_id="9")
    first = client.post("/api/v1/tickets", json=body, headers=service_headers)
    again = client.post("/api/v1/tickets", json=body, headers=service_headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["urgency"] == first.json()["urgency"] == critical["urgency"]

    assert critical["ack_due_at"].startswith((START + timedelta(hours=4)).strftime("%Y-%m-%dT%H"))
    assert plain["ack_due_at"].startswith((START + timedelta(days=3)).strftime("%Y-%m-%d"))
    with factory() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == critical["number"])).one()
        assert (ticket.urgency, ticket.urgency_reasons) == ("critical", "self_harm")
        alerted = {
            int(n.channel_user_id)
            for n in session.scalars(
                select(Notification).where(
                    Notification.ticket_id == ticket.id, Notification.kind == "critical"
                )
            )
        }
        assert alerted == {officers.ids["head"], officers.ids["boss"]}
        plain_row = session.scalars(select(Ticket).where(Ticket.number == plain["number"])).one()
        assert plain_row.urgency == "normal"
        assert not session.scalars(
            select(Notification).where(
                Notification.ticket_id == plain_row.id, Notification.kind == "critical"
            )
        ).all()
    detail = client.get(f"/admin/v1/tickets/{critical['number']}", headers=officers.headers("head"))
    assert detail.json()["urgency"] == {"level": "critical", "reasons": ["self_harm"]}


def test_urgent_deadlines_never_lengthen_the_acknowledgement() -> None:
    due = deadlines(START, 3, 7)
    assert urgent_deadlines(START, due, 4).ack_due_at == START + timedelta(hours=4)
    assert urgent_deadlines(START, due, 4).resolve_due_at == due.resolve_due_at
    assert urgent_deadlines(START, deadlines(START, 1, 7), 48).ack_due_at == START + timedelta(1)
    assert load_directory().critical_ack_hours == 4


def test_queue_and_dashboard_put_critical_then_high_first_with_a_badge(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    head = officers.add("head", "MSEFC-MH", role="head")
    plain = filed(client, service_headers, description=PLAIN)["number"]
    high = filed(client, service_headers, description=WAGES, channel_user_id="2")["number"]
    critical = filed(client, service_headers, description=SELF_HARM, channel_user_id="3")["number"]
    queue = client.get("/admin/v1/tickets", headers=head).json()["tickets"]
    assert [t["number"] for t in queue] == [critical, high, plain]
    assert [t["urgency"] for t in queue] == ["critical", "high", "normal"]

    sign_in(client, officers, "head")
    page = client.get("/dashboard/").text
    assert page.index(critical) < page.index(high) < page.index(plain)
    assert 'class="badge urgency-critical"' in page and 'class="badge urgency-high"' in page
    ticket_page = client.get(f"/dashboard/tickets/{critical}").text
    assert "Self-harm or suicidal thoughts" in ticket_page


def test_analytics_count_urgent_tickets_by_month_state_and_category(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    boss = officers.add("boss", "MINISTRY-LEADERSHIP", role="leadership")
    filed(client, service_headers, description=SELF_HARM)
    filed(client, service_headers, description=WAGES, channel_user_id="2")
    filed(client, service_headers, description=PLAIN, channel_user_id="3")
    filed(client, service_headers, description=PLAIN, channel_user_id="4", state="Kerala")
    table = client.get("/admin/v1/stats", headers=boss).json()["tables"][
        "urgency_by_state_category"
    ]
    assert table["columns"] == ["month", "state", "category", "critical", "high", "tickets"]
    assert table["rows"] == [["2026-11", "Maharashtra", "delayed_payment", 1, 1, 3]]
    csv = client.get("/admin/v1/stats/urgency_by_state_category.csv", headers=boss)
    assert csv.status_code == 200 and "Maharashtra" in csv.text


def test_a_later_message_raises_the_ticket_never_lowers_it(
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
    officers: Officers,
) -> None:
    """Said after filing (or elsewhere in the chat, written on the ticket by the assistant):
    the ticket turns critical, its clock shortens and the heads and leadership are told."""
    officers.add("dealing", "MSEFC-MH")
    officers.add("head", "MSEFC-MH", role="head")
    officers.add("boss", "MINISTRY-LEADERSHIP", role="leadership")
    ticket = filed(client, service_headers, description=PLAIN)
    assert ticket["urgency"]["level"] == "normal"
    who = {"channel": "telegram", "channel_user_id": "5550001"}

    def write(text: str) -> None:
        response = client.post(
            f"/api/v1/tickets/{ticket['number']}/messages",
            json={**who, "text": text},
            headers=service_headers,
        )
        assert response.status_code == 201, response.text

    def stored() -> tuple[Ticket, set[int]]:
        with factory() as session:
            row = session.scalars(select(Ticket).where(Ticket.number == ticket["number"])).one()
            alerted = {
                int(n.channel_user_id)
                for n in session.scalars(
                    select(Notification).where(
                        Notification.ticket_id == row.id, Notification.kind == "critical"
                    )
                )
            }
            return row, alerted

    write("Any update please? The invoice copy is attached.")
    row, alerted = stored()
    assert (row.urgency, alerted) == ("normal", set())
    write("We have not paid our workers' wages for three months now.")
    row, alerted = stored()
    assert (row.urgency, row.urgency_reasons, alerted) == ("high", "wages_unpaid", set())
    write("I have written letters for my children. I cannot go on after tonight.")
    row, alerted = stored()
    assert row.urgency == "critical" and row.urgency_reasons.startswith("self_harm")
    assert "wages_unpaid" in row.urgency_reasons
    # The dealing officer too: the ticket is already theirs.
    assert alerted == {officers.ids["dealing"], officers.ids["head"], officers.ids["boss"]}
    assert row.ack_due_at <= START + timedelta(hours=4)  # the short clock, from the message
    write("Thank you, the officer called me.")
    assert stored()[0].urgency == "critical"  # never lowered
