"""The filing form, answers read in context.

While the grievance form is active, every message reaches ``validate_grievance_form`` (the
form has no mid-form rules): the NLU's intent is not trusted to tell an answer from a command,
because names of people and enterprises hold intent words ("Status Garments", "Helpline
Printers", "Cancel Traders"). ``actions.reading`` decides what a message is (with
``actions.corrections``, ``actions.answers`` and ``actions.stated_fields``); this module acts
on it and tells the form which question comes next.

Besides the eight fields the form has three questions of its own: ``category`` is asked as a
proposal made from the story (with the department it would go to), ``confirmed`` is the summary
(Submit / Change / Cancel), ``stop_filing`` asks before discarding the answers, and
``field_to_change`` asks which field to change (each asked by ``actions.filing_questions``).
When ``confirmed`` is set the form ends and the rules file the ticket.
"""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import answers, reading
from actions.care import care_first
from actions.chat import current_language, latest_entity, latest_text
from actions.corrections import corrected_field_named, correction_value, field_from_label
from actions.districts import district_in_state
from actions.filing_questions import propose_category, udyam_question
from actions.grievance_fields import (
    CATEGORIES,
    GRIEVANCE_FIELDS,
    MAX_DESCRIPTION_LENGTH,
    NO_UDYAM,
    REQUIRED,
    is_placeholder,
    missing_fields,
    normalize_udyam,
    says_no_udyam,
)
from actions.messages import button, category_title, field_label, say
from actions.schemes import answer_scheme_question
from actions.stated_fields import stated_fields
from actions.states import hindi_name
from actions.status import tell_status

# The form's own questions, asked after (or between) the fields.
STEP_SLOTS = (
    "confirmed",
    "stop_filing",
    "field_to_change",
    "resume_slot",
    "category_proposal",
    "udyam_offered",
)
MAX_FAILURES = 3
NAMED = frozenset({"name", "enterprise_name"})  # answers that are names, not descriptions


def reset_filing(keep: dict[str, Any] | None = None) -> list[EventType]:
    """Every answer cleared except ``keep``, and the form's own questions closed."""
    keep = keep or {}
    return [SlotSet(name, keep.get(name)) for name in GRIEVANCE_FIELDS] + [
        *(SlotSet(name, None) for name in STEP_SLOTS),
        SlotSet("failed_attempts", 0.0),
        SlotSet("confirmation", None),
    ]


class ValidateGrievanceForm(FormValidationAction):
    """One turn of the filing form: what the message is, and which question comes next."""

    def name(self) -> str:
        return "validate_grievance_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        asked = tracker.get_slot("requested_slot")
        if not asked or (tracker.active_loop or {}).get("name") != "grievance_form":
            # The form starting (or coming back after a failed submit): the message that
            # started it was read by the action that started it.
            return []
        cared = care_first(dispatcher, tracker)
        turn = FilingTurn(dispatcher, tracker)
        turn.cared = bool(cared)
        events = await turn.handle(str(asked))
        events += await propose_category(tracker, events)
        if asked not in ("confirmed", "stop_filing", "field_to_change"):
            events += udyam_question(tracker, events)  # at the summary it is offered there
        # A SlotSet always comes back, so the form never rejects the turn to another policy.
        return [*cared, *events, SlotSet("failed_attempts", turn.failures)]


class FilingTurn:
    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.language = current_language(tracker)
        self.text = latest_text(tracker).strip()
        self.intent = (tracker.latest_message.get("intent") or {}).get("name")
        self.failures = float(tracker.get_slot("failed_attempts") or 0)
        self.slots = {name: tracker.get_slot(name) for name in GRIEVANCE_FIELDS}

    def say(self, key: str, buttons: list[dict[str, str]] | None = None, **values: Any) -> None:
        self.dispatcher.utter_message(text=say(key, self.language, **values), buttons=buttons)

    async def handle(self, asked: str) -> list[EventType]:
        if self.text.startswith("/"):
            return await self.payload(asked)
        command = reading.command_in(self.text)
        if command:
            return await self.command(command, asked)
        if asked == "stop_filing":
            return self.stop_answer(asked)
        if asked == "confirmed":
            return await self.at_summary()
        if asked == "field_to_change":
            return self.choose_field()
        if reading.is_continue(self.text):
            self.say("continue_filing")
            return []
        proposal_accepted = asked == "category" and reading.is_yes(self.text)
        if reading.is_small_talk(self.text) and not proposal_accepted:
            return []  # "hi", "thanks", "ok": nothing answered, the question comes again
        if reading.asks_status(self.text):
            events = await tell_status(
                self.dispatcher, self.tracker, reading.ticket_number_in(self.text)
            )
            self.say("back_to_filing")
            return events
        if asked not in ("description",) and reading.is_question(self.text):
            await answer_scheme_question(self.dispatcher, self.tracker, self.text, False)
            self.say("back_to_filing")
            return []
        # A correction is short; a long message (a description above all) that happens to
        # say "change" and "company" is an answer.
        words = len(self.text.split())
        short = words <= (8 if asked == "description" else 12)
        named = corrected_field_named(self.text, self.intent == "correct") if short else None
        if named and named != asked and named in GRIEVANCE_FIELDS:
            events = self.correct(named, correction_value(self.text))
            # Corrected: the question that was open is asked again (even an optional one).
            return [*events, SlotSet("requested_slot", asked)] if self.changed else events
        if named == asked:  # "sorry, the district is Thane" to the district question
            value_text = correction_value(self.text)
            if value_text:
                self.text = value_text
        return self.answer(asked)

    # --- buttons ---------------------------------------------------------------------------
    async def payload(self, asked: str) -> list[EventType]:
        intent = self.intent
        if intent in ("cancel", "help", "restart"):
            return await self.command(str(intent), asked)
        if intent == "change_language":
            wanted = latest_entity(self.tracker, "language")
            return await self.command(f"language:{wanted}", asked)
        if asked == "stop_filing":
            return self.stop_answer(asked)
        if asked == "confirmed":
            return await self.at_summary()
        if intent == "correct":
            field = latest_entity(self.tracker, "field")
            if field in GRIEVANCE_FIELDS:
                return [SlotSet(str(field), None), SlotSet("requested_slot", field)]
            return [SlotSet("requested_slot", "field_to_change")]
        if intent == "affirm" and asked == "category":
            proposal = self.tracker.get_slot("category_proposal")
            return [SlotSet("category", proposal)] if proposal in CATEGORIES else []
        if intent == "skip" and asked == "udyam_number":
            return [SlotSet("udyam_number", NO_UDYAM)]
        category = latest_entity(self.tracker, "category")
        if asked == "category" and category in CATEGORIES:
            return [SlotSet("category", category)]
        if intent == "check_status":
            events = await tell_status(self.dispatcher, self.tracker, None)
            self.say("back_to_filing")
            return events
        if intent == "ask_scheme":
            self.say("scheme_prompt")
            return []
        return []  # any other button: the question is asked again

    # --- commands --------------------------------------------------------------------------
    async def command(self, command: str, asked: str) -> list[EventType]:
        if command in ("cancel", "menu"):
            if asked == "stop_filing":
                return self.discard()
            resume = asked if asked != "field_to_change" else "confirmed"
            return [SlotSet("resume_slot", resume), SlotSet("requested_slot", "stop_filing")]
        if command == "help":
            self.dispatcher.utter_message(response="utter_help")
            self.say("back_to_filing")
            return []
        if command == "restart":
            self.say("restarted")
            return [
                *reset_filing(),
                SlotSet("idempotency_key", uuid.uuid4().hex),
                SlotSet("requested_slot", "name"),
            ]
        if command.startswith("language:"):
            wanted = command.split(":", 1)[1]
            if wanted in ("en", "hi", "hinglish"):
                self.language = wanted
                self.say("language_changed")
                return [SlotSet("language", wanted)]
        return []

    def stop_answer(self, asked: str) -> list[EventType]:
        if self.intent == "affirm" or reading.is_yes(self.text):
            return self.discard()
        resume = self.tracker.get_slot("resume_slot") or None
        self.say("continue_filing")
        return [SlotSet("resume_slot", None), SlotSet("requested_slot", resume)]

    def discard(self) -> list[EventType]:
        self.say("cancelled")
        self.failures = 0.0
        return [
            *reset_filing(),
            SlotSet("idempotency_key", None),
            SlotSet("department_preview", None),
            SlotSet("requested_slot", None),
        ]

    # --- the summary -----------------------------------------------------------------------
    async def at_summary(self) -> list[EventType]:
        if (self.intent == "affirm" and self.text.startswith("/")) or reading.is_yes(self.text):
            missing = missing_fields(self.slots)
            if missing:  # never file a placeholder: ask what is missing instead
                return [SlotSet("requested_slot", missing[0])]
            return [SlotSet("confirmed", True), SlotSet("requested_slot", None)]
        if self.intent == "correct" and self.text.startswith("/"):
            field = latest_entity(self.tracker, "field")
            if field in GRIEVANCE_FIELDS:  # "Change the topic": that question again
                return [SlotSet(str(field), None), SlotSet("requested_slot", field)]
            return [SlotSet("requested_slot", "field_to_change")]
        if reading.is_no(self.text):
            return [SlotSet("requested_slot", "field_to_change")]
        if self.text.startswith("/"):
            return []
        offered = not self.slots.get("udyam_number") and not self.tracker.get_slot("udyam_offered")
        if offered and says_no_udyam(self.text):  # "nahi hai" to "Udyam number? send it now"
            return [
                SlotSet("udyam_number", NO_UDYAM),
                SlotSet("udyam_offered", True),
                SlotSet("requested_slot", "confirmed"),
            ]
        udyam = normalize_udyam(self.text)
        if udyam:  # the Udyam number offered at the summary
            self.changed = True
            label = field_label("udyam_number", self.language)
            self.say("field_changed", field=label, value=udyam)
            return [SlotSet("udyam_number", udyam), SlotSet("requested_slot", "confirmed")]
        named = corrected_field_named(self.text, self.intent == "correct") or field_from_label(
            self.text
        )
        if named:
            events = self.correct(named, correction_value(self.text))
            cleared = any(
                e.get("event") == "slot" and e["name"] in REQUIRED and e["value"] is None
                for e in events
            )
            if self.changed and not cleared:  # the summary again, with the change
                return [*events, SlotSet("requested_slot", "confirmed")]
            return events  # a question first (a district that no longer fits the state)
        if reading.asks_status(self.text):
            return await tell_status(
                self.dispatcher, self.tracker, reading.ticket_number_in(self.text)
            )
        if reading.is_question(self.text):
            await answer_scheme_question(self.dispatcher, self.tracker, self.text, False)
            return []
        if len(self.text.split()) >= 6 and not reading.is_small_talk(self.text):
            # More of the story, told at the summary: added to the complaint, never dropped.
            described = str(self.slots.get("description") or "").strip()
            added = f"{described}\n{self.text}" if described else self.text
            if len(added) <= MAX_DESCRIPTION_LENGTH:
                self.changed = True
                self.say("added_to_description")
                return [SlotSet("description", added), SlotSet("requested_slot", "confirmed")]
        return []  # the summary is shown again with its buttons

    def choose_field(self) -> list[EventType]:
        named = field_from_label(self.text) or corrected_field_named(self.text)
        if named in GRIEVANCE_FIELDS:
            value = correction_value(self.text)
            events = self.correct(str(named), value)
            return events if not self.changed else [*events, SlotSet("requested_slot", "confirmed")]
        return []

    # --- answers and corrections -----------------------------------------------------------
    changed = False
    cared = False  # the caring reply was given this turn (actions/care.py)

    def correct(self, field: str, value_text: str | None) -> list[EventType]:
        """Set ``field`` from the correction's value, or ask for it when none is usable."""
        state = self.slots.get("state") if field != "state" else None
        value = answers.answer_for(field, value_text, state) if value_text else None
        if value is None:
            return [SlotSet(field, None), SlotSet("requested_slot", field)]
        self.changed = True
        self.say(
            "field_changed", field=field_label(field, self.language), value=self.shown(field, value)
        )
        events: list[EventType] = [SlotSet(field, value)]
        if field == "state":
            events += self.district_still_fits(value)
        if field == "category":
            events.append(SlotSet("category_proposal", None))
        return events

    def district_still_fits(self, state: str) -> list[EventType]:
        district = self.slots.get("district")
        if district and not district_in_state(str(district), state):
            return [SlotSet("district", None)]
        return []

    def answer(self, asked: str) -> list[EventType]:
        if asked == "category" and (reading.is_yes(self.text)):
            proposal = self.tracker.get_slot("category_proposal")
            if proposal in CATEGORIES:
                return [SlotSet("category", proposal)]
        place = answers.place_instead_of_name(self.text) if asked == "name" else None
        if place:  # "Banglore" to "What is your name?": kept where it belongs, name asked again
            known = {k: v for k, v in place.items() if is_placeholder(self.slots.get(k))}
            self.say("noted", values=self.listing(known or place))
            return [SlotSet(k, v) for k, v in known.items()]
        if asked == "enterprise_name" and is_placeholder(self.slots.get("udyam_number")):
            rest = answers.without_udyam_answer(self.text)
            if rest and rest != self.text.strip():
                # "Yadav Steel Works, Udyam nahi hai": both answers of the question.
                self.text = rest
                return [SlotSet("udyam_number", NO_UDYAM), *self.answer(asked)]
        late = answers.late_udyam_answer(self.text) if asked != "udyam_number" else None
        if late == NO_UDYAM and is_placeholder(self.slots.get("udyam_number")):
            # The Udyam question (asked with the enterprise) answered a turn late: noted, and
            # the question asked now is asked again rather than given "udyam nahi hai".
            self.say("noted", values=self.listing({"udyam_number": late}))
            return [SlotSet("udyam_number", late)]
        state = self.slots.get("state")
        head = self._head(asked)
        if asked == "district" and not state and not answers.is_district(head):
            named_state = answers.answer_for("state", head)
            if named_state:  # "Maharashtra" (or "यूपी") to "Which district?"
                self.say("noted", values=self.listing({"state": named_state}))
                return [SlotSet("state", named_state)]
        # The answer to the question first (the message up to its first clause), then what a
        # cue states ("I am X"): "Khadi Gram Udyog Samiti, Udyam number ..." is the firm's
        # whole name, not the words before "Udyog".
        direct = answers.answer_for(asked, head, state)
        stated: dict[str, str] = {}
        if asked != "description":
            # The rest of the message states the other fields; a name answered is not read
            # again for places ("Krishna Dairy" names no district).
            rest = self.text
            if direct and asked in NAMED and direct in rest:
                rest = rest.replace(direct, " ", 1)
            stated = stated_fields(rest, state)
        value = direct or stated.get(asked)
        if value is None and asked != "description":
            value = answers.answer_for(asked, self.text, state)
        events: list[EventType] = []
        filled: dict[str, str] = {}
        if value is not None:
            filled[asked] = value
        for name, found in stated.items():
            if name != asked and is_placeholder(self.slots.get(name)):
                filled[name] = found
        if asked == "district" and value is not None and not self.slots.get("state"):
            # "Patna, Bihar" names both; a district alone names its state (unless two states
            # have a district of that name).
            found_state = answers.state_in(self.text) or answers.state_of(value)
            if found_state and "state" not in filled:
                filled["state"] = found_state
        for name, found in filled.items():
            events.append(SlotSet(name, found))
        if "state" in filled and "district" not in filled:
            events += self.district_still_fits(filled["state"])
        extra = {name: v for name, v in filled.items() if name != asked}
        if extra:
            self.say("noted", values=self.listing(extra))
        if value is None:
            self.refuse(asked)
        else:
            self.failures = 0.0
        return events

    def _head(self, asked: str) -> str:
        """The part of an answer before a clause that states something else ("Ram Prasad,
        from Kanpur"): what a bare answer to the question is."""
        if asked in ("description", "category"):
            return self.text
        head = answers.clause_head(asked, self.text)
        return head or self.text

    def refuse(self, asked: str) -> None:
        if self.cared:
            # The message spoke of self-harm and was answered with care: the question comes
            # again without "that is not a mobile number", and no failure is counted.
            return
        self.failures += 1
        if reading.is_skip(self.text) and asked in REQUIRED:
            self.say("field_required", field=field_label(asked, self.language))
        elif asked == "description" and len(self.text) > 4000:
            self.say("description_too_long", length=len(self.text))
        else:
            self.say(f"invalid_{asked}")
        if self.failures < MAX_FAILURES:
            return
        stop = button("stop", self.language, "/cancel")
        if asked in REQUIRED:
            self.say("too_many_failures_required", buttons=[stop])
        else:
            skip = button("skip", self.language, "/skip")
            self.say("too_many_failures_optional", buttons=[skip, stop])

    def shown(self, field: str, value: str) -> str:
        if field == "category":
            return category_title(value, self.language)
        if value == NO_UDYAM:
            return say("no_udyam", self.language)
        if field == "state" and self.language == "hi":
            return hindi_name(value)
        return value

    def listing(self, values: dict[str, str]) -> str:
        lines = [
            f"{field_label(name, self.language).capitalize()}: {self.shown(name, value)}"
            for name, value in values.items()
            if name != "description"
        ]
        if "description" in values:
            lines.append(say("noted_story" if lines else "noted_story_alone", self.language))
        return "\n".join(lines)
