from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionChangeLanguage, ActionFallback
from tests.actions.conftest import buttons, make_tracker, slot_events, texts


def _after(previous_action: str) -> list[dict[str, Any]]:
    return [
        {"event": "user", "text": "blorp", "parse_data": {}},
        {"event": "action", "name": previous_action},
        {"event": "bot", "text": "..."},
        {"event": "action", "name": "action_listen"},
    ]


async def test_first_fallback_asks_to_rephrase(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(text="zzz", intent="nlu_fallback", events=_after("utter_greet"))
    events = await ActionFallback().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["Sorry, I didn't understand that. Could you say it differently?"]
    assert buttons(dispatcher) == []
    # Then the assistant listens: nothing else predicts what follows the fallback.
    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]


async def test_second_fallback_in_a_row_offers_a_way_forward(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(text="zzz", intent="nlu_fallback", events=_after("action_fallback"))
    await ActionFallback().run(dispatcher, tracker, domain)
    assert [b["payload"] for b in buttons(dispatcher)] == [
        "/file_grievance", "/check_status", "/ask_scheme", "/help"
    ]  # fmt: skip


async def test_change_language_to_hindi(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(
        text="hindi please", intent="change_language", entities={"language": "hi"}
    )
    events = await ActionChangeLanguage().run(dispatcher, tracker, domain)
    assert slot_events(events) == {"language": "hi"}
    assert texts(dispatcher) == ["ठीक है, अब मैं हिंदी में जवाब दूंगा।"]


async def test_change_language_without_saying_which_offers_the_three(
    dispatcher: CollectingDispatcher, domain: dict[str, Any]
) -> None:
    tracker = make_tracker(text="change language", intent="change_language")
    assert await ActionChangeLanguage().run(dispatcher, tracker, domain) == []
    assert [b["payload"] for b in buttons(dispatcher)] == [
        '/change_language{"language":"en"}',
        '/change_language{"language":"hi"}',
        '/change_language{"language":"hinglish"}',
    ]
