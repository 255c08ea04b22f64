"""Scheme questions, answered from the backend's curated scheme knowledge base."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend_client import BackendRefused, BackendUnavailable, backend
from actions.chat import current_language, latest_text
from actions.messages import button, say


class ActionAnswerScheme(Action):
    def name(self) -> str:
        return "action_answer_scheme"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await answer_scheme_question(dispatcher, tracker, latest_text(tracker), offer_filing=True)
        return []


async def answer_scheme_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, question: str, offer_filing: bool
) -> None:
    """The knowledge base's answer, or a plain "I don't know" (with a way to file a complaint
    when no filing is under way)."""
    language = current_language(tracker)
    question = question.strip()
    if question.startswith("/") or len(question) < 3:  # the menu button, not a question
        dispatcher.utter_message(text=say("scheme_prompt", language))
        return
    try:
        found = await backend(tracker).search_schemes(question, k=3)
    except (BackendUnavailable, BackendRefused):
        dispatcher.utter_message(text=say("backend_down", language))
        return
    results = found.get("results") or []
    if not found.get("answered") or not results:
        # Say so plainly rather than guess; a scheme problem can become a grievance.
        buttons = (
            [button("file", language, "/file_grievance"), button("no_thanks", language, "/deny")]
            if offer_filing
            else []
        )
        dispatcher.utter_message(text=say("scheme_no_answer", language), buttons=buttons)
        return
    best = results[0]
    dispatcher.utter_message(
        text=say(
            "scheme_answer",
            language,
            title=best.get("title", ""),
            answer=best.get("answer", ""),
            url=best.get("url", ""),
        )
    )
    others = [r.get("title") for r in results[1:] if r.get("title") != best.get("title")]
    if others:
        dispatcher.utter_message(
            text=say("scheme_also", language, titles="; ".join(str(t) for t in others))
        )
