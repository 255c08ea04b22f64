"""The channels a grievance can come from: one registry for every process and both Python
environments (the backend's validation and notifications, the gateway's sender ids and log
masking, the actions' identity of a chat user).

A chat channel's users talk to the assistant as ``<sender_prefix>:<user id>`` (``tg:123``,
``wa:+919812345678``, ``web:abc``); the backend stores ``channel`` + ``channel_user_id``.
Adding a channel starts here; ``private_user_id`` says whether its ids identify a person
outright (a phone number): such ids are masked in every log line. ``status_written_back``: a
portal that takes our status changes of the grievances filed on it (the worker posts them
through the outbox; the user id is then the portal's registration number).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class Channel:
    name: str  # as stored on tickets and notifications
    sender_prefix: str | None  # in Rasa sender ids; None: not a chat (imports)
    private_user_id: bool  # the user id is personal data (a phone number, a chat id)
    status_written_back: bool = False  # a portal told of each status change (outbox)


_ALL: Final = (
    Channel("telegram", "tg", private_user_id=True),
    Channel("whatsapp", "wa", private_user_id=True),
    Channel("web", "web", private_user_id=False),  # a random id the browser keeps
    # Filed on CPGRAMS, imported or pulled; status changes are posted back to it.
    Channel("cpgrams", None, private_user_id=False, status_written_back=True),
)

CHANNELS: Final = MappingProxyType({channel.name: channel for channel in _ALL})
CHANNEL_NAMES: Final = tuple(CHANNELS)
# Channels whose users chat with the assistant and get status notifications there.
CHAT_CHANNELS: Final = frozenset(c.name for c in _ALL if c.sender_prefix is not None)
# Portals whose grievances' status changes are written back to them.
PORTAL_CHANNELS: Final = frozenset(c.name for c in _ALL if c.status_written_back)
_BY_PREFIX: Final = MappingProxyType(
    {c.sender_prefix: c for c in _ALL if c.sender_prefix is not None}
)


def sender_id(channel: str, user_id: str) -> str:
    """The assistant's sender id of ``user_id`` on a chat ``channel``."""
    prefix = CHANNELS[channel].sender_prefix
    if prefix is None:
        raise ValueError(f"{channel} is not a chat channel")
    return f"{prefix}:{user_id}"


def parse_sender(sender: str) -> tuple[Channel, str] | None:
    """``wa:+9198...`` -> (whatsapp, ``+9198...``); None when no chat channel's prefix."""
    prefix, sep, user = sender.partition(":")
    channel = _BY_PREFIX.get(prefix)
    if not sep or channel is None or not user:
        return None
    return channel, user
