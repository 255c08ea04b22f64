from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from rasa_sdk.executor import CollectingDispatcher

from actions import backend_client
from actions.grievance import ActionCancelGrievance, ActionStartGrievance, ActionSubmitGrievance
from actions.grievance_fields import GRIEVANCE_FIELDS
from tests.actions.conftest import (
    DEPARTMENT,
    FILLED,
    buttons,
    make_tracker,
    slot_events,
    texts,
)

CONFIRMED = {**FILLED, "confirmed": True}
CREATED = {
    "number": "MS-CZ6EP3-5",
    "status": "routed",
    "department": DEPARTMENT,
    "ack_due_at": "2026-11-29T10:00:00Z",
    "resolve_due_at": "2026-12-03T10:00:00Z",
}


async def test_start_makes_a_fresh_key_and_clears_old_answers(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get("/api/v1/tickets").respond(200, json=[])
    tracker = make_tracker(
        text="I want to complain, my number is 98765 43210",
        intent="file_grievance",
        entities={"mobile": "98765 43210"},
        slots={**FILLED, "idempotency_key": "old"},
    )
    slots = slot_events(await ActionStartGrievance().run(dispatcher, tracker, domain))
    assert slots["mobile"] == "+919876543210"
    assert all(slots[field] is None for field in GRIEVANCE_FIELDS if field != "mobile")
    assert slots["idempotency_key"] not in (None, "old") and len(slots["idempotency_key"]) == 32


async def test_start_keeps_a_state_named_in_the_opening_message(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get("/api/v1/tickets").respond(200, json=[])
    backend.post("/api/v1/route/preview").respond(503)
    tracker = make_tracker(text="complaint from Gujarat about payment", intent="file_grievance")
    slots = slot_events(await ActionStartGrievance().run(dispatcher, tracker, domain))
    assert slots["state"] == "Gujarat"


async def test_submit_sends_the_ticket_and_promises_the_deadlines(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post("/api/v1/tickets").respond(201, json=CREATED)
    tracker = make_tracker(
        slots={**CONFIRMED, "idempotency_key": "k-1", "language": "hinglish"},
        sender="wa:+919812345678",
    )
    events = await ActionSubmitGrievance().run(dispatcher, tracker, domain)
    assert json.loads(route.calls.last.request.content) == {
        "idempotency_key": "k-1",
        "channel": "whatsapp",
        "channel_user_id": "+919812345678",
        **FILLED,
        "udyam_number": None,
        "language": "hinglish",
    }
    text = texts(dispatcher)[0]
    assert "MS-CZ6EP3-5" in text and "3 din" in text and "7 din" in text
    slots = slot_events(events)
    assert slots["last_ticket"] == "MS-CZ6EP3-5"
    assert slots["idempotency_key"] is None and slots["confirmation"] is None
    assert all(slots[field] is None for field in GRIEVANCE_FIELDS)


async def test_backend_down_keeps_the_answers_and_a_retry_files_exactly_one_ticket(
    domain: dict[str, Any], backend: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend_client, "CONNECT_RETRY_DELAYS", (0.0, 0.0))
    route = backend.post("/api/v1/tickets")
    # Down for the create and its automatic retries: the user is told it is not filed.
    route.side_effect = [
        httpx.ConnectError("backend down"),
        httpx.ConnectError("backend still down"),
        httpx.ConnectError("backend still down"),
        httpx.Response(201, json=CREATED),
    ]
    tracker = make_tracker(slots={**CONFIRMED, "idempotency_key": "k-42"})

    first = CollectingDispatcher()
    events = await ActionSubmitGrievance().run(first, tracker, domain)
    assert "NOT filed" in texts(first)[0]
    assert [b["payload"] for b in buttons(first)] == ["/retry", "/cancel"]
    kept = slot_events(events)
    assert not any(field in kept for field in GRIEVANCE_FIELDS)  # nothing was cleared
    assert kept == {"confirmation": "submit"}

    second = CollectingDispatcher()
    await ActionSubmitGrievance().run(second, tracker, domain)
    assert "MS-CZ6EP3-5" in texts(second)[0]
    keys = [json.loads(call.request.content)["idempotency_key"] for call in route.calls]
    assert keys == ["k-42"] * 4


async def test_submit_without_a_key_makes_one_and_keeps_it_for_the_retry(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.post("/api/v1/tickets").respond(503)
    events = await ActionSubmitGrievance().run(dispatcher, make_tracker(slots=CONFIRMED), domain)
    assert len(slot_events(events)["idempotency_key"]) == 32


async def test_refused_ticket_says_why_and_asks_that_field_again(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.post("/api/v1/tickets").respond(
        422, json={"detail": [{"loc": ["body", "district"], "msg": "unknown district"}]}
    )
    tracker = make_tracker(slots={**CONFIRMED, "idempotency_key": "k"})
    events = await ActionSubmitGrievance().run(dispatcher, tracker, domain)
    assert "district: unknown district" in texts(dispatcher)[0]
    slots = slot_events(events)
    assert slots["district"] is None and slots["requested_slot"] == "district"
    assert any(e.get("event") == "followup" and e["name"] == "grievance_form" for e in events)


async def test_submit_never_files_a_missing_or_placeholder_answer(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post("/api/v1/tickets").respond(201, json=CREATED)
    for broken in ({}, {**CONFIRMED, "name": "None"}, {**CONFIRMED, "district": " "}):
        events = await ActionSubmitGrievance().run(dispatcher, make_tracker(slots=broken), domain)
        assert not route.called
        if broken:  # confirmed: back to the form at the missing answer
            assert slot_events(events)["requested_slot"] in ("name", "district")


async def test_a_stopped_form_files_nothing_and_says_nothing(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post("/api/v1/tickets").respond(201, json=CREATED)
    assert await ActionSubmitGrievance().run(dispatcher, make_tracker(slots=FILLED), domain) == []
    assert not route.called and texts(dispatcher) == []


async def test_cancel_discards_everything(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(slots={**FILLED, "idempotency_key": "k"})
    slots = slot_events(await ActionCancelGrievance().run(dispatcher, tracker, domain))
    assert all(slots[field] is None for field in GRIEVANCE_FIELDS)
    assert slots["idempotency_key"] is None
    assert "Nothing was filed" in texts(dispatcher)[0]


async def test_a_create_that_times_out_is_retried_once_and_confirmed_once(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    # The first answer is lost (the backend may have made the ticket); the retry carries the
    # same idempotency key, so the backend hands back that one ticket.
    route = backend.post("/api/v1/tickets")
    route.side_effect = [httpx.ReadTimeout("slow backend"), httpx.Response(201, json=CREATED)]
    tracker = make_tracker(
        slots={**CONFIRMED, "idempotency_key": "k-7"}, metadata={"request_id": "gw-turn-1"}
    )
    events = await ActionSubmitGrievance().run(dispatcher, tracker, domain)
    assert route.call_count == 2
    keys = [json.loads(call.request.content)["idempotency_key"] for call in route.calls]
    assert keys == ["k-7", "k-7"]
    assert [call.request.headers["X-Request-ID"] for call in route.calls] == ["gw-turn-1"] * 2
    assert len(dispatcher.messages) == 1 and "MS-CZ6EP3-5" in texts(dispatcher)[0]
    assert "NOT filed" not in texts(dispatcher)[0]
    assert slot_events(events)["last_ticket"] == "MS-CZ6EP3-5"


async def test_changed_answers_after_a_lost_submit_are_filed_under_a_new_key(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    """A submit timed out but was filed; the person changed an answer and submits again: the
    backend refuses the old key with another body (409), so the changed filing gets its own
    key and the earlier ticket is named as a possible duplicate."""
    route = backend.post("/api/v1/tickets")
    route.side_effect = [
        httpx.Response(409, json={"detail": "key reused", "code": "idempotency_key_reused"}),
        httpx.Response(201, json={**CREATED, "duplicate_of": "MS-AAAAAA-1"}),
    ]
    tracker = make_tracker(slots={**CONFIRMED, "name": "Ramesh K.", "idempotency_key": "k-9"})
    events = await ActionSubmitGrievance().run(dispatcher, tracker, domain)
    keys = [json.loads(call.request.content)["idempotency_key"] for call in route.calls]
    assert keys[0] == "k-9" and keys[1] != "k-9" and len(keys[1]) == 32
    assert all(json.loads(call.request.content)["name"] == "Ramesh K." for call in route.calls)
    said = "\n".join(texts(dispatcher))
    assert "MS-CZ6EP3-5" in said and "MS-AAAAAA-1" in said
    assert slot_events(events)["last_ticket"] == "MS-CZ6EP3-5"
