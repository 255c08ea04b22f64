"""Masking of personal data (phone numbers, names) before it reaches a log line."""

from __future__ import annotations

import re

from infra.channels import parse_sender

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

    Every channel whose user ids are personal data (``infra/channels.py``: phone numbers,
    Telegram chat ids) is masked; web ids are random and kept.
    """
    parsed = parse_sender(sender_id)
    if parsed is None or not parsed[0].private_user_id:
        return sender_id
    channel, user = parsed
    return f"{channel.sender_prefix}:{mask_phone(user)}"
