"""The filing form's own questions (actions/filing_questions.py): the category proposal and the
summary, with and without the backend."""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx
from rasa_sdk.executor import CollectingDispatcher

from actions.filing_questions import AskCategory, AskConfirmed
from actions.grievance_fields import CATEGORIES
from tests.actions.conftest import (
    DEPARTMENT,
    FILLED,
    SERVICE_TOKEN,
    buttons,
    make_tracker,
    slot_events,
    texts,
)


async def test_ask_category_offers_one_button_per_backend_category(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    # No description yet, so nothing to propose from: every category is a button.
    await AskCategory().run(dispatcher, make_tracker(slots={"language": "hi"}), domain)
    payloads = [b["payload"] for b in buttons(dispatcher)]
    assert payloads == [f'/inform{{"category":"{code}"}}' for code in CATEGORIES]
    assert buttons(dispatcher)[0]["title"] == "भुगतान में देरी"


async def test_summary_names_the_department_and_offers_submit_change_cancel(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.post("/api/v1/route/preview").respond(
        200, json={"department": DEPARTMENT, "confidence": 0.91}
    )
    events = await AskConfirmed().run(dispatcher, make_tracker(slots=FILLED), domain)
    sent = json.loads(route.calls.last.request.content)
    assert sent == {
        "description": FILLED["description"],
        "category": "delayed_payment",
        "state": "Maharashtra",
    }
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {SERVICE_TOKEN}"
    text = texts(dispatcher)[0]
    assert "MSE Facilitation Council, Maharashtra" in text
    assert "Delayed payment" in text and "Udyam: not given" in text
    assert [b["payload"] for b in buttons(dispatcher)] == [
        "/affirm",
        '/correct{"field":"category"}',
        "/correct",
        "/cancel",
    ]
    assert slot_events(events)["department_preview"] == DEPARTMENT["name"]


async def test_summary_in_hindi_without_the_backend_still_works(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.post("/api/v1/route/preview").mock(side_effect=httpx.ConnectError("down"))
    tracker = make_tracker(slots={**FILLED, "language": "hi"})
    await AskConfirmed().run(dispatcher, tracker, domain)
    text = texts(dispatcher)[0]
    assert "महाराष्ट्र" in text and "भुगतान में देरी" in text
    assert "ज़िला: पुणे" in text and "Pune" not in text  # the district's Hindi name
    assert "सही विभाग दर्ज करते समय" in text
