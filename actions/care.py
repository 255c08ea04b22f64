"""A person who writes of self-harm is answered with care and the national mental-health
helpline (Tele-MANAS) before anything else, in their language; the conversation then goes on
as it would have (the complaint is still filed)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import reading
from actions.chat import current_language, latest_text
from actions.messages import MESSAGES, say


def _cared_this_turn(tracker: Tracker) -> bool:
    texts = set(MESSAGES["care"].values())
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and event.get("text") in texts:
            return True
    return False


def care_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Say the caring reply when the latest message speaks of self-harm (once a turn)."""
    if reading.mentions_self_harm(latest_text(tracker)) and not _cared_this_turn(tracker):
        dispatcher.utter_message(text=say("care", current_language(tracker)))
