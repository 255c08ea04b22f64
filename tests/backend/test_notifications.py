"""The citizens' notification texts (backend/notifications.py)."""

from __future__ import annotations

import string

from backend.notifications import _TEXTS, LEVEL_NAMES


def test_every_citizen_notification_is_written_in_all_three_languages() -> None:
    """A notification kind without a Hindi or Hinglish text would reach those citizens in
    English (citizen_text falls back): every kind has all three, with the same placeholders."""
    for kind, texts in _TEXTS.items():
        assert set(texts) == set(LEVEL_NAMES) == {"en", "hi", "hinglish"}, kind
        fields = {
            language: {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for language, text in texts.items()
        }
        assert fields["hi"] == fields["en"] == fields["hinglish"], kind
