"""Ticket status by number, and the caller's own tickets ("my complaints")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import reading, ticket_number
from actions.backend_client import BackendRefused, BackendUnavailable, backend
from actions.chat import chat_identity, current_language, latest_entity, latest_text
from actions.followup import answer_awaiting
from actions.messages import button, say, status_name

_HINDI_MONTHS = "जनवरी फ़रवरी मार्च अप्रैल मई जून जुलाई अगस्त सितंबर अक्टूबर नवंबर दिसंबर".split()


def readable_date(value: Any, language: str) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if language == "hi":
        return f"{moment.day} {_HINDI_MONTHS[moment.month - 1]} {moment.year}"
    return moment.strftime("%d %b %Y").lstrip("0")


def describe_ticket(ticket: dict[str, Any], language: str) -> str:
    """Status for anyone; for the owner also the department, the due date and what the officer
    asked or decided (the question awaiting an answer, the resolution, the rejection reason)."""
    number = str(ticket.get("number", ""))
    status = str(ticket.get("status", ""))
    owner = bool(ticket.get("is_owner"))
    lines = [say("ticket_status", language, number=number, status=status_name(status, language))]
    department = department_name(ticket.get("department"), language)
    if department:
        lines.append(say("ticket_department", language, department=department))
    due = readable_date(ticket.get("resolve_due_at"), language)
    if due and status not in ("resolved", "closed", "rejected"):
        lines.append(say("ticket_due", language, date=due))
    if not owner:  # a stranger learns the status, nothing private and no offers to act
        return "\n".join(lines)
    if status == "awaiting_info":
        question = ticket.get("officer_question") or ticket.get("last_reply")
        if question:
            lines.append(say("ticket_officer_question", language, text=question))
        lines.append(say("ticket_awaiting_info", language))
    elif status in ("resolved", "closed") and ticket.get("resolution"):
        lines.append(say("ticket_resolution", language, text=ticket["resolution"]))
    elif status == "rejected" and ticket.get("rejection_reason"):
        lines.append(say("ticket_rejection", language, text=ticket["rejection_reason"]))
    elif ticket.get("last_reply"):
        lines.append(say("ticket_last_reply", language, text=ticket["last_reply"]))
    if status == "resolved" and ticket.get("reopen_allowed", True):
        lines.append(say("ticket_resolved_hint", language))
    return "\n".join(lines)


def department_name(department: Any, language: str) -> str | None:
    """The department's name in the conversation's language when the backend gives it."""
    if not isinstance(department, dict):
        return None
    if language == "hi" and department.get("name_hi"):
        return str(department["name_hi"])
    name = department.get("name")
    return str(name) if name else None


def mentioned_number(tracker: Tracker) -> str | None:
    """What the person wrote as a ticket number in the latest message, as written."""
    return latest_entity(tracker, "ticket_number")


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        written = mentioned_number(tracker)
        text = latest_text(tracker)
        if written is None and ticket_number.looks_like_number(text):
            written = text
        if written is None and len(text.split()) >= 4 and not reading.asks_status(text):
            # "status wahi hai sir, payment abhi tak nahi aaya": read as a status question,
            # but an answer to the officer who waits for one.
            handled = await answer_awaiting(dispatcher, tracker)
            if handled is not None:
                return handled
        return await tell_status(dispatcher, tracker, written)


async def tell_status(
    dispatcher: CollectingDispatcher, tracker: Tracker, written: str | None
) -> list[EventType]:
    """The status of the ticket written, or without a number the caller's own: their only or
    latest ticket told, and the others listed to pick from."""
    language = current_language(tracker)
    if written is None:
        return await _status_of_own(dispatcher, tracker, language)
    number = ticket_number.normalize(written)
    if number is None:  # caught here, without asking the backend
        dispatcher.utter_message(
            text=say("mistyped_number", language, number=written.strip().upper())
        )
        return []
    try:
        ticket = await backend(tracker).get_ticket(number, chat_identity(tracker))
    except (BackendUnavailable, BackendRefused):
        dispatcher.utter_message(text=say("backend_down", language))
        return []
    if ticket is None:
        dispatcher.utter_message(text=say("ticket_not_found", language, number=number))
        return []
    dispatcher.utter_message(text=describe_ticket({"number": number, **ticket}, language))
    return [SlotSet("last_ticket", number)]


async def _status_of_own(
    dispatcher: CollectingDispatcher, tracker: Tracker, language: str
) -> list[EventType]:
    try:
        tickets = await backend(tracker).list_tickets(chat_identity(tracker))
    except (BackendUnavailable, BackendRefused):
        tickets = []
    if not tickets:
        dispatcher.utter_message(text=say("ask_ticket_number", language))
        return []
    latest = str(tickets[0].get("number"))
    events = await tell_status(dispatcher, tracker, latest)
    if len(tickets) > 1:
        dispatcher.utter_message(
            text=say("other_tickets", language),
            buttons=[
                {"title": str(t.get("number")), "payload": f"status {t.get('number')}"}
                for t in tickets[1:6]
            ],
        )
    return events


class ActionListMyTickets(Action):
    def name(self) -> str:
        return "action_list_my_tickets"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = current_language(tracker)
        try:
            tickets = await backend(tracker).list_tickets(chat_identity(tracker))
        except (BackendUnavailable, BackendRefused):
            dispatcher.utter_message(text=say("backend_down", language))
            return []
        if not tickets:
            dispatcher.utter_message(
                text=say("no_tickets", language),
                buttons=[button("file", language, "/file_grievance")],
            )
            return []
        lines = [
            f"{t.get('number')}: {status_name(str(t.get('status', '')), language)}"
            for t in tickets[:10]
        ]
        dispatcher.utter_message(text=say("my_tickets", language, lines="\n".join(lines)))
        return [SlotSet("last_ticket", str(tickets[0].get("number")))] if len(tickets) == 1 else []
