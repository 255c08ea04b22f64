from __future__ import annotations

import string

from actions.grievance_fields import CATEGORIES
from actions.messages import CATEGORY_TITLES, LANGUAGES, MESSAGES, STATUS_NAMES, say


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_every_language_with_the_same_placeholders() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        assert len({frozenset(_placeholders(t)) for t in texts.values()}) == 1, key


def test_every_category_has_a_short_title_in_every_language() -> None:
    assert set(CATEGORY_TITLES) == set(CATEGORIES)
    for titles in CATEGORY_TITLES.values():
        assert set(titles) == set(LANGUAGES)
        assert all(len(title) <= 30 for title in titles.values())


def test_every_ticket_status_has_a_name() -> None:
    lifecycle = {"new", "routed", "acknowledged", "in_progress", "awaiting_info", "resolved",
                 "closed", "rejected", "reopened"}  # fmt: skip
    assert set(STATUS_NAMES) == lifecycle


def test_unknown_language_falls_back_to_english() -> None:
    assert say("ticket_status", "fr", number="MS-1", status="x") == "Ticket MS-1: x."
    assert say("ticket_status", "hi", number="MS-1", status="x") == "टिकट MS-1: x।"
