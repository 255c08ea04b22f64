"""Conversation housekeeping: the fallback that never loops, and changing the language."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.chat import current_language, latest_entity, previous_bot_action
from actions.messages import LANGUAGES, button, say

_LANGUAGE_CHOICES = (("en", "English"), ("hi", "हिंदी"), ("hinglish", "Hinglish"))


class ActionFallback(Action):
    """First miss: ask to rephrase. A second miss in a row: offer the things we can do,
    so the person is never stuck in "sorry, I didn't understand"."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        if previous_bot_action(tracker) == self.name():
            dispatcher.utter_message(
                text=say("fallback_again", language),
                buttons=[
                    button("file", language, "/file_grievance"),
                    button("status", language, "/check_status"),
                    button("scheme", language, "/ask_scheme"),
                    button("help", language, "/help"),
                ],
            )
        else:
            dispatcher.utter_message(text=say("fallback", language))
        # Then listen. This is the rule policy's core fallback too: nothing predicts what comes
        # after it, so without this the fallback was predicted again until Rasa's circuit
        # breaker stopped it (nine "Sorry" in one turn). Rasa's own fallback listens by
        # reverting the message; this one keeps it, to tell a second miss in a row.
        return [FollowupAction("action_listen")]


class ActionChangeLanguage(Action):
    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        wanted = latest_entity(tracker, "language")
        if wanted not in LANGUAGES:
            language = current_language(tracker)
            dispatcher.utter_message(
                text=say("ask_language", language),
                buttons=[
                    {"title": title, "payload": f'/change_language{{"language":"{code}"}}'}
                    for code, title in _LANGUAGE_CHOICES
                ],
            )
            return []
        dispatcher.utter_message(text=say("language_changed", wanted))
        return [SlotSet("language", wanted)]
