"""Ticket numbers: short, speakable, with a check character.

Format ``MS-XXXXXX-C``: six characters from an alphabet without look-alikes (no 0/O, 1/I/L),
then a check character. The check is a weighted sum modulo 31 (a prime, the alphabet's size)
with weights 2..7, so every single mistyped character and every swap of two neighbours is
caught before any lookup. 31**6 (about 887 million) bodies leave room for random numbers that
do not reveal how many tickets exist.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "MS"
BODY_LENGTH = 6
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_SHAPE = re.compile(r"^(?:MS)?([0-9A-Z]{6})([0-9A-Z])$")


def check_char(body: str) -> str:
    total = sum((i + 2) * _VALUE[ch] for i, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def format_number(body: str) -> str:
    """The one place that formats a ticket number."""
    return f"{PREFIX}-{body}-{check_char(body)}"


def generate() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return format_number(body)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_./#]", "", text.strip().upper())


def looks_like_number(text: str) -> bool:
    """True when ``text`` has the shape of a ticket number (whatever its check character)."""
    compact = _compact(text)
    return bool(_SHAPE.match(compact)) and compact.startswith(PREFIX)


def normalize(text: str) -> str | None:
    """Canonical ``MS-XXXXXX-C`` for a valid number in any common writing, else None.

    Accepts lower case, spaces or no separators, and the prefix left out.
    """
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
