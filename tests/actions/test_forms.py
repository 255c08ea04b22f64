from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.filing import ValidateGrievanceForm
from actions.forms import AskUdyamNumber, ValidateFeedbackForm, ValidateReplyForm, parse_rating
from tests.actions.conftest import buttons, make_tracker, slot_events, texts


async def _validate(
    domain: dict[str, Any],
    slot: str,
    value: Any,
    language: str = "en",
    failures: float = 0.0,
    form: Any = None,
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    grievance = form is None
    tracker = make_tracker(
        text=str(value),
        slots={"requested_slot": slot, "language": language, "failed_attempts": failures},
        set_this_turn=None if grievance else {slot: value},
        active_loop="grievance_form" if grievance else None,
    )
    events = await (form or ValidateGrievanceForm()).run(dispatcher, tracker, domain)
    return slot_events(events), dispatcher


@pytest.mark.parametrize(
    ("slot", "typed", "stored"),
    [
        ("name", "my name is ramesh kumar", "Ramesh Kumar"),
        ("mobile", "+91 98765-43210", "+919876543210"),
        ("enterprise_name", "Shree Ganesh Textiles", "Shree Ganesh Textiles"),
        ("udyam_number", "udyam mh 12 0001234", "UDYAM-MH-12-0001234"),
        ("udyam_number", "none", "none"),
        ("udyam_number", "I don't have one", "none"),
        ("state", "maharastra", "Maharashtra"),
        ("state", "उत्तर प्रदेश", "Uttar Pradesh"),
        ("district", "Pune district", "Pune"),
        ("category", "delayed_payment", "delayed_payment"),
        ("category", "bank loan", "finance_credit"),
        ("description", "The PSU has not paid my invoice since March", None),
    ],
)
async def test_valid_answers_are_stored_normalised(
    domain: dict[str, Any], slot: str, typed: str, stored: str | None
) -> None:
    slots, dispatcher = await _validate(domain, slot, typed)
    assert slots[slot] == (stored or typed)
    assert slots["failed_attempts"] == 0.0
    if slot == "district":  # a district names its state, and says so
        assert slots["state"] == "Maharashtra" and "Maharashtra" in texts(dispatcher)[0]
    else:
        assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("slot", "typed", "hint"),
    [
        ("mobile", "12345", "98765 43210"),
        ("udyam_number", "UDYAM-12", "UDYAM-MH-12-0001234"),
        ("state", "Narnia", "state or UT name"),
        ("district", "411001", "district name"),
        ("category", "something", "1-16"),
        ("description", "not paid", "at least 20 characters"),
        ("name", "12345", "Ramesh Kumar"),
    ],
)
async def test_invalid_answers_are_asked_again_with_the_expected_format(
    domain: dict[str, Any], slot: str, typed: str, hint: str
) -> None:
    slots, dispatcher = await _validate(domain, slot, typed)
    assert slots.get(slot) is None
    assert slots["failed_attempts"] == 1.0
    assert hint in texts(dispatcher)[0]


async def test_invalid_answer_in_hindi(domain: dict[str, Any]) -> None:
    _, dispatcher = await _validate(domain, "mobile", "123", language="hi")
    assert "मोबाइल" in texts(dispatcher)[0]


async def test_third_failure_on_an_optional_question_offers_skip_or_stop(
    domain: dict[str, Any],
) -> None:
    slots, dispatcher = await _validate(domain, "udyam_number", "UDYAM??", failures=2.0)
    assert slots["failed_attempts"] == 3.0
    assert [b["payload"] for b in buttons(dispatcher)] == ["/skip", "/cancel"]


async def test_third_failure_on_a_required_question_offers_to_stop(
    domain: dict[str, Any],
) -> None:
    slots, dispatcher = await _validate(domain, "mobile", "12", failures=2.0)
    assert slots["failed_attempts"] == 3.0
    assert [b["payload"] for b in buttons(dispatcher)] == ["/cancel"]
    assert "Try once more" in texts(dispatcher)[1]


async def test_second_failure_does_not_offer_a_way_out_yet(domain: dict[str, Any]) -> None:
    _, dispatcher = await _validate(domain, "mobile", "12", failures=1.0)
    assert buttons(dispatcher) == []


async def test_udyam_question_has_a_dont_have_one_button(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    await AskUdyamNumber().run(dispatcher, make_tracker(), domain)
    assert buttons(dispatcher) == [{"title": "I don't have one", "payload": "/skip"}]
    assert "UDYAM-MH-12-0001234" in texts(dispatcher)[0]


async def test_reply_form_validates_ticket_numbers(domain: dict[str, Any]) -> None:
    slots, _ = await _validate(domain, "followup_ticket", "ms cztep3 5", form=ValidateReplyForm())
    assert slots["followup_ticket"] is None  # the fixture's valid one is MS-CZ6EP3-5
    slots, _ = await _validate(domain, "followup_ticket", "ms cz6ep3 5", form=ValidateReplyForm())
    assert slots["followup_ticket"] == "MS-CZ6EP3-5"


async def test_mistyped_followup_ticket_says_so(domain: dict[str, Any]) -> None:
    slots, dispatcher = await _validate(
        domain, "followup_ticket", "MS-GNB45J-S", form=ValidateFeedbackForm()
    )
    assert slots["followup_ticket"] is None
    assert "mistyped" in texts(dispatcher)[0]


@pytest.mark.parametrize(
    ("typed", "rating"),
    [("4", 4), ("4/5", 4), ("5 stars", 5), ("⭐⭐⭐", 3), ("four", 4), ("चार", 4),
     ("very good", 5), ("9", None), ("hmm", None)],
)  # fmt: skip
def test_parse_rating(typed: str, rating: int | None) -> None:
    assert parse_rating(typed) == rating


async def test_feedback_rating_is_stored_as_a_number(domain: dict[str, Any]) -> None:
    slots, _ = await _validate(domain, "feedback_rating", "2", form=ValidateFeedbackForm())
    assert slots["feedback_rating"] == 2.0
