from __future__ import annotations

import json
from typing import Any

import respx
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import (
    ActionKeepClosed,
    ActionPrepareFollowup,
    ActionReopenTicket,
    ActionSendOfficerReply,
    ActionSubmitFeedback,
)
from tests.actions.conftest import buttons, make_tracker, slot_events, texts

VALID = "MS-CZ6EP3-5"


async def test_prepare_takes_the_ticket_named_in_the_message(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        text="reopen ms-cz6ep3-5", intent="reopen", entities={"ticket_number": "ms-cz6ep3-5"}
    )
    slots = slot_events(await ActionPrepareFollowup().run(dispatcher, tracker, domain))
    assert slots["followup_ticket"] == VALID
    assert slots["feedback_reopen"] is True


async def test_prepare_picks_the_only_ticket_waiting_for_information(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get("/api/v1/tickets").respond(
        200,
        json=[{"number": VALID, "status": "awaiting_info"},
              {"number": "MS-4VK5DM-J", "status": "resolved"}],
    )  # fmt: skip
    tracker = make_tracker(text="reply to the officer", intent="provide_info")
    slots = slot_events(await ActionPrepareFollowup().run(dispatcher, tracker, domain))
    assert slots["followup_ticket"] == VALID
    assert slots["feedback_reopen"] is None


async def test_prepare_leaves_the_ticket_open_when_unsure(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get("/api/v1/tickets").respond(
        200,
        json=[{"number": VALID, "status": "resolved"},
              {"number": "MS-4VK5DM-J", "status": "resolved"}],
    )  # fmt: skip
    tracker = make_tracker(text="rate", intent="rate", entities={"rating": "4 stars"})
    slots = slot_events(await ActionPrepareFollowup().run(dispatcher, tracker, domain))
    assert slots["followup_ticket"] is None
    assert slots["feedback_rating"] == 4.0


async def test_reply_goes_to_the_officer(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post(f"/api/v1/tickets/{VALID}/messages").respond(201, json={})
    tracker = make_tracker(
        slots={"followup_ticket": VALID, "reply_text": "Invoice 4512 dated 3 March"},
        sender="web:abc",
    )
    events = await ActionSendOfficerReply().run(dispatcher, tracker, domain)
    assert json.loads(route.calls.last.request.content) == {
        "channel": "web",
        "channel_user_id": "abc",
        "text": "Invoice 4512 dated 3 March",
    }
    assert VALID in texts(dispatcher)[0]
    assert slot_events(events)["reply_text"] is None


async def test_reply_on_someone_elses_ticket_is_refused_politely(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.post(f"/api/v1/tickets/{VALID}/messages").respond(403, json={"detail": "not owner"})
    tracker = make_tracker(slots={"followup_ticket": VALID, "reply_text": "hello officer"})
    await ActionSendOfficerReply().run(dispatcher, tracker, domain)
    assert "was not filed from this chat" in texts(dispatcher)[0]


async def test_a_good_rating_is_sent_at_once(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post(f"/api/v1/tickets/{VALID}/feedback").respond(200, json={})
    tracker = make_tracker(slots={"followup_ticket": VALID, "feedback_rating": 5.0})
    await ActionSubmitFeedback().run(dispatcher, tracker, domain)
    body = json.loads(route.calls.last.request.content)
    assert body == {"channel": "telegram", "channel_user_id": "12345", "rating": 5,
                    "reopen": False}  # fmt: skip
    assert "(5/5)" in texts(dispatcher)[0]


async def test_a_low_rating_offers_to_reopen_before_sending_anything(
    domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post(f"/api/v1/tickets/{VALID}/feedback").respond(200, json={})
    low = {"followup_ticket": VALID, "feedback_rating": 1.0}
    offer = CollectingDispatcher()
    events = await ActionSubmitFeedback().run(offer, make_tracker(slots=low), domain)
    assert not route.called
    assert slot_events(events) == {"confirmation": "reopen"}
    assert [b["payload"] for b in buttons(offer)] == ["/affirm", "/deny"]

    reopened = CollectingDispatcher()
    pending = make_tracker(slots={**low, "confirmation": "reopen"})
    await ActionReopenTicket().run(reopened, pending, domain)
    assert json.loads(route.calls.last.request.content)["reopen"] is True
    assert "reopened" in texts(reopened)[1]

    kept = CollectingDispatcher()
    await ActionKeepClosed().run(kept, pending, domain)
    assert json.loads(route.calls.last.request.content)["reopen"] is False
    assert "stays closed" in texts(kept)[1]
    assert route.call_count == 2


async def test_reopen_outside_the_window_says_why(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.post(f"/api/v1/tickets/{VALID}/feedback").respond(
        409, json={"detail": "the reopen window has closed"}
    )
    tracker = make_tracker(
        slots={"followup_ticket": VALID, "feedback_rating": 1.0, "feedback_reopen": True}
    )
    await ActionSubmitFeedback().run(dispatcher, tracker, domain)
    assert "the reopen window has closed" in texts(dispatcher)[0]
