"""Filing a grievance: start, summary with the department it will go to, corrections,
cancellation and submission.

The idempotency key is made when filing starts and kept until the ticket exists, so a submit
retried after the backend was down creates exactly one ticket.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendRefused, BackendUnavailable, backend
from actions.chat import chat_identity, current_language, latest_entity, latest_text
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
)
from actions.messages import button, category_title, field_label, say
from actions.states import canonical_state, find_state_in_text, hindi_name

GRIEVANCE_FIELDS = (
    "name",
    "mobile",
    "enterprise_name",
    "udyam_number",
    "state",
    "district",
    "category",
    "description",
)


def _reset_filing(keep: dict[str, Any] | None = None) -> list[EventType]:
    keep = keep or {}
    return [SlotSet(field, keep.get(field)) for field in GRIEVANCE_FIELDS] + [
        SlotSet("failed_attempts", 0.0),
        SlotSet("confirmation", None),
    ]


def _summary_buttons(language: str) -> list[dict[str, str]]:
    return [
        button("submit", language, "/affirm"),
        button("change", language, "/correct"),
        button("cancel", language, "/cancel"),
    ]


class ActionStartGrievance(Action):
    """Fresh filing: new idempotency key, answers cleared except what the opening message
    already gave (a mobile, a Udyam number, a state named in it)."""

    def name(self) -> str:
        return "action_start_grievance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        given: dict[str, Any] = {
            "mobile": normalize_mobile(latest_entity(tracker, "mobile") or ""),
            "udyam_number": normalize_udyam(latest_entity(tracker, "udyam_number") or ""),
            "state": canonical_state(latest_entity(tracker, "state") or "")
            or (find_state_in_text(text) if text and not text.startswith("/") else None),
        }
        return [
            *_reset_filing(given),
            SlotSet("idempotency_key", uuid.uuid4().hex),
            SlotSet("requested_slot", None),
        ]


def _summary_fields(tracker: Tracker, language: str) -> dict[str, str]:
    values = {field: str(tracker.get_slot(field) or "-") for field in GRIEVANCE_FIELDS}
    if values["udyam_number"] in (NO_UDYAM, "-"):
        values["udyam_number"] = say("no_udyam", language)
    if values["category"] in CATEGORIES:
        values["category"] = category_title(values["category"], language)
    if language == "hi" and tracker.get_slot("state"):
        values["state"] = hindi_name(str(tracker.get_slot("state")))
    description = values["description"]
    values["description"] = description if len(description) <= 300 else description[:297] + "..."
    return values


class ActionGrievanceSummary(Action):
    """Everything collected, the department it will go to, and Submit / Change / Cancel."""

    def name(self) -> str:
        return "action_grievance_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        department = None
        try:
            preview = await backend(tracker).preview_route(
                str(tracker.get_slot("description") or ""),
                tracker.get_slot("category"),
                tracker.get_slot("state"),
            )
            department = (preview.get("department") or {}).get("name")
        except (BackendUnavailable, BackendRefused):
            department = None  # the summary is still useful; routing happens on submit
        text = say("summary", language, **_summary_fields(tracker, language))
        if department:
            text += "\n\n" + say("summary_department", language, department=department)
        else:
            text += "\n\n" + say("summary_no_department", language)
        dispatcher.utter_message(text=text, buttons=_summary_buttons(language))
        return [SlotSet("confirmation", "submit"), SlotSet("department_preview", department)]


class ActionSubmitGrievance(Action):
    def name(self) -> str:
        return "action_submit_grievance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        missing = [f for f in GRIEVANCE_FIELDS if tracker.get_slot(f) in (None, "")]
        if missing:
            dispatcher.utter_message(
                text=say("nothing_to_file", language),
                buttons=[button("file", language, "/file_grievance")],
            )
            return [SlotSet("confirmation", None)]
        events: list[EventType] = []
        key = tracker.get_slot("idempotency_key")
        if not key:  # filing started without action_start_grievance: make one and keep it
            key = uuid.uuid4().hex
            events.append(SlotSet("idempotency_key", key))
        who = chat_identity(tracker)
        udyam = tracker.get_slot("udyam_number")
        ticket = {
            "idempotency_key": key,
            **who.as_params(),
            **{field: tracker.get_slot(field) for field in GRIEVANCE_FIELDS},
            "udyam_number": None if udyam in (None, NO_UDYAM) else udyam,
            "language": language,
        }
        try:
            created = await backend(tracker).create_ticket(ticket)
        except BackendUnavailable:
            dispatcher.utter_message(
                text=say("submit_failed", language),
                buttons=[
                    button("try_again", language, "/retry"),
                    button("cancel", language, "/cancel"),
                ],
            )
            return [*events, SlotSet("confirmation", "submit")]
        except BackendRefused as exc:
            dispatcher.utter_message(
                text=say("submit_rejected", language, reason=exc.detail),
                buttons=_summary_buttons(language),
            )
            return [*events, SlotSet("confirmation", "submit")]
        number = str(created["number"])
        department = (created.get("department") or {}).get("name") or tracker.get_slot(
            "department_preview"
        )
        dispatcher.utter_message(
            text=say("filed", language, number=number, department=department or "-")
        )
        return [
            *_reset_filing(),
            SlotSet("idempotency_key", None),
            SlotSet("department_preview", None),
            SlotSet("last_ticket", number),
        ]


class ActionAskCancelConfirmation(Action):
    def name(self) -> str:
        return "action_ask_cancel_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        dispatcher.utter_message(
            text=say("confirm_cancel", language),
            buttons=[
                button("yes_stop", language, "/affirm"),
                button("no_continue", language, "/deny"),
            ],
        )
        # No question is open while we wait: "no" must not be taken as an answer to it.
        return [SlotSet("confirmation", "cancel_filing"), SlotSet("requested_slot", None)]


class ActionCancelGrievance(Action):
    def name(self) -> str:
        return "action_cancel_grievance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("cancelled", current_language(tracker)))
        return [
            *_reset_filing(),
            SlotSet("idempotency_key", None),
            SlotSet("department_preview", None),
            SlotSet("requested_slot", None),
        ]


class ActionContinueGrievance(Action):
    def name(self) -> str:
        return "action_continue_grievance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("continue_filing", current_language(tracker)))
        return [SlotSet("confirmation", None)]


class ActionAskWhichField(Action):
    def name(self) -> str:
        return "action_ask_which_field"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        buttons = [
            {
                "title": field_label(field, language).capitalize(),
                "payload": f'/correct{{"field":"{field}"}}',
            }
            for field in GRIEVANCE_FIELDS
        ]
        dispatcher.utter_message(text=say("which_field", language), buttons=buttons)
        return [SlotSet("requested_slot", None)]


_NEW_VALUE = re.compile(
    r"(?:\bto\b|\bis\b|\binto\b|\bshould be\b|\bas\b|:|=|\bko\b|को|\bse\b|से|"
    r"\bbadal ?(?:ke|kar)\b|\bbadalkar\b|बदलकर|बदल कर)\s+",
    re.IGNORECASE,
)
_VALUE_TAIL = re.compile(
    r"\s+(?:kar ?do|kardo|karo|kr do|kijiye|kar dijiye|please|pls|कर दो|करें|कर दीजिए|"
    r"करो|hai|है)\W*$",
    re.IGNORECASE,
)
# Words of a correction request that are not the new value ("district Indore kar do").
_REQUEST_WORDS = frozenset(
    """
    change update edit fix correct correction modify replace set make my the a it its wrong
    please pls name naam mobile phone number no contact enterprise company firm business unit
    shop udyam registration state rajya district dist jila zila category type description
    problem details samasya badlo badal badalna badalni hai kar karo do dijiye galat sahi
    नाम मोबाइल नंबर फोन कंपनी फर्म उद्यम राज्य जिला ज़िला श्रेणी समस्या विवरण बदलो बदलें
    बदलना गलत है करो करें कर दो
    """.split()
)


_NOT_A_VALUE = frozenset(
    {"wrong", "incorrect", "not correct", "not right", "galat", "गलत", "a mistake", "misspelt"}
)


def _new_value_text(text: str) -> str | None:
    """The new value in "change the X to Y" / "X ko Y kar do" / "X बदलकर Y करो"."""
    matches = list(_NEW_VALUE.finditer(text))
    for match in matches:  # the first connector followed by a value, not by "wrong"
        value = _VALUE_TAIL.sub("", text[match.end() :]).strip(" .!\"'")
        first_word = value.split(maxsplit=1)[0].strip(",").lower() if value else ""
        if value and value.lower() not in _NOT_A_VALUE and first_word not in _NOT_A_VALUE:
            return value
    if matches:
        return None
    # No connector: what is left after the request words ("district Indore kar do").
    words = [w for w in re.split(r"[\s,]+", text) if w and w.lower() not in _REQUEST_WORDS]
    return " ".join(words).strip(" .!\"'") or None


def corrected_value(field: str, text: str, tracker: Tracker) -> Any:
    """The new value for ``field`` found in a correction message, or None."""
    entity = {
        "state": latest_entity(tracker, "state"),
        "category": latest_entity(tracker, "category"),
    }.get(field)
    if field == "mobile":
        return normalize_mobile(text)
    if field == "udyam_number":
        found = normalize_udyam(text)
        return found or (NO_UDYAM if says_no_udyam(_new_value_text(text) or "") else None)
    if field == "state":
        if entity:
            return canonical_state(entity)
        value = _new_value_text(text)
        return (canonical_state(value) if value else None) or find_state_in_text(text)
    if field == "category":
        if entity in CATEGORIES:
            return entity
        value = _new_value_text(text)
        return category_from_text(value) if value else None
    value = _new_value_text(text)
    if value is None:
        return None
    cleaner = {
        "name": clean_person_name,
        "enterprise_name": clean_enterprise_name,
        "district": clean_district,
        "description": clean_description,
    }[field]
    return cleaner(value)


def corrected_field(tracker: Tracker, text: str) -> str | None:
    field = latest_entity(tracker, "field")
    if field in GRIEVANCE_FIELDS:
        return field
    # No field word: infer it from a value only one field can take.
    if normalize_udyam(text):
        return "udyam_number"
    if normalize_mobile(text):
        return "mobile"
    if latest_entity(tracker, "state"):
        return "state"
    if latest_entity(tracker, "category") in CATEGORIES:
        return "category"
    return None


class ActionApplyCorrection(Action):
    """ "Change the state to Gujarat": set it if the new value is there and valid, otherwise
    clear the field so the form (run next by the rules) asks for it again."""

    def name(self) -> str:
        return "action_apply_correction"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        text = latest_text(tracker)
        field = corrected_field(tracker, text)
        events: list[EventType] = [SlotSet("requested_slot", None), SlotSet("confirmation", None)]
        if field is None:
            return events
        value = None if text.startswith("/") else corrected_value(field, text, tracker)
        if value is None:
            return [SlotSet(field, None), SlotSet("failed_attempts", 0.0), *events]
        shown = category_title(value, language) if field == "category" else value
        if value == NO_UDYAM:
            shown = say("no_udyam", language)
        dispatcher.utter_message(
            text=say("field_changed", language, field=field_label(field, language), value=shown)
        )
        return [SlotSet(field, value), *events]
