"""After filing: answering an officer's request for information, rating a resolved ticket and
reopening it within the window."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import ticket_number
from actions.backend_client import BackendRefused, BackendUnavailable, backend
from actions.chat import chat_identity, current_language, latest_entity
from actions.forms import parse_rating
from actions.messages import button, say

LOW_RATING = 2


def _refused(dispatcher: CollectingDispatcher, exc: BackendRefused, number: str, language: str):
    if exc.status in (403, 404):
        dispatcher.utter_message(text=say("not_your_ticket", language, number=number))
    else:
        dispatcher.utter_message(
            text=say("action_refused", language, number=number, reason=exc.detail)
        )


class ActionPrepareFollowup(Action):
    """Fill in what the request already says before the reply or feedback form asks: the
    ticket named in the message, else the user's only ticket in the right state, else the last
    ticket we talked about."""

    def name(self) -> str:
        return "action_prepare_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        wanted_status = "awaiting_info" if intent == "provide_info" else "resolved"
        number = await self._ticket(dispatcher, tracker, wanted_status)
        rating = parse_rating(latest_entity(tracker, "rating") or "")
        return [
            SlotSet("followup_ticket", number),
            SlotSet("reply_text", None),
            SlotSet("feedback_rating", None if rating is None else float(rating)),
            SlotSet("feedback_reopen", True if intent == "reopen" else None),
            SlotSet("failed_attempts", 0.0),
        ]

    async def _ticket(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, wanted_status: str
    ) -> str | None:
        written = latest_entity(tracker, "ticket_number")
        if written:
            number = ticket_number.normalize(written)
            if number is None:
                dispatcher.utter_message(
                    text=say("mistyped_number", current_language(tracker), number=written)
                )
            return number
        try:
            tickets = await backend(tracker).list_tickets(chat_identity(tracker))
        except (BackendUnavailable, BackendRefused):
            tickets = []
        matching = [t for t in tickets if t.get("status") == wanted_status]
        if len(matching) == 1:
            return str(matching[0]["number"])
        return tracker.get_slot("last_ticket") if not matching else None


def _clear_followup() -> list[EventType]:
    return [
        SlotSet("followup_ticket", None),
        SlotSet("reply_text", None),
        SlotSet("feedback_rating", None),
        SlotSet("feedback_reopen", None),
        SlotSet("confirmation", None),
    ]


class ActionSendOfficerReply(Action):
    def name(self) -> str:
        return "action_send_officer_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        number = str(tracker.get_slot("followup_ticket"))
        try:
            await backend(tracker).send_message(
                number, chat_identity(tracker), str(tracker.get_slot("reply_text"))
            )
        except BackendUnavailable:
            dispatcher.utter_message(text=say("backend_down", language))
            return _clear_followup()
        except BackendRefused as exc:
            _refused(dispatcher, exc, number, language)
            return _clear_followup()
        dispatcher.utter_message(text=say("reply_sent", language, number=number))
        return [*_clear_followup(), SlotSet("last_ticket", number)]


async def _post_feedback(
    dispatcher: CollectingDispatcher, tracker: Tracker, reopen: bool
) -> list[EventType]:
    language = current_language(tracker)
    number = str(tracker.get_slot("followup_ticket"))
    rating = int(float(tracker.get_slot("feedback_rating") or 0))
    try:
        await backend(tracker).send_feedback(number, chat_identity(tracker), rating, reopen=reopen)
    except BackendUnavailable:
        dispatcher.utter_message(text=say("backend_down", language))
        return _clear_followup()
    except BackendRefused as exc:
        _refused(dispatcher, exc, number, language)
        return _clear_followup()
    dispatcher.utter_message(text=say("feedback_thanks", language, number=number, rating=rating))
    if reopen:
        dispatcher.utter_message(text=say("reopened", language, number=number))
    elif tracker.get_slot("confirmation") == "reopen":
        dispatcher.utter_message(text=say("not_reopened", language, number=number))
    return [*_clear_followup(), SlotSet("last_ticket", number)]


class ActionSubmitFeedback(Action):
    """Send the rating; a low rating first offers to reopen (one POST either way)."""

    def name(self) -> str:
        return "action_submit_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reopen: Any = tracker.get_slot("feedback_reopen")
        rating = int(float(tracker.get_slot("feedback_rating") or 0))
        if reopen is None and rating <= LOW_RATING:
            language = current_language(tracker)
            number = str(tracker.get_slot("followup_ticket"))
            dispatcher.utter_message(
                text=say("offer_reopen", language, number=number),
                buttons=[
                    button("reopen", language, "/affirm"),
                    button("keep_closed", language, "/deny"),
                ],
            )
            return [SlotSet("confirmation", "reopen")]
        return await _post_feedback(dispatcher, tracker, reopen=bool(reopen))


class ActionReopenTicket(Action):
    def name(self) -> str:
        return "action_reopen_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await _post_feedback(dispatcher, tracker, reopen=True)


class ActionKeepClosed(Action):
    def name(self) -> str:
        return "action_keep_closed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await _post_feedback(dispatcher, tracker, reopen=False)
