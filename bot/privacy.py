"""Masking of personal data (phone numbers, names) before it reaches a log line."""

from __future__ import annotations

import re

_DIGIT = re.compile(r"\d")


def mask_phone(number: str | None) -> str:
    """Keep the country code and the last four digits: ``+91******3210``.

    Enough for an operator to tell two users apart, too little to call anyone.
    """
    if not number:
        return ""
    digits = _DIGIT.findall(number)
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 2 if number.lstrip().startswith("+") else 0
    head = "".join(digits[:keep_head])
    tail = "".join(digits[-4:])
    middle = "*" * (len(digits) - keep_head - 4)
    return f"{'+' if keep_head else ''}{head}{middle}{tail}"


def mask_name(name: str | None) -> str:
    """First letter of each word, the rest starred: ``Ramesh Kumar`` -> ``R***** K****``."""
    if not name:
        return ""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def mask_sender(sender_id: str) -> str:
    """A sender id for logs: ``wa:+919876543210`` -> ``wa:+91******3210``.

    Telegram chat ids and web ids are pseudonymous, but a WhatsApp id is a phone number.
    """
    channel, _, user = sender_id.partition(":")
    if channel == "wa":
        return f"wa:{mask_phone(user)}"
    if channel == "tg":
        return f"tg:{mask_phone(user)}"
    return sender_id
