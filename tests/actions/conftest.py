"""Fixtures for the action tests (run under .venv-rasa/bin/pytest): a tracker builder, the
domain as the action server receives it, the backend faked at the HTTP edge with respx, and a
grievance with every answer given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import backend_client, settings

ROOT = Path(__file__).resolve().parents[2]
BACKEND_URL = "http://backend.test"
SERVICE_TOKEN = "test-service-token"
# Every answer of a grievance given, and the department the backend routes it to.
FILLED = {
    "name": "Ramesh Kumar",
    "mobile": "+919876543210",
    "enterprise_name": "Shree Ganesh Textiles",
    "udyam_number": "none",
    "state": "Maharashtra",
    "district": "Pune",
    "category": "delayed_payment",
    "description": "A PSU has not paid my invoices worth 4 lakh since March",
}
DEPARTMENT = {"code": "MSEFC-MH", "name": "MSE Facilitation Council, Maharashtra"}


@pytest.fixture(autouse=True)
def backend_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("BACKEND_URL", BACKEND_URL)
    monkeypatch.setenv("SERVICE_TOKEN", SERVICE_TOKEN)
    settings.get_settings.cache_clear()
    backend_client._clients.clear()
    yield
    settings.get_settings.cache_clear()
    backend_client._clients.clear()


@pytest.fixture
def backend() -> Iterator[respx.MockRouter]:
    """The backend's service API; any request a test did not expect fails the test."""
    with respx.mock(base_url=BACKEND_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    text: str = "",
    intent: str = "inform",
    entities: dict[str, str] | None = None,
    slots: dict[str, Any] | None = None,
    sender: str = "tg:12345",
    set_this_turn: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    """A tracker whose latest user message is ``text``; ``set_this_turn`` are slots set after
    it (what a form's validation action is asked to validate)."""
    entity_list = [
        {"entity": name, "value": value, "start": 0, "end": len(text)}
        for name, value in (entities or {}).items()
    ]
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entity_list,
        "metadata": metadata or {},
    }
    all_slots = {"language": "en", "failed_attempts": 0.0, **(slots or {})}
    history = list(events or [])
    history.append({"event": "user", "text": text, "parse_data": latest, "metadata": metadata})
    for name, value in (set_this_turn or {}).items():
        history.append({"event": "slot", "name": name, "value": value})
        all_slots[name] = value
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": all_slots,
            "latest_message": latest,
            "events": history,
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [message.get("text") or "" for message in dispatcher.messages]


def buttons(dispatcher: CollectingDispatcher) -> list[dict[str, str]]:
    return [b for message in dispatcher.messages for b in message.get("buttons") or []]


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
