"""Rasa's form loop for the filing form, run in-process over the real actions: the start
action, the form's validator each turn, the question the form asks next, and submission when
the form ends. It follows rasa.core.actions.forms.FormAction: a validator's ``requested_slot``
is asked next; set to None it ends the form; otherwise the first empty required slot is asked.

Generated-conversation tests drive many people through it in seconds; the same people talk to
the real Rasa server in tests/integration/.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.filing import ValidateGrievanceForm
from actions.filing_questions import AskCategory, AskConfirmed, AskFieldToChange, AskStopFiling
from actions.forms import SlotQuestion
from actions.grievance import ActionStartGrievance, ActionSubmitGrievance
from tests.actions.conftest import make_tracker

_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


def _questions() -> dict[str, Any]:
    asks: dict[str, Any] = {cls.slot: cls for cls in SlotQuestion.__subclasses__()}
    asks.update(
        category=AskCategory,
        confirmed=AskConfirmed,
        stop_filing=AskStopFiling,
        field_to_change=AskFieldToChange,
    )
    return asks


def parse(text: str, intent: str) -> tuple[str, dict[str, str]]:
    """A button payload as Rasa reads it; typed text keeps the intent the test gives it."""
    match = _PAYLOAD.match(text.strip())
    if not match:
        return intent, {}
    entities = json.loads(match.group("entities") or "{}")
    return match.group("intent"), {k: str(v) for k, v in entities.items()}


class FormLoop:
    def __init__(self, domain: dict[str, Any], language: str = "en", sender: str = "tg:777"):
        self.domain = domain
        self.sender = sender
        self.slots: dict[str, Any] = {"language": language, "failed_attempts": 0.0}
        self.active = False
        self.turns: list[tuple[str, list[dict[str, Any]]]] = []
        self.required = list(domain["forms"]["grievance_form"]["required_slots"])

    def _apply(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]

    def _tracker(self, text: str, intent: str, entities: dict[str, str] | None) -> Any:
        return make_tracker(
            text=text,
            intent=intent,
            entities=entities,
            slots=dict(self.slots),
            sender=self.sender,
            active_loop="grievance_form" if self.active else None,
        )

    async def say(self, text: str, intent: str = "inform") -> list[dict[str, Any]]:
        """One user message; returns the bot's messages for it."""
        intent, entities = parse(text, intent)
        dispatcher = CollectingDispatcher()
        if not self.active:
            if intent != "file_grievance":
                raise AssertionError(f"no filing under way for {text!r}")
            tracker = self._tracker(text, intent, entities)
            events = await ActionStartGrievance().run(dispatcher, tracker, self.domain)
            self._apply(events)
            if self.slots.get("filing_start") == "form":
                self.active = True
                await self._ask_next(dispatcher, explicit=False, asked=None)
        else:
            tracker = self._tracker(text, intent, entities)
            events = await ValidateGrievanceForm().run(dispatcher, tracker, self.domain)
            requested = [
                e for e in events if e.get("event") == "slot" and e["name"] == "requested_slot"
            ]
            self._apply(events)
            explicit = bool(requested)
            await self._ask_next(
                dispatcher, explicit, requested[-1]["value"] if requested else None
            )
        self.turns.append((text, dispatcher.messages))
        return dispatcher.messages

    async def _ask_next(self, dispatcher: CollectingDispatcher, explicit: bool, asked: Any) -> None:
        if explicit and asked is None:
            return await self._finish(dispatcher)
        if not explicit:
            asked = next((s for s in self.required if self.slots.get(s) is None), None)
            if asked is None:
                self.slots["requested_slot"] = None
                return await self._finish(dispatcher)
        self.slots["requested_slot"] = asked
        question = _questions()[asked]()
        tracker = self._tracker("", "inform", None)
        self._apply(await question.run(dispatcher, tracker, self.domain))

    async def _finish(self, dispatcher: CollectingDispatcher) -> None:
        self.active = False
        tracker = self._tracker("", "inform", None)
        self._apply(await ActionSubmitGrievance().run(dispatcher, tracker, self.domain))
