"""Ticket numbers as the backend writes them: ``MS-XXXXXX-C``.

A copy of the algorithm in ``routing/ticket_number.py`` (the action server must not import app
code). Both suites check ``tests/fixtures/ticket_numbers.txt``, so the copies cannot drift
apart unnoticed. The check character catches a mistyped character or a swap of neighbours
before we ask the backend.
"""

from __future__ import annotations

import re

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "MS"
BODY_LENGTH = 6
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_SHAPE = re.compile(r"^(?:MS)?([0-9A-Z]{6})([0-9A-Z])$")


def check_char(body: str) -> str:
    total = sum((i + 2) * _VALUE[ch] for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_./#]", "", text.strip().upper())


def looks_like_number(text: str) -> bool:
    """True when ``text`` has the shape of a ticket number, whatever its check character."""
    compact = _compact(text)
    return compact.startswith(PREFIX) and bool(_SHAPE.match(compact))


def normalize(text: str) -> str | None:
    """Canonical ``MS-XXXXXX-C`` for a valid number in any common writing, else None."""
    match = _SHAPE.match(_compact(text))
    if not match:
        return None
    body, check = match.groups()
    if any(ch not in _VALUE for ch in body + check):
        return None
    if check_char(body) != check:
        return None
    return f"{PREFIX}-{body}-{check}"


def is_valid(number: str) -> bool:
    return normalize(number) is not None
