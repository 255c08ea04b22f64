"""The filing form's own questions, those more than a line (the one-line questions are
``actions.forms``): when the form adds one after a turn (the Udyam question on its own, the
category proposed from the story), and how each is asked: the category proposal with the
department it would go to, the summary (Submit / Change the topic / Change something /
Cancel), "stop filing?" and "which field to change?".
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendRefused, BackendUnavailable, backend
from actions.chat import current_language
from actions.districts import district_hindi_name
from actions.grievance_fields import CATEGORIES, GRIEVANCE_FIELDS, NO_UDYAM
from actions.messages import button, category_title, field_label, say
from actions.states import hindi_name
from actions.status import department_name


def udyam_question(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """The Udyam number is asked with the enterprise; when the enterprise came without that
    question (an opening that told it), the Udyam question is asked on its own, once."""
    slots = {
        name: tracker.get_slot(name)
        for name in ("name", "mobile", "enterprise_name", "udyam_number")
    }
    slots["udyam_offered"] = tracker.get_slot("udyam_offered")
    explicit = False
    for event in events:
        if event.get("event") != "slot":
            continue
        if event["name"] in slots:
            slots[event["name"]] = event["value"]
        if event["name"] == "requested_slot":
            explicit = True
    known = slots["name"] and slots["mobile"] and slots["enterprise_name"]  # in the form's order
    if explicit or not known or slots["udyam_number"] or slots["udyam_offered"]:
        return []
    return [SlotSet("requested_slot", "udyam_number")]


async def propose_category(tracker: Tracker, events: list[EventType]) -> list[EventType]:
    """Once the problem is told and no category chosen, the category the backend reads in it
    (the route preview) is taken as proposed: the summary shows it with the department, and
    one tap on Submit confirms it ("Change" changes it). Without the backend the category
    question is asked instead."""
    slots = {name: tracker.get_slot(name) for name in ("description", "category", "state")}
    for event in events:
        if event.get("event") != "slot":
            continue
        if event["name"] in slots:
            slots[event["name"]] = event["value"]
        if event["name"] == "requested_slot" and event["value"] == "category":
            return []  # the person asked to choose the category: no proposal over it
    if not slots["description"] or slots["category"]:
        return []
    try:
        preview = await backend(tracker).preview_route(
            str(slots["description"]), None, slots["state"]
        )
    except (BackendUnavailable, BackendRefused):
        return []
    proposal = preview.get("category")
    if proposal not in CATEGORIES:
        return []
    return [SlotSet("category", proposal), SlotSet("category_proposal", proposal)]


class AskCategory(Action):
    """The category proposed from the story, with the department it would go to; one tap
    confirms it, the other buttons choose another."""

    def name(self) -> str:
        return "action_ask_category"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        description = str(tracker.get_slot("description") or "")
        proposal, department = None, None
        if description:
            try:
                preview = await backend(tracker).preview_route(
                    description, None, tracker.get_slot("state")
                )
                proposal = preview.get("category")
                department = department_name(preview.get("department"), language)
            except (BackendUnavailable, BackendRefused):
                proposal = None
        others = [code for code in CATEGORIES if code != proposal]
        buttons = [
            {"title": category_title(code, language), "payload": f'/inform{{"category":"{code}"}}'}
            for code in others
        ]
        if proposal in CATEGORIES:
            dispatcher.utter_message(
                text=say(
                    "propose_category",
                    language,
                    category=category_title(str(proposal), language),
                    department=department or "-",
                ),
                buttons=[
                    {
                        "title": say("button_yes_category", language),
                        "payload": f'/inform{{"category":"{proposal}"}}',
                    },
                    *buttons,
                ],
            )
            return [SlotSet("category_proposal", proposal)]
        dispatcher.utter_message(text=say("ask_category", language), buttons=buttons)
        return [SlotSet("category_proposal", None)]


def summary_fields(tracker: Tracker, language: str) -> dict[str, str]:
    values = {name: str(tracker.get_slot(name) or "-") for name in GRIEVANCE_FIELDS}
    if values["udyam_number"] in (NO_UDYAM, "-"):
        values["udyam_number"] = say("no_udyam", language)
    if values["category"] in CATEGORIES:
        values["category"] = category_title(values["category"], language)
    if language == "hi" and tracker.get_slot("state"):
        values["state"] = hindi_name(str(tracker.get_slot("state")))
    if language == "hi" and tracker.get_slot("district"):
        values["district"] = district_hindi_name(
            str(tracker.get_slot("district")), tracker.get_slot("state")
        )
    description = values["description"]
    values["description"] = description if len(description) <= 300 else description[:297] + "..."
    return values


def summary_buttons(language: str) -> list[dict[str, str]]:
    """Submit confirms everything, the proposed category too; one tap shows the categories."""
    return [
        button("submit", language, "/affirm"),
        button("change_category", language, '/correct{"field":"category"}'),
        button("change", language, "/correct"),
        button("cancel", language, "/cancel"),
    ]


class AskConfirmed(Action):
    """The summary: everything collected, where it will go and why, Submit / Change / Cancel."""

    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        department, reason = None, None
        try:
            preview = await backend(tracker).preview_route(
                str(tracker.get_slot("description") or ""),
                tracker.get_slot("category"),
                tracker.get_slot("state"),
            )
            department = department_name(preview.get("department"), language)
            reason = preview.get("reason")
            decided = preview.get("category")
        except (BackendUnavailable, BackendRefused):
            department = None  # the summary is still useful; routing happens on submit
            decided = None
        fields = summary_fields(tracker, language)
        if decided in CATEGORIES and decided != tracker.get_slot("category"):
            # "Other" (or a category the text plainly contradicts) is routed by the text: the
            # summary shows the category the ticket will carry, not the one tapped.
            fields["category"] = category_title(str(decided), language)
        text = say("summary", language, **fields)
        if department:
            text += "\n\n" + say("summary_department", language, department=department)
            if reason and language == "en":
                text += "\n" + say("summary_reason", language, reason=reason)
        else:
            text += "\n\n" + say("summary_no_department", language)
        dispatcher.utter_message(text=text, buttons=summary_buttons(language))
        if not tracker.get_slot("udyam_number") and not tracker.get_slot("udyam_offered"):
            # Never asked (the opening told the enterprise): offered here, no extra question.
            dispatcher.utter_message(text=say("summary_udyam_hint", language))
        return [SlotSet("department_preview", department)]


class AskStopFiling(Action):
    def name(self) -> str:
        return "action_ask_stop_filing"

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
        return []


class AskFieldToChange(Action):
    def name(self) -> str:
        return "action_ask_field_to_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        buttons = [
            {
                "title": field_label(name, language).capitalize(),
                "payload": f'/correct{{"field":"{name}"}}',
            }
            for name in GRIEVANCE_FIELDS
        ]
        dispatcher.utter_message(text=say("which_field", language), buttons=buttons)
        return []
