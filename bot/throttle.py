"""Per-sender rate limits on the gateway, with the backend's token buckets.

One bucket per chat sender (``tg:<chat>``, ``wa:<E.164>``, ``web:<id>``), kept in Redis when
``REDIS_URL`` is set (the key is a hash, never a phone number), else in this process. What
happens to a message over the limit depends on who delivered it:

- the web chat's own ``POST /webchat/messages`` is answered 429 with ``Retry-After`` and
  the message is not recorded (the page shows why; the user sends it again);
- a Telegram or WhatsApp webhook is never refused (the provider would redeliver, or give up
  on the webhook): the message is recorded as usual, flagged ``rate_limited``, counted and
  logged, and instead of going to the assistant the user is told once "you are sending too
  fast, please wait" (once until one of their messages gets through again).
"""

from __future__ import annotations

import hashlib
import math

from core.config import Settings
from core.ratelimit import Buckets, Limit, make_buckets

RATE_LIMITED = "rate_limited"  # the flag in a recorded message's metadata


def retry_after(wait: float) -> int:
    """Whole seconds for a ``Retry-After`` header (at least 1)."""
    return max(1, math.ceil(wait))


class SenderThrottle:
    def __init__(self, buckets: Buckets, limit: Limit, *, enabled: bool = True) -> None:
        self.buckets = buckets
        self.limit = limit
        self.enabled = enabled
        # Senders already told to slow down since their last message that got through.
        self._told: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> SenderThrottle:
        return cls(
            make_buckets(settings),
            Limit(settings.rate_limit_sender_per_second, settings.rate_limit_sender_burst),
            enabled=settings.rate_limit_enabled,
        )

    async def take(self, sender_id: str) -> float:
        """0 if this sender may send a message now, else the seconds until they may."""
        if not self.enabled:
            return 0.0
        key = "sender:" + hashlib.sha256(sender_id.encode()).hexdigest()[:32]
        return await self.buckets.take(key, self.limit)

    def claim_notice(self, sender_id: str) -> bool:
        """True the first time since the sender's last admitted message: tell them now."""
        if sender_id in self._told:
            return False
        self._told.add(sender_id)
        return True

    def admitted(self, sender_id: str) -> None:
        self._told.discard(sender_id)
