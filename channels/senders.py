"""Outbound senders for the notification worker (the transactional outbox in ``backend/``).

The worker calls ``build_senders(settings, last_inbound)`` once and then
``await sender.send(notification)`` for each claimed row, recording the ``SendResult``: ``sent``
(with the provider's message id), ``retry`` (with ``retry_after`` when the provider said how
long to wait) or ``undeliverable`` (never retried: the user blocked the bot, the number is not
on WhatsApp, ...).

- Telegram through python-telegram-bot's ``Bot``: about 30 messages/s overall and 1/s per chat;
  a 429 becomes ``retry`` with Telegram's ``retry_after``; 403 (blocked) is undeliverable.
- WhatsApp through the twilio ``Client``: free text inside the 24-hour customer-service window
  (``last_inbound_at`` kept by the gateway, handed in as ``LastInbound``: the sender opens no
  store), the approved Content template outside it.
- Web chat: a POST to the gateway's internal push endpoint; the page shows it.
- CPGRAMS: a grievance filed there is told each status change (``CpgramsStatusSender`` in
  ``channels/cpgrams.py``); 404, 405, 400 and 422 say the portal does not take it.
What a sender is handed and returns is ``channels/outbound.py``.
- A logging sender for a channel without credentials, so development runs need none.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx

from channels.clients import make_telegram_bot, make_twilio_client
from channels.cpgrams import CpgramsClient, CpgramsStatusSender
from channels.outbound import LastInbound, OutboundNotification, Sender, SendResult
from channels.privacy import mask_sender
from channels.rendering import (
    TELEGRAM_TEXT_LIMIT,
    WHATSAPP_TEXT_LIMIT,
    split_text,
    telegram_html,
    whatsapp_markup,
)
from channels.tables import utcnow
from channels.texts import status_label
from infra.channels import CHANNELS, sender_id
from infra.masking import mask_phone

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.error import RetryAfter
    from twilio.rest import Client as TwilioClient

    from core.config import Settings

# python-telegram-bot and aiohttp (~15 MB) are imported by processes that send on Telegram,
# twilio (with requests: ~5 MB) by those that send on WhatsApp: the backend API imports this
# module (through backend.outbox) and sends on neither.

log = logging.getLogger(__name__)

WHATSAPP_WINDOW = timedelta(hours=24)
# Leave a margin: a message queued a minute before the window closes may land after it.
WHATSAPP_WINDOW_MARGIN = timedelta(minutes=10)
# The short text in the template ({{3}}); a template body and its variables must stay within
# WhatsApp's 1,024 characters.
TEMPLATE_TEXT_LIMIT = 600


class RateLimiter:
    """At most ``rate`` acquisitions per second (evenly spaced, small bursts allowed)."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._burst = max(burst, 1)
        self._next_free = 0.0  # theoretical arrival time of the next acquisition
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self._interval == 0.0:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(self._next_free, now)
            wait = start - now - (self._burst - 1) * self._interval
            self._next_free = start + self._interval
        if wait > 0:
            await asyncio.sleep(wait)


class PerChatPacing:
    """One message per ``interval`` seconds to each chat."""

    def __init__(self, interval: float, max_wait: float) -> None:
        self._interval = interval
        self.max_wait = max_wait
        self._next_allowed: dict[str, float] = {}

    def reserve(self, chat: str) -> float:
        """Seconds to wait before sending to ``chat``; reserves that slot if <= max_wait,
        else reserves nothing (the caller should report ``retry`` after that long)."""
        if self._interval <= 0:
            return 0.0
        now = time.monotonic()
        if len(self._next_allowed) > 50_000:
            self._next_allowed = {c: t for c, t in self._next_allowed.items() if t > now}
        slot = max(self._next_allowed.get(chat, 0.0), now)
        wait = slot - now
        if wait <= self.max_wait:
            self._next_allowed[chat] = slot + self._interval
        return wait


class _SentParts:
    """Which parts of a split notification went out already, so that a retry after a
    failure in the middle does not repeat the first parts (the providers have no
    idempotency key for sends)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._parts: OrderedDict[str, list[str]] = OrderedDict()
        self._capacity = capacity

    def get(self, key: str) -> list[str]:
        return list(self._parts.get(key, []))

    def add(self, key: str, provider_id: str) -> None:
        self._parts.setdefault(key, []).append(provider_id)
        self._parts.move_to_end(key)
        while len(self._parts) > self._capacity:
            self._parts.popitem(last=False)


def retry_after_seconds(error: RetryAfter) -> float:
    """PTB 22 gives ``retry_after`` as int seconds or a timedelta, by configuration."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        *,
        messages_per_second: float = 30.0,
        seconds_per_chat: float = 1.0,
        max_pacing_wait: float = 2.0,
        max_in_flight: int = 32,
    ) -> None:
        self.bot = bot
        # The worker hands over a whole batch at once. Against the real Bot API each request
        # waits a network round trip (tens of milliseconds or more), so keeping up 30/s needs
        # several in flight; over aiohttp (``make_telegram_bot``) the CPU per request does not
        # grow with them as it did with httpx (bench/notification_dispatch.py --in-flight:
        # 1,700-1,900/s with 1 to 64 against the local fake). At most the bot's pool (64).
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._overall = RateLimiter(messages_per_second)
        self._per_chat = PerChatPacing(seconds_per_chat, max_pacing_wait)
        self._sent = _SentParts()
        self._init_lock = asyncio.Lock()
        self._initialized = False

    async def _ensure_initialized(self) -> None:
        if self._initialized:
            return
        async with self._init_lock:
            if not self._initialized:
                await self.bot.initialize()
                self._initialized = True

    async def aclose(self) -> None:
        if self._initialized:
            await self.bot.shutdown()

    async def send(self, notification: OutboundNotification) -> SendResult:
        chat = notification.channel_user_id
        try:
            chat_id = int(chat)
        except ValueError:
            return SendResult("undeliverable", error=f"not a Telegram chat id: {chat!r}")
        from telegram.constants import ParseMode
        from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

        parts = split_text(notification.text, TELEGRAM_TEXT_LIMIT)
        done = self._sent.get(notification.delivery_key)
        try:
            await self._ensure_initialized()
            for part in parts[len(done) :]:
                wait = self._per_chat.reserve(chat)
                if wait > self._per_chat.max_wait:
                    return SendResult("retry", retry_after=wait, error="per-chat pacing")
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._overall.acquire()
                async with self._in_flight:
                    message = await self.bot.send_message(
                        chat_id=chat_id, text=telegram_html(part), parse_mode=ParseMode.HTML
                    )
                self._sent.add(notification.delivery_key, str(message.message_id))
        except RetryAfter as error:
            return SendResult(
                "retry", retry_after=retry_after_seconds(error), error="telegram flood control"
            )
        except Forbidden as error:
            log.info(
                "telegram chat %s refuses messages: %s",
                mask_sender(sender_id("telegram", str(chat))),
                error,
            )
            return SendResult("undeliverable", error=f"forbidden: {error.message}")
        except BadRequest as error:
            # "chat not found", a malformed text: sending it again cannot succeed.
            return SendResult("undeliverable", error=f"bad request: {error.message}")
        except NetworkError as error:  # includes TimedOut
            return SendResult("retry", error=f"network: {error.message}")
        except TelegramError as error:
            return SendResult("retry", error=f"telegram: {error.message}")
        ids = self._sent.get(notification.delivery_key)
        return SendResult("sent", provider_message_id=ids[0] if ids else None)


class WhatsAppSender:
    """Free text within 24 hours of the user's last message, the Content template outside.

    The template is expected to read like "Update on your grievance {{1}}: {{2}}. {{3}}"
    (ticket number, status in the user's language, a short text).
    """

    def __init__(
        self,
        client: TwilioClient,
        *,
        whatsapp_from: str,
        last_inbound: LastInbound,
        template_sid: str = "",
        public_base_url: str = "",
    ) -> None:
        self.client = client
        self._from = (
            whatsapp_from
            if whatsapp_from.startswith("whatsapp:")
            else (f"whatsapp:{whatsapp_from}")
        )
        self._last_inbound = last_inbound
        self._template_sid = template_sid
        self._public_base_url = public_base_url.rstrip("/")
        self._sent = _SentParts()

    def status_callback(self, notification_id: int) -> str | None:
        if not self._public_base_url:
            return None
        return f"{self._public_base_url}/whatsapp/status?notification_id={notification_id}"

    async def within_window(self, number: str) -> bool:
        last = await self._last_inbound.last_inbound_at(sender_id("whatsapp", number))
        return last is not None and utcnow() - last < WHATSAPP_WINDOW - WHATSAPP_WINDOW_MARGIN

    async def send(self, notification: OutboundNotification) -> SendResult:
        number = notification.channel_user_id
        common: dict[str, str] = {"from_": self._from, "to": f"whatsapp:{number}"}
        callback = self.status_callback(notification.id)
        if callback:
            common["status_callback"] = callback
        requests: list[dict[str, str]]
        if await self.within_window(number):
            parts = split_text(whatsapp_markup(notification.text), WHATSAPP_TEXT_LIMIT, len)
            requests = [{**common, "body": part} for part in parts]
        elif self._template_sid:
            requests = [
                {
                    **common,
                    "content_sid": self._template_sid,
                    "content_variables": json.dumps(
                        self.template_variables(notification), ensure_ascii=False
                    ),
                }
            ]
        else:
            return SendResult(
                "undeliverable",
                error="outside the 24-hour window and no TWILIO_TEMPLATE_SID configured",
            )
        from twilio.base.exceptions import TwilioException, TwilioRestException

        done = self._sent.get(notification.delivery_key)
        try:
            for request in requests[len(done) :]:
                message = await asyncio.to_thread(self.client.messages.create, **request)
                self._sent.add(notification.delivery_key, str(message.sid))
        except TwilioRestException as error:
            if error.status == 429 or error.status >= 500:
                return SendResult("retry", error=f"twilio {error.status} {error.code}")
            log.warning(
                "twilio refused a message to %s: %s %s",
                mask_phone(number),
                error.status,
                error.code,
            )
            return SendResult("undeliverable", error=f"twilio {error.status} {error.code}")
        except (TwilioException, OSError) as error:
            return SendResult("retry", error=f"twilio: {type(error).__name__}")
        except Exception as error:  # requests' connection errors and the like
            return SendResult("retry", error=f"twilio: {type(error).__name__}")
        ids = self._sent.get(notification.delivery_key)
        return SendResult("sent", provider_message_id=ids[0] if ids else None)

    @staticmethod
    def template_variables(notification: OutboundNotification) -> dict[str, str]:
        language = "hi" if notification.language == "hi" else "en"
        # WhatsApp refuses variables with newlines or runs of spaces.
        short = " ".join(notification.text.split())
        number = notification.ticket_number
        # The template names the ticket already ({{1}}): drop the text's own "Grievance
        # MS-7K3Q-9:" so that the part that matters (the officer's note) is not cut off.
        if number and number in short[: len(number) + 24]:
            short = short.split(number, 1)[1].lstrip(" ,:-।") or short
        if len(short) > TEMPLATE_TEXT_LIMIT:
            short = short[: TEMPLATE_TEXT_LIMIT - 3].rstrip() + "..."
        return {
            "1": notification.ticket_number or "-",
            "2": status_label(notification.status, language) or "-",
            "3": short,
        }


class WebChatSender:
    """Pushes to the gateway, which keeps the message for the web chat page to show."""

    def __init__(
        self,
        gateway_url: str,
        service_token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = f"{gateway_url.rstrip('/')}/internal/webchat/push"
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0, connect=3.0),
            headers={"Authorization": f"Bearer {service_token}"},
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, notification: OutboundNotification) -> SendResult:
        try:
            response = await self._client.post(
                self._url,
                json={
                    "channel_user_id": notification.channel_user_id,
                    "text": notification.text,
                    "delivery_key": notification.delivery_key,
                },
            )
        except httpx.HTTPError as error:
            return SendResult("retry", error=f"gateway: {type(error).__name__}")
        if response.status_code >= 500 or response.status_code == 429:
            return SendResult("retry", error=f"gateway HTTP {response.status_code}")
        if response.status_code >= 400:
            return SendResult("undeliverable", error=f"gateway HTTP {response.status_code}")
        return SendResult("sent", provider_message_id=f"web:{response.json().get('id')}")


class LoggingSender:
    """For a channel without credentials: log (masked) and count it as sent."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sent: list[OutboundNotification] = []

    async def send(self, notification: OutboundNotification) -> SendResult:
        self.sent.append(notification)
        log.info(
            "[%s, no credentials] notification %s to %s: %s",
            self.channel,
            notification.id,
            self._recipient(notification.channel_user_id),
            notification.text[:80],
        )
        return SendResult("sent", provider_message_id=f"log:{notification.id}")

    def _recipient(self, user_id: str) -> str:
        if CHANNELS[self.channel].sender_prefix is None:  # a portal's registration number
            return user_id
        return mask_sender(sender_id(self.channel, user_id))


def build_senders(
    settings: Settings,
    last_inbound: LastInbound,
    *,
    telegram_messages_per_second: float = 30.0,
    telegram_seconds_per_chat: float = 1.0,
    twilio_client: TwilioClient | None = None,
) -> dict[str, Sender]:
    """One sender per channel (``telegram``, ``whatsapp``, ``web``, ``cpgrams``) from the settings;
    ``last_inbound`` tells the WhatsApp sender whether a chat's 24-hour window is open."""
    senders: dict[str, Sender] = {}
    if settings.telegram_bot_token:
        senders["telegram"] = TelegramSender(
            make_telegram_bot(settings.telegram_bot_token, settings.telegram_api_base_url),
            messages_per_second=telegram_messages_per_second,
            seconds_per_chat=telegram_seconds_per_chat,
        )
    else:
        senders["telegram"] = LoggingSender("telegram")
    has_twilio = settings.twilio_account_sid and settings.twilio_auth_token
    if (has_twilio or twilio_client is not None) and settings.twilio_whatsapp_from:
        client = twilio_client or make_twilio_client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_api_base_url,
        )
        senders["whatsapp"] = WhatsAppSender(
            client,
            whatsapp_from=settings.twilio_whatsapp_from,
            last_inbound=last_inbound,
            template_sid=settings.twilio_template_sid,
            public_base_url=settings.public_base_url,
        )
    else:
        senders["whatsapp"] = LoggingSender("whatsapp")
    senders["web"] = WebChatSender(settings.gateway_url, settings.service_token)
    if settings.cpgrams_pull_url and settings.cpgrams_pull_token:
        senders["cpgrams"] = CpgramsStatusSender(
            CpgramsClient(settings.cpgrams_pull_url, settings.cpgrams_pull_token.get_secret_value())
        )
    else:  # no endpoint configured: status changes are logged (file imports only)
        senders["cpgrams"] = LoggingSender("cpgrams")
    return senders
