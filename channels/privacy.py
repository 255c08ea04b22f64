"""A chat sender id masked for logs (phones and names: ``infra/masking.py``)."""

from __future__ import annotations

from infra.channels import parse_sender
from infra.masking import mask_phone


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
