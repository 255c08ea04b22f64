from __future__ import annotations

from typing import Any

import respx
from rasa_sdk.executor import CollectingDispatcher

from actions.schemes import ActionAnswerScheme
from tests.actions.conftest import buttons, make_tracker, texts

PMEGP = {
    "scheme_id": "pmegp",
    "title": "PMEGP",
    "answer": "A credit-linked subsidy of 15-35% for new micro enterprises.",
    "url": "https://www.kviconline.gov.in/pmegpeportal/",
    "score": 0.82,
}


async def test_an_answered_question_names_the_scheme_and_its_link(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.get("/api/v1/schemes/search").respond(
        200, json={"answered": True, "results": [PMEGP, {**PMEGP, "title": "Mudra"}]}
    )
    await ActionAnswerScheme().run(dispatcher, make_tracker(text="what is PMEGP?"), domain)
    assert dict(route.calls.last.request.url.params) == {"q": "what is PMEGP?", "k": "3"}
    assert texts(dispatcher) == [
        "PMEGP: A credit-linked subsidy of 15-35% for new micro enterprises.\n"
        "Official page: https://www.kviconline.gov.in/pmegpeportal/",
        "Related: Mudra",
    ]


async def test_no_answer_is_said_plainly_with_an_offer_to_file(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get("/api/v1/schemes/search").respond(200, json={"answered": False, "results": []})
    tracker = make_tracker(text="solar subsidy kaise milega", slots={"language": "hinglish"})
    await ActionAnswerScheme().run(dispatcher, tracker, domain)
    assert "pakka jawab" in texts(dispatcher)[0]
    assert [b["payload"] for b in buttons(dispatcher)] == ["/file_grievance", "/deny"]


async def test_the_menu_button_asks_for_the_question_without_searching(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    route = backend.get("/api/v1/schemes/search").respond(200, json={})
    await ActionAnswerScheme().run(dispatcher, make_tracker(text="/ask_scheme"), domain)
    assert not route.called
    assert "What is PMEGP?" in texts(dispatcher)[0]


async def test_backend_down(
    dispatcher: CollectingDispatcher, domain: dict[str, Any], backend: respx.MockRouter
) -> None:
    backend.get("/api/v1/schemes/search").respond(500)
    await ActionAnswerScheme().run(dispatcher, make_tracker(text="what is CGTMSE"), domain)
    assert "can't reach" in texts(dispatcher)[0]
