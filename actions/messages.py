"""Everything the custom actions say, in English, Hindi and Hinglish: the catalogue's
``citizen`` texts (``infra/texts.yaml``), and how the actions pick and fill them.

The Rasa server says its fixed lines itself (domain responses with conditions on the
``language`` slot).
"""

from __future__ import annotations

from typing import Any

from infra.texts import DEFAULT_LANGUAGE, LANGUAGES, pick, texts

MESSAGES = texts("citizen", "chat")
FIELD_LABELS = texts("citizen", "field")
CATEGORY_TITLES = texts("citizen", "category")
STATUS_NAMES = texts("citizen", "status")


def supported_language(value: Any) -> str:
    """``value`` when it is a language we write in (a slot's value), else the default. (The
    gateway's ``channels.texts.gateway_language`` guesses a language from hints; this only
    checks.)"""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def say(key: str, language: Any, **values: Any) -> str:
    text = pick(MESSAGES[key], supported_language(language))
    return text.format(**values) if values else text


def _pick(table: dict[str, dict[str, str]], key: str, language: Any) -> str:
    entry = table.get(key)
    return key if entry is None else pick(entry, supported_language(language))


def category_title(code: str, language: Any) -> str:
    return _pick(CATEGORY_TITLES, code, language)


def status_name(status: str, language: Any) -> str:
    return _pick(STATUS_NAMES, status, language)


def field_label(field: str, language: Any) -> str:
    return _pick(FIELD_LABELS, field, language)


def button(key: str, language: Any, payload: str) -> dict[str, str]:
    return {"title": say(f"button_{key}", language), "payload": payload}


def menu_buttons(language: Any) -> list[dict[str, str]]:
    """The main menu (as the domain's greeting shows it)."""
    return [
        button("file", language, "/file_grievance"),
        button("status", language, "/check_status"),
        button("scheme", language, "/ask_scheme"),
    ]
