"""Validation of the three forms: filing a grievance, replying to an officer, rating a ticket.

One ``validate_<slot>`` per slot; each turns what the person typed into the value to store or
re-asks with the expected format. After three failed answers in a row to the same question the
person is offered a way out: skip (optional questions) or stop filing.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import ticket_number
from actions.chat import current_language
from actions.grievance_fields import (
    CATEGORIES,
    NO_UDYAM,
    category_from_text,
    clean_description,
    clean_district,
    clean_enterprise_name,
    clean_person_name,
    normalize_mobile,
    normalize_udyam,
    says_no_udyam,
    to_ascii_digits,
)
from actions.messages import button, category_title, say
from actions.states import canonical_state

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


class ValidateGrievanceForm(FormValidationAction):
    def name(self) -> str:
        return "validate_grievance_form"

    async def validate_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return checked("name", clean_person_name(str(value)), dispatcher, tracker)

    async def validate_mobile(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return checked("mobile", normalize_mobile(str(value)), dispatcher, tracker)

    async def validate_enterprise_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return checked("enterprise_name", clean_enterprise_name(str(value)), dispatcher, tracker)

    async def validate_udyam_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value)
        found = NO_UDYAM if text == NO_UDYAM else normalize_udyam(text)
        if found is None and says_no_udyam(text):
            found = NO_UDYAM
        return checked("udyam_number", found, dispatcher, tracker)

    async def validate_state(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return checked("state", canonical_state(str(value)), dispatcher, tracker)

    async def validate_district(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return checked("district", clean_district(str(value)), dispatcher, tracker)

    async def validate_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value)
        found = text if text in CATEGORIES else category_from_text(text)
        return checked("category", found, dispatcher, tracker)

    async def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return checked("description", clean_description(str(value)), dispatcher, tracker)


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
    slot = "name"


class AskMobile(SlotQuestion):
    slot = "mobile"


class AskEnterpriseName(SlotQuestion):
    slot = "enterprise_name"


class AskUdyamNumber(SlotQuestion):
    slot = "udyam_number"

    def buttons(self, language: str) -> list[dict[str, str]]:
        return [button("no_udyam", language, "/skip")]


class AskState(SlotQuestion):
    slot = "state"


class AskDistrict(SlotQuestion):
    slot = "district"


class AskCategory(SlotQuestion):
    """One short button per backend category."""

    slot = "category"

    def buttons(self, language: str) -> list[dict[str, str]]:
        return [
            {
                "title": category_title(code, language),
                "payload": f'/inform{{"category":"{code}"}}',
            }
            for code in CATEGORIES
        ]


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


class ValidateReplyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_reply_form"

    async def validate_followup_ticket(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _followup_ticket(value, dispatcher, tracker)

    async def validate_reply_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = " ".join(str(value or "").split())
        usable = text if len(text) >= 3 and re.search(r"[^\W\d_]", text) else None
        return checked("reply_text", usable, dispatcher, tracker)


class ValidateFeedbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_feedback_form"

    async def validate_followup_ticket(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return _followup_ticket(value, dispatcher, tracker)

    async def validate_feedback_rating(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        rating = parse_rating(value)
        return checked(
            "feedback_rating", None if rating is None else float(rating), dispatcher, tracker
        )
