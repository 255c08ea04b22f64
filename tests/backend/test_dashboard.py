"""The dashboard's pages (``backend/dashboard/routes.py``): the queue, a ticket's page and
actions, leadership, analytics, scoping. Signing in: ``test_dashboard_signin.py``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Ticket, TicketEvent
from tests.backend.conftest import Clock, Officers, csrf_of, file, sign_in


def test_queue_is_scoped_sorted_and_filtered(
    client: TestClient, service_headers: dict[str, str], officers: Officers, clock: Clock
) -> None:
    officers.add("asha", "MSEFC-MH")
    mumbai = file(client, service_headers)
    clock.advance(hours=1)
    later = file(
        client,
        service_headers,
        channel_user_id="42",
        district="Nagpur",
        description="Payment of Rs 4 lakh pending from a PSU for six months now.",
    )
    gujarat = file(client, service_headers, state="Gujarat", channel_user_id="7")
    sign_in(client, officers, "asha")
    page = client.get("/dashboard/").text
    assert mumbai in page and later in page and gujarat not in page
    assert page.index(mumbai) < page.index(later)  # the earliest due first
    assert "ack in 2d" in page
    filtered = client.get("/dashboard/", params={"state": "Maharashtra", "status": "routed"}).text
    assert mumbai in filtered
    assert gujarat not in client.get("/dashboard/", params={"state": "Gujarat"}).text
    clock.advance(days=4)
    # Sessions last 12 hours: four days later the officer signs in again.
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303
    sign_in(client, officers, "asha")
    overdue = client.get("/dashboard/", params={"overdue": "1"}).text
    assert mumbai in overdue and "ack overdue" in overdue
    # An officer cannot widen the scope by asking for another department.
    assert gujarat not in client.get("/dashboard/", params={"department": "MSEFC-GJ"}).text


def test_search_by_number(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    sign_in(client, officers, "asha")
    found = client.get("/dashboard/", params={"q": number.lower()}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == f"/dashboard/tickets/{number}"
    typo = number[:-1] + ("A" if number[-1] != "A" else "B")
    wrong = client.get("/dashboard/", params={"q": typo})
    assert wrong.status_code == 422 and "not a valid ticket number" in wrong.text


def test_officer_acknowledges_and_replies_with_csrf(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    sign_in(client, officers, "asha")
    page = client.get(f"/dashboard/tickets/{number}")
    assert page.status_code == 200 and "Meena Textiles" in page.text
    assert "invoice 113" in page.text and "Acknowledge" in page.text
    token = csrf_of(page.text)
    # No CSRF token: refused, nothing changes.
    assert client.post(f"/dashboard/tickets/{number}/acknowledge", data={}).status_code == 403
    done = client.post(
        f"/dashboard/tickets/{number}/acknowledge", data={"csrf": token}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/dashboard/tickets/{number}?done=acknowledge"
    page = client.get(done.headers["location"]).text
    assert "Done: Acknowledge." in page and "routed → acknowledged" in page
    empty = client.post(f"/dashboard/tickets/{number}/reply", data={"csrf": token, "note": " "})
    assert empty.status_code == 422 and "reply needs a text" in empty.text
    reply = client.post(
        f"/dashboard/tickets/{number}/reply",
        data={"csrf": token, "note": "We have written to the buyer."},
    )
    assert reply.status_code == 200 and "We have written to the buyer." in reply.text
    again = client.post(f"/dashboard/tickets/{number}/acknowledge", data={"csrf": token})
    assert again.status_code == 409 and "cannot acknowledge" in again.text
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        actions = [
            e.action
            for e in session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.id)
            )
        ]
    assert ticket.status == "in_progress"
    assert actions == ["create", "route", "acknowledge", "reply"]


def test_other_department_cannot_open_or_act(
    client: TestClient,
    service_headers: dict[str, str],
    officers: Officers,
    factory: sessionmaker[Session],
) -> None:
    officers.add("ravi", "KVIC")
    number = file(client, service_headers)
    sign_in(client, officers, "ravi")
    page = client.get(f"/dashboard/tickets/{number}")
    assert page.status_code == 403 and "another department" in page.text
    assert "Meena" not in page.text
    token = csrf_of(client.get("/dashboard/").text)
    acted = client.post(f"/dashboard/tickets/{number}/acknowledge", data={"csrf": token})
    assert acted.status_code == 403
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        denied = session.scalars(select(TicketEvent).where(TicketEvent.action == "denied")).all()
    assert ticket.status == "routed" and len(denied) == 2


def test_transfer_needs_a_department_and_moves_the_ticket(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officers.add("asha", "MSEFC-MH")
    number = file(client, service_headers)
    sign_in(client, officers, "asha")
    token = csrf_of(client.get(f"/dashboard/tickets/{number}").text)
    missing = client.post(
        f"/dashboard/tickets/{number}/transfer", data={"csrf": token, "note": "raw material"}
    )
    assert missing.status_code == 422 and "target" in missing.text
    assert "raw material" in missing.text  # the typed reason is kept
    moved = client.post(
        f"/dashboard/tickets/{number}/transfer",
        data={"csrf": token, "note": "raw material", "department": "NSIC"},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    # Now NSIC's: Asha no longer sees it.
    assert client.get(moved.headers["location"]).status_code == 403


def test_leadership_sees_escalated_and_overdue_across_departments(
    client: TestClient, service_headers: dict[str, str], officers: Officers, clock: Clock
) -> None:
    officers.add("asha", "MSEFC-MH")
    officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    late = file(client, service_headers)
    clock.advance(days=4)
    fresh = file(client, service_headers, state="Gujarat", channel_user_id="9")
    sign_in(client, officers, "director")
    page = client.get("/dashboard/leadership").text
    assert late in page and fresh not in page and "MSEFC-MH" in page
    client.cookies.clear()
    sign_in(client, officers, "asha")
    own = client.get("/dashboard/leadership").text
    assert late in own and "in MSEFC-MH" in own


def test_duplicate_link_is_shown(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officers.add("asha", "MSEFC-MH")
    original = file(client, service_headers)
    again = file(client, service_headers)
    sign_in(client, officers, "asha")
    assert (
        f'Possible duplicate of <a href="/dashboard/tickets/{original}"'
        in client.get(f"/dashboard/tickets/{again}").text
    )
    assert (
        f'Re-filed as: <a href="/dashboard/tickets/{again}"'
        in client.get(f"/dashboard/tickets/{original}").text
    )


def test_analytics_page_and_csv_are_scoped(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officers.add("asha", "MSEFC-MH")
    officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    file(client, service_headers)
    file(client, service_headers, state="Gujarat", channel_user_id="9")
    sign_in(client, officers, "asha")
    page = client.get("/dashboard/analytics")
    assert page.status_code == 200 and "<svg" in page.text and "MSEFC-MH" in page.text
    assert "<b>1</b> tickets" in page.text and "Gujarat" not in page.text
    assert client.get("/dashboard/analytics?department=MSEFC-GJ").status_code == 403
    export = client.get("/dashboard/analytics/by_department_status.csv")
    assert export.text == "department,status,tickets\nMSEFC-MH,routed,1\n"
    client.cookies.clear()
    sign_in(client, officers, "director")
    everything = client.get("/dashboard/analytics").text
    assert "<b>2</b> tickets" in everything and "Gujarat" in everything
