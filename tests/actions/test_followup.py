from __future__ import annotations

import json
from typing import Any

import pytest
import respx
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import (
    ActionFreeMessage,
    ActionPrepareFollowup,
    ActionSendOfficerReply,
    ActionSubmitFeedback,
)
from actions.forms import ValidateFeedbackForm
from tests.actions.conftest import make_tracker, slot_events, texts

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
        "language": "en",  # the conversation's: later notifications follow it
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
                    "reopen": False, "language": "en"}  # fmt: skip
    assert "(5/5)" in texts(dispatcher)[0]


@pytest.mark.parametrize(
    ("typed", "reopen"),
    [("Keep closed", False), ("/deny", False), ("band rehne do", False), ("नहीं", False),
     ("Reopen", True), ("/affirm", True), ("haan", True), ("दोबारा खोलें", True), ("2", None)],
)  # fmt: skip
async def test_after_a_low_rating_the_reopen_question_reads_the_answer_in_context(
    domain: dict[str, Any], typed: str, reopen: bool | None
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=typed,
        intent="cancel" if typed == "Keep closed" else "rate",
        slots={
            "followup_ticket": VALID,
            "feedback_rating": 2.0,
            "requested_slot": "feedback_reopen",
        },
        active_loop="feedback_form",
    )
    slots = slot_events(await ValidateFeedbackForm().run(dispatcher, tracker, domain))
    assert slots.get("feedback_reopen") == reopen
    assert slots.get("feedback_rating", 2.0) == 2.0  # "2" here is no new rating
    expected_next = {True: "reopen_reason", False: None, None: "feedback_reopen"}[reopen]
    # With every question of the form required, rasa-sdk leaves the next one to Rasa's form.
    assert slots.get("requested_slot", "reopen_reason") == expected_next


async def test_a_low_rating_with_reopen_sends_the_reason_once(
    domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post(f"/api/v1/tickets/{VALID}/feedback").respond(200, json={})
    slots = {
        "followup_ticket": VALID,
        "feedback_rating": 1.0,
        "feedback_reopen": True,
        "reopen_reason": "The buyer still has not paid",
    }
    dispatcher = CollectingDispatcher()
    await ActionSubmitFeedback().run(dispatcher, make_tracker(slots=slots), domain)
    sent = json.loads(route.calls.last.request.content)
    assert sent["reopen"] is True and sent["comment"] == "The buyer still has not paid"
    assert "reopened" in texts(dispatcher)[1] and route.call_count == 1


async def test_a_stopped_rating_sends_nothing(
    domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post(f"/api/v1/tickets/{VALID}/feedback").respond(200, json={})
    dispatcher = CollectingDispatcher()
    await ActionSubmitFeedback().run(dispatcher, make_tracker(slots={}), domain)
    assert not route.called and texts(dispatcher) == []


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


async def test_a_final_ticket_is_said_plainly_not_with_the_backends_words(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.post(f"/api/v1/tickets/{VALID}/feedback").respond(
        409,
        json={
            "detail": "cannot give feedback on a rejected ticket; allowed actions: none",
            "code": "ticket_final",
            "status": "rejected",
        },
    )
    tracker = make_tracker(
        slots={"followup_ticket": VALID, "feedback_rating": 1.0, "feedback_reopen": True}
    )
    await ActionSubmitFeedback().run(dispatcher, tracker, domain)
    said = texts(dispatcher)[0]
    assert "final" in said and "allowed actions" not in said and "new complaint" in said


@pytest.mark.parametrize(
    ("tickets", "sent_to"),
    [
        # A request for information waits: the next message answers it.
        ([{"number": VALID, "status": "awaiting_info", "officer_question": "Which invoice?"}],
         VALID),
        # An officer's reply still unanswered ("... Are you OK with that?"): the same.
        ([{"number": VALID, "status": "in_progress",
           "officer_reply_unanswered": "They will pay by 31 December. OK?"}], VALID),
        # Nothing waits: the message is not sent anywhere.
        ([{"number": VALID, "status": "in_progress"}], None),
    ],
)  # fmt: skip
async def test_a_free_message_answers_the_officer_who_waits(
    domain: dict[str, Any],
    backend: respx.MockRouter,
    tickets: list[dict[str, Any]],
    sent_to: str | None,
) -> None:
    backend.get("/api/v1/tickets").respond(200, json={"tickets": tickets})
    route = backend.post(f"/api/v1/tickets/{VALID}/messages").respond(201, json={})
    text = "No, they have been promising for 3 months"
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=text, intent="deny")
    await ActionFreeMessage().run(dispatcher, tracker, domain)
    if sent_to:
        assert json.loads(route.calls.last.request.content)["text"] == text
        assert VALID in texts(dispatcher)[0] and text in texts(dispatcher)[0]
    else:
        assert not route.called
