"""A person who writes of self-harm is answered with care and the national mental-health
helpline (Tele-MANAS) before anything else, in their language; the conversation then goes on
as it would have (the complaint is still filed). What they said is remembered (slot
``distress``) and, unless it is the complaint's own text, written on the ticket once it is
filed: the ticket turns critical and its department's heads and leadership are told at once
(backend/citizen_actions.py: ``raise_urgency``)."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
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


# At most this many messages are remembered for the ticket (the latest ones).
DISTRESS_KEPT = 5


def care_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Say the caring reply when the latest message speaks of self-harm (once a turn); the
    events remember the message for the ticket."""
    text = latest_text(tracker).strip()
    if _cared_this_turn(tracker) or not reading.mentions_self_harm(text):
        return []
    dispatcher.utter_message(text=say("care", current_language(tracker)))
    said = [str(item) for item in tracker.get_slot("distress") or [] if item != text]
    return [SlotSet("distress", [*said, text][-DISTRESS_KEPT:])]


def distress_to_write(tracker: Tracker, description: str) -> list[str]:
    """The remembered messages the filed complaint does not already contain."""
    folded = " ".join(description.split()).casefold()
    return [
        str(text)
        for text in tracker.get_slot("distress") or []
        if " ".join(str(text).split()).casefold() not in folded
    ]
