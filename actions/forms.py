"""The forms' one-line questions, and validation of the reply and rating forms.

The filing form reads its answers in context in ``actions.filing``; the reply and rating
forms validate one ``validate_<slot>`` per slot. After three failed answers in a row to the
same question the person is offered a way out.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import reading, ticket_number
from actions.care import care_first
from actions.chat import current_language
from actions.districts import states_of_district
from actions.grievance_fields import is_placeholder, to_ascii_digits
from actions.messages import button, menu_buttons, say
from actions.states import hindi_name

MAX_FAILURES = 3
OPTIONAL_SLOTS = frozenset({"udyam_number"})

_RATING_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "ek": 1, "do": 2, "teen": 3, "char": 4, "chaar": 4, "paanch": 5, "panch": 5,
    "एक": 1, "दो": 2, "तीन": 3, "चार": 4, "पांच": 5, "पाँच": 5,
    "very poor": 1, "poor": 2, "bad": 2, "average": 3, "ok": 3, "good": 4, "very good": 5,
    "excellent": 5, "bekar": 1, "kharab": 2, "theek": 3, "achha": 4, "accha": 4,
    "बेकार": 1, "खराब": 2, "ठीक": 3, "अच्छा": 4, "बहुत अच्छा": 5,
}  # fmt: skip


def parse_rating(value: Any) -> int | None:
    """1-5 from "4", "4/5", "4 stars", "⭐⭐⭐⭐", "four", "चार", "good"."""
    text = to_ascii_digits(str(value or "")).strip().lower()
    stars = text.count("⭐") + text.count("★")
    if 1 <= stars <= 5:
        return stars
    digits = re.findall(r"(?<!\d)([0-9]|10)(?!\d)", text)
    if digits:
        rating = int(digits[0])
        return rating if 1 <= rating <= 5 else None
    for phrase in sorted(_RATING_WORDS, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text):
            return _RATING_WORDS[phrase]
    return None


def checked(
    slot: str,
    value: Any,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
) -> dict[str, Any]:
    """Store ``value`` if it is usable; otherwise re-ask, counting failures for the question."""
    if value is not None:
        return {slot: value, "failed_attempts": 0.0}
    language = current_language(tracker)
    dispatcher.utter_message(text=say(f"invalid_{slot}", language))
    if tracker.get_slot("requested_slot") != slot:
        return {slot: None}  # a value offered in passing, not an answer to the question
    failures = int(tracker.get_slot("failed_attempts") or 0) + 1
    if failures >= MAX_FAILURES:
        if slot in OPTIONAL_SLOTS:
            dispatcher.utter_message(
                text=say("too_many_failures_optional", language),
                buttons=[button("skip", language, "/skip"), button("stop", language, "/cancel")],
            )
        else:
            dispatcher.utter_message(
                text=say("too_many_failures_required", language),
                buttons=[button("stop", language, "/cancel")],
            )
    return {slot: None, "failed_attempts": float(failures)}


class SlotQuestion(Action, ABC):
    """A form's question for one slot, in the conversation's language (``action_ask_<slot>``;
    Rasa's form calls it whenever it needs that slot)."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    def buttons(self, language: str) -> list[dict[str, str]]:
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        dispatcher.utter_message(
            text=say(f"ask_{self.slot}", language), buttons=self.buttons(language)
        )
        return []


class AskName(SlotQuestion):
    """ "Let's start" only when nothing is known yet (not after an opening that told a lot)."""

    slot = "name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        started = any(tracker.get_slot(s) for s in ("mobile", "enterprise_name", "description"))
        dispatcher.utter_message(text=say("ask_name_next" if started else "ask_name", language))
        return []


class AskMobile(SlotQuestion):
    slot = "mobile"


class AskEnterpriseName(SlotQuestion):
    """Asks for the Udyam number in the same breath."""

    slot = "enterprise_name"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [*await super().run(dispatcher, tracker, domain), SlotSet("udyam_offered", True)]


class AskUdyamNumber(SlotQuestion):
    slot = "udyam_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [*await super().run(dispatcher, tracker, domain), SlotSet("udyam_offered", True)]

    def buttons(self, language: str) -> list[dict[str, str]]:
        return [button("no_udyam", language, "/skip")]


class AskState(SlotQuestion):
    """A district that several states have ("Aurangabad": Bihar, Maharashtra) is asked about
    by name, with those states as buttons."""

    slot = "state"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        district = tracker.get_slot("district")
        candidates = states_of_district(str(district)) if district else ()
        if len(candidates) < 2:
            return await super().run(dispatcher, tracker, domain)
        titles = [(hindi_name(s) or s) if language == "hi" else s for s in candidates]
        dispatcher.utter_message(
            text=say("ask_state_of_district", language, district=district),
            buttons=[
                {"title": title, "payload": state}
                for title, state in zip(titles, candidates, strict=True)
            ],
        )
        return []


class AskDistrict(SlotQuestion):
    slot = "district"


class AskDescription(SlotQuestion):
    slot = "description"


class AskFollowupTicket(SlotQuestion):
    slot = "followup_ticket"


class AskReplyText(SlotQuestion):
    slot = "reply_text"


class AskFeedbackRating(SlotQuestion):
    slot = "feedback_rating"

    def buttons(self, language: str) -> list[dict[str, str]]:
        return [
            {"title": str(rating), "payload": f'/rate{{"rating":"{rating}"}}'}
            for rating in range(1, 6)
        ]


def _followup_ticket(value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict:
    text = str(value or "")
    number = ticket_number.normalize(text)
    if number is None and ticket_number.looks_like_number(text):
        dispatcher.utter_message(
            text=say("mistyped_number", current_language(tracker), number=text.strip().upper())
        )
        return {"followup_ticket": None}
    if number is None:
        return checked("followup_ticket", None, dispatcher, tracker)
    return {"followup_ticket": number, "failed_attempts": 0.0}


def clear_followup() -> list[EventType]:
    """The reply and rating forms' answers cleared (sent, or given up)."""
    return [
        SlotSet("followup_ticket", None),
        SlotSet("reply_text", None),
        SlotSet("feedback_rating", None),
        SlotSet("feedback_reopen", None),
        SlotSet("reopen_reason", None),
    ]


class ContextFormValidation(FormValidationAction, ABC):
    """A form whose messages are read in context: a bare "cancel" (the whole message) stops
    it; anything else is an answer, whatever intent the NLU read. A turn always returns a
    slot event, so Rasa never hands the message to another policy mid-form."""

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        cared = care_first(dispatcher, tracker)
        text = str(tracker.latest_message.get("text") or "")
        if tracker.get_slot("requested_slot") and (
            reading.command_in(text) in ("cancel", "menu") or text.strip() == "/cancel"
        ):
            language = current_language(tracker)
            dispatcher.utter_message(
                text=say("anything_else", language), buttons=menu_buttons(language)
            )
            return [*cared, *clear_followup(), SlotSet("requested_slot", None)]
        events = await super().run(dispatcher, tracker, domain)
        failures = float(tracker.get_slot("failed_attempts") or 0)
        return [*cared, *events, SlotSet("failed_attempts", failures)]


class ValidateReplyForm(ContextFormValidation):
    def name(self) -> str:
        return "validate_reply_form"

    async def validate_followup_ticket(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _followup_ticket(value, dispatcher, tracker)

    async def extract_reply_text(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The answer exactly as written (not the NLU's reading of it)."""
        if tracker.get_slot("requested_slot") != "reply_text":
            return {}
        text = str(tracker.latest_message.get("text") or "").strip()
        return {"reply_text": text} if text and not text.startswith("/") else {}

    async def validate_reply_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        usable = text if len(text) >= 3 and re.search(r"[^\W\d_]", text) else None
        return checked("reply_text", usable, dispatcher, tracker)


_KEEP_CLOSED = re.compile(
    r"^(?:keep (?:it )?closed|keep closed|leave it|no reopen|don'?t reopen|do not reopen|"
    r"band rehne do|band rahne do|band hi rehne do|बंद रहने दें|बंद रहने दो|रहने दो)$",
    re.IGNORECASE,
)
_REOPEN = re.compile(
    r"^(?:reopen|reopen it|please reopen|open again|dobara kholo|dobara khol do|phir se kholo|"
    r"दोबारा खोलें|दोबारा खोलो|फिर से खोलें)$",
    re.IGNORECASE,
)
LOW_RATING = 2


def reopen_answer(text: str) -> bool | None:
    """Reopen (True), keep closed (False), or neither, from a typed answer or a button."""
    folded = reading.fold(text)
    if text.strip() == "/affirm" or _REOPEN.match(folded) or reading.is_yes(text):
        return True
    if text.strip() == "/deny" or _KEEP_CLOSED.match(folded) or reading.is_no(text):
        return False
    return None


class ValidateFeedbackForm(ContextFormValidation):
    """Rating, then after a low rating "reopen?", then when reopening the reason (stored on
    the ticket). Typed answers are read in context: "Keep closed" is an answer, not a new
    rating."""

    def name(self) -> str:
        return "validate_feedback_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        slots = ["followup_ticket", "feedback_rating"]
        reopen = tracker.get_slot("feedback_reopen")
        rating = tracker.get_slot("feedback_rating")
        low = rating is not None and float(rating) <= LOW_RATING
        if reopen is not None or low:  # asked after a low rating, or asked for up front
            slots.append("feedback_reopen")
        if reopen:
            slots.append("reopen_reason")
        return slots

    async def extract_feedback_reopen(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "feedback_reopen":
            return {}
        answer = reopen_answer(str(tracker.latest_message.get("text") or ""))
        if answer is None:
            dispatcher.utter_message(text=say("invalid_feedback_reopen", current_language(tracker)))
            return {}
        return {"feedback_reopen": answer}

    async def extract_reopen_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "reopen_reason":
            return {}
        text = " ".join(str(tracker.latest_message.get("text") or "").split())
        if text.startswith("/") or len(text) < 3 or is_placeholder(text):
            dispatcher.utter_message(text=say("ask_reopen_reason", current_language(tracker)))
            return {}
        return {"reopen_reason": text}

    async def validate_followup_ticket(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _followup_ticket(value, dispatcher, tracker)

    # Extracted above, valid as extracted; returned so that Rasa stores them.
    async def validate_feedback_reopen(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"feedback_reopen": value}

    async def validate_reopen_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"reopen_reason": value}

    async def validate_feedback_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        rating = parse_rating(value)
        return checked(
            "feedback_rating", None if rating is None else float(rating), dispatcher, tracker
        )
