"""The catalogue of texts people read (``infra/texts.yaml``): audience -> kind -> key ->
language -> text. One home for the assistant's, the gateway's and the notifications' words, read
alike by both Python environments (PyYAML is in both)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Final

LANGUAGES: Final = ("en", "hi", "hinglish")
DEFAULT_LANGUAGE: Final = "en"
CATALOGUE_PATH: Final = Path(__file__).with_name("texts.yaml")

Table = dict[str, dict[str, str]]


@functools.cache
def catalogue() -> dict[str, dict[str, Table]]:
    import yaml  # both environments have it; infra's other modules need only the stdlib

    loaded: dict[str, Any] = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    return loaded


def texts(audience: str, kind: str) -> Table:
    """One kind of text, key -> language -> text (KeyError for an unknown audience or kind)."""
    return catalogue()[audience][kind]


def pick(entry: dict[str, str], language: object) -> str:
    """The entry's text in ``language``, else in the default language."""
    return entry.get(language if isinstance(language, str) else "", "") or entry[DEFAULT_LANGUAGE]
