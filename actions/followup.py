"""After filing: answering an officer's request for information, rating a resolved ticket and
reopening it within the window."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import reading, ticket_number
from actions.backend_client import BackendRefused, BackendUnavailable, backend
from actions.care import care_first
from actions.chat import chat_identity, current_language, latest_entity, latest_text
from actions.forms import clear_followup, parse_rating
from actions.messages import button, menu_buttons, say


def _refused(
    dispatcher: CollectingDispatcher, exc: BackendRefused, number: str, language: str
) -> None:
    if exc.status in (403, 404):
        dispatcher.utter_message(text=say("not_your_ticket", language, number=number))
    elif exc.code == "ticket_final":
        dispatcher.utter_message(text=say("ticket_final", language, number=number))
    else:
        dispatcher.utter_message(
            text=say("action_refused", language, number=number, reason=exc.detail)
        )


async def _awaiting_tickets(tracker: Tracker) -> list[dict[str, Any]]:
    """Tickets whose officer waits for the citizen: a request for information, or else an
    officer's reply that is still the ticket's latest message ("... Are you OK with that?")."""
    try:
        tickets = await backend(tracker).list_tickets(chat_identity(tracker))
    except (BackendUnavailable, BackendRefused):
        return []
    asked = [t for t in tickets if t.get("status") == "awaiting_info"]
    return asked or [t for t in tickets if t.get("officer_reply_unanswered")]


async def answer_awaiting(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """While an officer waits for information, the person's next message is the answer: sent
    exactly as written and echoed back with the ticket number. With several tickets waiting,
    the reply form asks which. None when no ticket waits (the message is something else)."""
    text = latest_text(tracker).strip()
    if not text or text.startswith("/") or reading.command_in(text) or reading.asks_status(text):
        return None
    if reading.is_small_talk(text) or (reading.is_yes(text) and len(text) < 4):
        return None
    waiting = await _awaiting_tickets(tracker)
    if not waiting:
        return None
    if len(waiting) > 1:
        return [
            SlotSet("followup_ticket", None),
            SlotSet("reply_text", text),
            SlotSet("failed_attempts", 0.0),
            FollowupAction("reply_form"),
        ]
    number = str(waiting[0]["number"])
    return await _send_reply(dispatcher, tracker, number, text)


async def _send_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker, number: str, text: str
) -> list[EventType]:
    language = current_language(tracker)
    try:
        await backend(tracker).send_message(number, chat_identity(tracker), text, language)
    except BackendUnavailable:
        dispatcher.utter_message(text=say("reply_not_sent", language, number=number))
        return clear_followup()
    except BackendRefused as exc:
        _refused(dispatcher, exc, number, language)
        return clear_followup()
    dispatcher.utter_message(text=say("reply_sent", language, number=number, text=text))
    return [*clear_followup(), SlotSet("last_ticket", number)]


class ActionFreeMessage(Action):
    """A message outside any flow that no rule gives a meaning to (an answer without a
    question, a yes or no, something out of scope, a low-confidence read): the answer to an
    officer when one waits for it, else said plainly what the assistant can do."""

    def name(self) -> str:
        return "action_free_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [*care_first(dispatcher, tracker), *await self._answer(dispatcher, tracker)]

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        handled = await answer_awaiting(dispatcher, tracker)
        if handled is not None:
            return handled
        if reading.tells_a_problem(latest_text(tracker)) or reading.mentions_self_harm(
            latest_text(tracker)
        ):
            # A grievance told in the person's own words: filing starts from it.
            return [FollowupAction("action_start_grievance")]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        language = current_language(tracker)
        if intent == "greet":
            dispatcher.utter_message(text=say("greet", language), buttons=menu_buttons(language))
        elif intent in ("affirm", "deny", "skip"):
            dispatcher.utter_message(
                text=say("anything_else", language), buttons=menu_buttons(language)
            )
        elif intent == "out_of_scope":
            dispatcher.utter_message(
                text=say("out_of_scope", language), buttons=menu_buttons(language)
            )
        elif intent == "correct":
            dispatcher.utter_message(text=say("nothing_to_correct", language))
        else:
            return [FollowupAction("action_fallback")]
        return []


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
        written = latest_entity(tracker, "rating")
        text = latest_text(tracker)
        if written is None and intent == "rate" and len(text.split()) <= 8:
            written = text  # "bahut badhiya kaam, 5": the rating is in the request
        rating = parse_rating(written or "")
        return [
            SlotSet("followup_ticket", number),
            SlotSet("reply_text", _answer_in(tracker) if intent == "provide_info" else None),
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


_REPLY_COMMAND = re.compile(
    r"^(?:i want to |i'?d like to |let me |please )?(?:reply|answer|respond|send (?:info|"
    r"information|details|a reply))(?: to)?(?: the)? officer\b.*?$|^(?:officer ko )?(?:jawab|"
    r"javab|reply)(?: dena| bhejna| bhejo| dena hai| bhejna hai)?$|^अधिकारी को जवाब.*$",
    re.IGNORECASE,
)


def _answer_in(tracker: Tracker) -> str | None:
    """The answer itself when the request to reply already carries it ("reply to officer:
    invoice sent on 3 March"); None for a bare "reply to officer"."""
    text = latest_text(tracker).strip()
    if text.startswith("/"):
        return None
    if ticket_number.looks_like_number(text):
        return None
    folded = reading.fold(text)
    if _REPLY_COMMAND.match(folded) and len(folded.split()) <= 6:
        return None
    return text if len(text.split()) >= 3 else None


class ActionSendOfficerReply(Action):
    def name(self) -> str:
        return "action_send_officer_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        number, text = tracker.get_slot("followup_ticket"), tracker.get_slot("reply_text")
        if not number or not text:  # the form was stopped: nothing to send
            return clear_followup()
        return await _send_reply(dispatcher, tracker, str(number), str(text))


class ActionSubmitFeedback(Action):
    """Send the rating, with the reopening and its reason when asked for (one POST)."""

    def name(self) -> str:
        return "action_submit_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        if not tracker.get_slot("followup_ticket") or tracker.get_slot("feedback_rating") is None:
            return clear_followup()  # the form was stopped: nothing to send
        number = str(tracker.get_slot("followup_ticket"))
        rating = int(float(tracker.get_slot("feedback_rating") or 0))
        reopen = bool(tracker.get_slot("feedback_reopen"))
        reason = tracker.get_slot("reopen_reason") if reopen else None
        try:
            await backend(tracker).send_feedback(
                number,
                chat_identity(tracker),
                rating,
                comment=reason,
                reopen=reopen,
                language=language,
            )
        except BackendUnavailable:
            dispatcher.utter_message(text=say("backend_down", language))
            return clear_followup()
        except BackendRefused as exc:
            _refused(dispatcher, exc, number, language)
            return clear_followup()
        dispatcher.utter_message(
            text=say("feedback_thanks", language, number=number, rating=rating)
        )
        if reopen:
            dispatcher.utter_message(text=say("reopened", language, number=number))
        elif tracker.get_slot("feedback_reopen") is False:
            dispatcher.utter_message(text=say("not_reopened", language, number=number))
        return [*clear_followup(), SlotSet("last_ticket", number)]


class AskFeedbackReopen(Action):
    def name(self) -> str:
        return "action_ask_feedback_reopen"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        number = str(tracker.get_slot("followup_ticket"))
        dispatcher.utter_message(
            text=say("offer_reopen", language, number=number),
            buttons=[
                button("reopen", language, "/affirm"),
                button("keep_closed", language, "/deny"),
            ],
        )
        return []


class AskReopenReason(Action):
    def name(self) -> str:
        return "action_ask_reopen_reason"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("ask_reopen_reason", current_language(tracker)))
        return []
