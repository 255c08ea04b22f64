"""What the gateway itself says to users, and the status labels of template messages: the
catalogue's ``citizen`` ``gateway`` and ``status`` texts (``infra/texts.yaml``).

The gateway guesses only English or Hindi (``gateway_language``); the assistant knows
Hinglish.
"""

from __future__ import annotations

from channels.rendering import is_hindi
from infra.texts import pick, texts

Language = str  # "en" | "hi" | "hinglish"

_GATEWAY_TEXTS = texts("citizen", "gateway")


def gateway_language(*hints: str | None) -> str:
    """The language of the gateway's own replies: ``hi`` if any hint is Hindi (a Telegram
    ``language_code`` or Devanagari text), else ``en``."""
    for hint in hints:
        if not hint:
            continue
        if hint.lower() in ("hi", "hi-in") or hint.lower().startswith("hi-") or is_hindi(hint):
            return "hi"
    return "en"


def gateway_text(key: str, language: str) -> str:
    return pick(_GATEWAY_TEXTS[key], language)


# --- status notifications -------------------------------------------------------------------


def status_label(status: str | None, language: str) -> str:
    if not status:
        return ""
    labels = texts("citizen", "status").get(status)
    return status.replace("_", " ") if labels is None else pick(labels, language)
