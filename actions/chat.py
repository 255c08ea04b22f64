"""Reading the conversation: who is talking, in which language, and what they just said."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.backend_client import ChatIdentity, identity_from_sender
from actions.messages import supported_language


def current_language(tracker: Tracker) -> str:
    return supported_language(tracker.get_slot("language"))


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = tracker.latest_message.get("metadata")
    if isinstance(metadata, dict) and metadata:
        return metadata
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            found = event.get("metadata")
            return found if isinstance(found, dict) else {}
    return {}


def chat_identity(tracker: Tracker) -> ChatIdentity:
    return identity_from_sender(tracker.sender_id, latest_metadata(tracker))


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    value = next(tracker.get_latest_entity_values(entity), None)
    return None if value is None else str(value)


def previous_bot_action(tracker: Tracker) -> str | None:
    """The last action run before the latest user message (None at the start)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action":
            name = event.get("name")
            if name not in ("action_listen", "action_extract_slots"):
                return str(name)
    return None
