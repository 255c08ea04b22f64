"""Filing a grievance: start (reading what the opening message already tells), submission
once the form's summary is confirmed, and cancelling a submission the backend could not take.

The idempotency key is made when filing starts and kept until the ticket exists, so a submit
retried after the backend was down creates exactly one ticket. The form itself, answers read
in context, is ``actions.filing``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import reading
from actions.backend_client import BackendRefused, BackendUnavailable, backend
from actions.care import care_first, distress_to_write
from actions.chat import chat_identity, current_language, latest_text
from actions.filing import reset_filing
from actions.filing_questions import propose_category
from actions.followup import answer_awaiting
from actions.grievance_fields import GRIEVANCE_FIELDS, NO_UDYAM, missing_fields
from actions.messages import button, say
from actions.stated_fields import stated_fields
from actions.status import department_name

log = logging.getLogger(__name__)

# What is worth offering again in a second complaint from the same chat.
PROFILE_FIELDS = ("name", "mobile", "enterprise_name", "udyam_number", "state", "district")


class ActionStartGrievance(Action):
    """Fresh filing: new idempotency key, and every field the opening message states kept
    (a story told in it is the description). A message that answers an officer's question
    goes to the officer instead, and no filing starts (``filing_start`` tells the rules)."""

    def name(self) -> str:
        return "action_start_grievance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [*care_first(dispatcher, tracker), *await self._answer(dispatcher, tracker)]

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        text = latest_text(tracker).strip()
        command = text.startswith("/") or reading.is_filing_request(text)
        if not command:
            handled = await answer_awaiting(dispatcher, tracker)
            if handled is not None:
                return [*handled, SlotSet("filing_start", "officer_answer")]
        given: dict[str, Any] = {} if command else stated_fields(text)
        profile = tracker.get_slot("profile") or {}
        if isinstance(profile, dict):
            for name in PROFILE_FIELDS:
                if profile.get(name) and name not in given:
                    given[name] = profile[name]
        language = current_language(tracker)
        if profile and isinstance(profile, dict) and profile.get("name"):
            dispatcher.utter_message(text=say("reusing_profile", language, name=profile["name"]))
        elif len(given) > 1 or "description" in given:
            dispatcher.utter_message(text=say("noted_opening", language))
        started = reset_filing(given)
        return [
            *started,
            *await propose_category(tracker, started),
            SlotSet("idempotency_key", uuid.uuid4().hex),
            SlotSet("requested_slot", None),
            SlotSet("filing_start", "form"),
            # Run as the rules' step after a request to file, or as a follow-up of a story
            # told without one: either way the form comes next.
            FollowupAction("grievance_form"),
        ]


# The backend's refusal of a filing's key sent again with another body (backend/api/app.py).
KEY_REUSED = "idempotency_key_reused"


class ActionSubmitGrievance(Action):
    """Files the confirmed complaint. Run when the form ends: a form that was stopped has
    nothing confirmed and is left alone (its answers were discarded and the person told)."""

    def name(self) -> str:
        return "action_submit_grievance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        confirmed = tracker.get_slot("confirmed") or tracker.get_slot("confirmation") == "submit"
        if not confirmed:
            return []
        slots = {name: tracker.get_slot(name) for name in GRIEVANCE_FIELDS}
        missing = missing_fields(slots)
        if missing:  # never file a placeholder: back to the form at the first missing answer
            return _back_to_form(missing[0])
        events: list[EventType] = []
        key = tracker.get_slot("idempotency_key")
        if not key:  # filing started without action_start_grievance: make one and keep it
            key = uuid.uuid4().hex
            events.append(SlotSet("idempotency_key", key))
        who = chat_identity(tracker)
        udyam = slots["udyam_number"]
        ticket = {
            "idempotency_key": key,
            **who.as_params(),
            **slots,
            "udyam_number": None if udyam in (None, NO_UDYAM) else udyam,
            "language": language,
        }
        try:
            try:
                created = await backend(tracker).create_ticket(ticket)
            except BackendRefused as exc:
                if exc.code != KEY_REUSED:
                    raise
                # An earlier submit that timed out was filed with the answers as they were
                # then; these changed answers are a filing of their own (the backend names
                # the earlier one in duplicate_of, said below).
                key = uuid.uuid4().hex
                events.append(SlotSet("idempotency_key", key))
                created = await backend(tracker).create_ticket({**ticket, "idempotency_key": key})
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
            field = next((name for name in GRIEVANCE_FIELDS if name in str(exc.detail)), None)
            dispatcher.utter_message(text=say("submit_rejected", language, reason=exc.detail))
            return [*events, *_back_to_form(field or "field_to_change")]
        number = str(created["number"])
        department = department_name(created.get("department"), language) or tracker.get_slot(
            "department_preview"
        )
        dispatcher.utter_message(
            text=say("filed", language, number=number, department=department or "-")
        )
        if created.get("duplicate_of"):
            dispatcher.utter_message(
                text=say("possible_duplicate", language, number=created["duplicate_of"])
            )
        await _write_distress(tracker, number, str(slots["description"]), language)
        profile = {name: slots[name] for name in PROFILE_FIELDS if slots.get(name)}
        return [
            *reset_filing(),
            SlotSet("distress", None),
            SlotSet("idempotency_key", None),
            SlotSet("department_preview", None),
            SlotSet("last_ticket", number),
            SlotSet("profile", profile),
        ]


async def _write_distress(tracker: Tracker, number: str, description: str, language: str) -> None:
    """What the person said of self-harm outside the complaint's text goes on the ticket: its
    officers read it, and the ticket turns critical (actions/care.py)."""
    for text in distress_to_write(tracker, description):
        try:
            await backend(tracker).send_message(number, chat_identity(tracker), text, language)
        except (BackendUnavailable, BackendRefused) as exc:
            # The complaint is filed and the helpline was given; the officer misses the words.
            log.error("could not write a distress message on ticket %s: %s", number, exc)


def _back_to_form(question: str) -> list[EventType]:
    events: list[EventType] = [SlotSet("confirmed", None), SlotSet("confirmation", None)]
    if question in GRIEVANCE_FIELDS:
        events.append(SlotSet(question, None))
    return [*events, SlotSet("requested_slot", question), FollowupAction("grievance_form")]


class ActionCancelGrievance(Action):
    def name(self) -> str:
        return "action_cancel_grievance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=say("cancelled", current_language(tracker)))
        return [
            *reset_filing(),
            SlotSet("idempotency_key", None),
            SlotSet("department_preview", None),
            SlotSet("requested_slot", None),
        ]
