from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionCheckStatus, ActionListMyTickets
from tests.actions.conftest import make_tracker, slot_events, texts

VALID = "MS-CZ6EP3-5"  # from tests/fixtures/ticket_numbers.txt
MISTYPED = "MS-CZ6EP3-6"


async def test_status_for_the_owner_with_department_and_due_date(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.get(f"/api/v1/tickets/{VALID}").respond(
        200,
        json={
            "number": VALID,
            "status": "in_progress",
            "department": {"code": "DFO-MH", "name": "MSME-DFO Mumbai"},
            "resolve_due_at": "2026-12-03T10:00:00+00:00",
            "last_reply": "Please send the invoice copy.",
            "is_owner": True,
        },
    )
    tracker = make_tracker(
        text="status of ms cz6ep3 5",
        intent="check_status",
        entities={"ticket_number": "ms cz6ep3 5"},
        sender="tg:777",
    )
    events = await ActionCheckStatus().run(dispatcher, tracker, domain)
    params = dict(route.calls.last.request.url.params)
    assert params == {"channel": "telegram", "channel_user_id": "777"}
    assert texts(dispatcher) == [
        f"Ticket {VALID}: being worked on.\nWith: MSME-DFO Mumbai.\n"
        "Due to be concluded by 3 Dec 2026.\nOfficer's last message: Please send the invoice copy."
    ]
    assert slot_events(events) == {"last_ticket": VALID}


async def test_anyone_else_sees_only_the_status_in_their_language(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get(f"/api/v1/tickets/{VALID}").respond(200, json={"status": "awaiting_info"})
    tracker = make_tracker(
        text=VALID, entities={"ticket_number": VALID}, slots={"language": "hi"}, sender="web:abc"
    )
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(f"टिकट {VALID}: आपसे जानकारी का इंतज़ार।")


async def test_a_mistyped_number_is_caught_without_asking_the_backend(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.get(url__regex=r"/api/v1/tickets/.*").respond(200, json={})
    tracker = make_tracker(text=MISTYPED, entities={"ticket_number": MISTYPED})
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert not route.called
    assert "looks mistyped" in texts(dispatcher)[0]


async def test_no_number_asks_for_it(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await ActionCheckStatus().run(dispatcher, make_tracker(text="check status"), domain)
    assert "MS-ABC234-X" in texts(dispatcher)[0]


async def test_unknown_number_and_backend_down(
    domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.get(f"/api/v1/tickets/{VALID}")
    route.side_effect = [httpx.Response(404, json={"detail": "not found"}),
                         httpx.ConnectTimeout("slow")]  # fmt: skip
    tracker = make_tracker(text=VALID, entities={"ticket_number": VALID})
    first, second = CollectingDispatcher(), CollectingDispatcher()
    await ActionCheckStatus().run(first, tracker, domain)
    await ActionCheckStatus().run(second, tracker, domain)
    assert "couldn't find a ticket" in texts(first)[0]
    assert "can't reach the complaint system" in texts(second)[0]


async def test_my_tickets_lists_the_callers_tickets(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.get("/api/v1/tickets").respond(
        200,
        json=[{"number": VALID, "status": "resolved"}, {"number": "MS-4VK5DM-J", "status": "new"}],
    )
    tracker = make_tracker(text="my complaints", intent="my_tickets", sender="wa:+919812345678")
    await ActionListMyTickets().run(dispatcher, tracker, domain)
    assert dict(route.calls.last.request.url.params) == {
        "channel": "whatsapp",
        "channel_user_id": "+919812345678",
    }
    assert texts(dispatcher) == [f"Your complaints:\n{VALID}: resolved\nMS-4VK5DM-J: received"]


async def test_my_tickets_when_there_are_none(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get("/api/v1/tickets").respond(200, json={"tickets": []})
    await ActionListMyTickets().run(
        dispatcher, make_tracker(slots={"language": "hinglish"}), domain
    )
    assert texts(dispatcher) == ["Is chat se aapki koi complaint abhi tak darj nahi hai."]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/file_grievance"


@pytest.mark.parametrize(
    ("ticket", "said", "not_said"),
    [
        ({"status": "awaiting_info", "officer_question": "Send the invoice number."},
         ["The officer asked: Send the invoice number.", "Write your answer here"], []),
        ({"status": "resolved", "resolution": "The buyer paid on 2 Dec.",
          "last_reply": "We wrote to the buyer."},
         ["Resolution: The buyer paid on 2 Dec.", "rate it or ask to reopen"],
         ["We wrote to the buyer."]),
        ({"status": "rejected", "rejection_reason": "Not an MSME matter."},
         ["Reason: Not an MSME matter."], ["reopen"]),
    ],
)  # fmt: skip
async def test_status_says_what_the_officer_asked_or_decided(
    domain: dict[str, Any],
    backend: respx.MockRouter,
    ticket: dict[str, Any],
    said: list[str],
    not_said: list[str],
) -> None:
    backend.get(f"/api/v1/tickets/{VALID}").respond(200, json={**ticket, "is_owner": True})
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=f"status {VALID}", entities={"ticket_number": VALID})
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    text = texts(dispatcher)[0]
    assert all(part in text for part in said), text
    assert not any(part in text for part in not_said), text


async def test_a_stranger_is_not_offered_to_rate_or_reopen(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get(f"/api/v1/tickets/{VALID}").respond(
        200, json={"status": "resolved", "is_owner": False}
    )
    tracker = make_tracker(text=f"status {VALID}", entities={"ticket_number": VALID})
    await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == [f"Ticket {VALID}: resolved."]


async def test_status_without_a_number_tells_the_latest_ticket_and_lists_the_others(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    other = "MS-GNB45J-R"
    backend.get("/api/v1/tickets").respond(
        200, json=[{"number": VALID, "status": "routed"}, {"number": other, "status": "closed"}]
    )
    backend.get(f"/api/v1/tickets/{VALID}").respond(
        200, json={"status": "routed", "is_owner": True}
    )
    tracker = make_tracker(text="what is the status of my complaint", intent="check_status")
    events = await ActionCheckStatus().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[0].startswith(f"Ticket {VALID}: sent to the department.")
    assert dispatcher.messages[1]["buttons"] == [{"title": other, "payload": f"status {other}"}]
    assert slot_events(events) == {"last_ticket": VALID}
