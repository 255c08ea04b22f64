"""Telegram in and out, through python-telegram-bot's ``Bot``.

Inbound updates arrive on ``POST /telegram/webhook`` (checked against the secret token that
was registered with ``setWebhook``) or, for local use without ``PUBLIC_BASE_URL``, by long
polling. The registration is retried in the background until the Bot API answers, so that
Telegram being unreachable at boot does not take the other channels down. Text, commands,
inline-button presses and shared contacts go to the assistant; edited messages, group chats
and media get a polite answer instead of a crash.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from typing import Any

from telegram import Bot as TelegramBot
from telegram import BotCommand, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.inbox import Inbound
from bot.rasa_client import RasaClient
from bot.store import GatewayStore, StoredMessage
from channels.privacy import mask_sender
from channels.rendering import SHORT_KEY_MARKER, Reply, TelegramMessage, render_telegram
from channels.senders import retry_after_seconds
from channels.texts import gateway_language, gateway_text
from infra.channels import sender_id
from infra.masking import mask_phone

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
# Commands in the bot's menu, mapped to what the assistant understands.
COMMANDS: dict[str, str] = {
    "start": "/greet",
    "help": "/help",
    "new": "/file_grievance",
    "status": "/check_status",
    "cancel": "/cancel",
}
MENU = [
    BotCommand("new", "File a grievance / शिकायत दर्ज करें"),
    BotCommand("status", "Status of a grievance / शिकायत की स्थिति"),
    BotCommand("help", "What I can do / मदद"),
    BotCommand("cancel", "Stop the current step / रद्द करें"),
]
TYPING_AFTER = 0.8  # seconds the assistant may take before the user sees "typing..."
_CHAT_SENDER = re.compile(r"tg:-?[0-9]{1,20}")


def derived_webhook_secret(bot_token: str) -> str:
    """The webhook secret when ``TELEGRAM_WEBHOOK_SECRET`` is not set: stable per bot token,
    never guessable without it (Telegram allows A-Z, a-z, 0-9, _ and -)."""
    return hmac.new(bot_token.encode(), b"telegram-webhook-secret", hashlib.sha256).hexdigest()


def _well_typed(inbound: Inbound) -> bool:
    language = inbound.metadata.get("language_code")
    return (
        isinstance(inbound.text, str)
        and (language is None or isinstance(language, str))
        and _CHAT_SENDER.fullmatch(inbound.sender_id) is not None
    )


class TelegramChannel:
    name = "telegram"

    def __init__(
        self,
        bot: TelegramBot,
        store: GatewayStore,
        rasa: RasaClient,
        *,
        webhook_secret: str,
    ) -> None:
        self.bot = bot
        self._store = store
        self._rasa = rasa
        self.webhook_secret = webhook_secret or derived_webhook_secret(bot.token)
        self._polling: asyncio.Task[None] | None = None
        self._registering: asyncio.Task[None] | None = None
        # What /readyz says: "not registered", "registering[, last error: ...]" or "ready".
        self.registration = "not registered"

    # --- inbound ----------------------------------------------------------------------------

    def secret_status(self, header: str | None) -> int:
        """200 if the secret token matches; 401 when missing, 403 when wrong."""
        if not header:
            return 401
        if not hmac.compare_digest(header.encode(), self.webhook_secret.encode()):
            return 403
        return 200

    def parse(self, data: dict[str, Any]) -> Inbound | None:
        """A webhook's update, or None. PTB does not check the types of what it parses, so a
        chat id that is not an integer, or a text or language that is not a string, is
        dropped here rather than recorded (to fail at the write, or at every retry later)."""
        inbound = self.to_inbound(Update.de_json(data, self.bot))
        if inbound is None or _well_typed(inbound):
            return inbound
        log.warning("telegram update %s with ill-typed fields dropped", inbound.dedup_key)
        return None

    def to_inbound(self, update: Update) -> Inbound | None:
        """What to record for an update, or None for updates we do not act on."""
        dedup_key = f"tg:{update.update_id}"
        query = update.callback_query
        if query is not None:
            if query.message is None or query.data is None:
                return None
            chat_id = query.message.chat.id
            return Inbound(
                dedup_key=dedup_key,
                channel=self.name,
                sender_id=sender_id("telegram", str(chat_id)),
                text=query.data,
                metadata={
                    "kind": "callback",
                    "callback_query_id": query.id,
                    "message_id": query.message.message_id,
                    "language_code": query.from_user.language_code,
                },
            )
        message = update.message or update.edited_message
        if message is None:
            return None
        chat = message.chat
        user = message.from_user
        metadata: dict[str, Any] = {"language_code": user.language_code if user else None}
        text = message.text or message.caption or ""
        if chat.type != ChatType.PRIVATE:
            # Answer commands in groups with a pointer to the private chat; stay quiet on
            # everything else, so the bot never spams a group.
            if not text.startswith("/"):
                return None
            metadata["kind"] = "group"
        elif update.edited_message is not None:
            metadata["kind"] = "edited"
        elif message.contact is not None:
            metadata["kind"] = "contact"
            text = message.contact.phone_number
            metadata["own_contact"] = bool(user and message.contact.user_id == user.id)
        elif message.text is not None:
            metadata["kind"] = "text"
            if text.startswith("/"):
                command = text[1:].split(maxsplit=1)[0].split("@")[0].lower() if text[1:] else ""
                metadata["kind"] = "command"
                text = COMMANDS.get(command, text.lstrip("/"))
        else:
            metadata["kind"] = "unsupported"
        return Inbound(
            dedup_key=dedup_key,
            channel=self.name,
            sender_id=sender_id("telegram", str(chat.id)),
            text=text,
            metadata=metadata,
        )

    # --- processing (called by the inbox, in order per chat) ---------------------------------

    async def process(self, message: StoredMessage) -> None:
        chat_id = int(message.sender_id.partition(":")[2])
        kind = message.metadata.get("kind", "text")
        language = gateway_language(message.metadata.get("language_code"), message.text)
        if kind in ("group", "edited", "unsupported"):
            key = {"group": "group_chat", "edited": "edited_message"}.get(kind, kind + "_message")
            await self.send_replies(chat_id, [Reply(gateway_text(key, language))])
            return
        text = message.text
        if kind == "callback":
            await self._acknowledge_button(message)
            if text.startswith(SHORT_KEY_MARKER):
                payload = await self._store.call(self._store.callback_payload, text)
                if payload is None:
                    await self.send_replies(
                        chat_id, [Reply(gateway_text("button_expired", language))]
                    )
                    return
                text = payload
        metadata = {"channel": self.name}
        if message.metadata.get("language_code"):
            metadata["language_code"] = message.metadata["language_code"]
        if kind == "contact":
            metadata["contact_phone"] = text
            log.info("%s shared contact %s", mask_sender(message.sender_id), mask_phone(text))
        replies = await self._ask(chat_id, message.sender_id, text, metadata)
        await self.send_replies(chat_id, replies)

    async def held(self, message: StoredMessage, first: bool) -> None:
        if not first:
            return
        chat_id = int(message.sender_id.partition(":")[2])
        language = gateway_language(message.metadata.get("language_code"), message.text)
        await self.send_replies(chat_id, [Reply(gateway_text("assistant_unavailable", language))])

    async def _ask(
        self, chat_id: int, sender_id: str, text: str, metadata: dict[str, Any]
    ) -> list[Reply]:
        turn = asyncio.ensure_future(self._rasa.send(sender_id, text, metadata))
        done, _ = await asyncio.wait({turn}, timeout=TYPING_AFTER)
        if not done:
            try:
                await self.bot.send_chat_action(chat_id=chat_id, action="typing")
            except TelegramError:
                pass  # only a courtesy
        return [Reply.from_rasa(r) for r in await turn]

    async def _acknowledge_button(self, message: StoredMessage) -> None:
        """Stop the button's spinner and take the keyboard away, so that it is not pressed
        twice; both are courtesies that may fail for an old message."""
        chat_id = int(message.sender_id.partition(":")[2])
        try:
            await self.bot.answer_callback_query(message.metadata["callback_query_id"])
        except TelegramError:
            pass
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message.metadata["message_id"], reply_markup=None
            )
        except TelegramError:
            pass

    # --- outbound replies ---------------------------------------------------------------------

    async def send_replies(self, chat_id: int, replies: list[Reply]) -> None:
        """Send the assistant's replies; failures are logged, never raised, because the
        assistant has already taken the turn and must not see the message twice."""
        for reply in replies:
            for rendered in render_telegram(reply):
                if rendered.short_keys:
                    await self._store.call(self._store.save_callback_keys, rendered.short_keys)
                if not await self._send(chat_id, rendered):
                    return

    async def _send(self, chat_id: int, rendered: TelegramMessage) -> bool:
        html = True
        for attempt in range(4):
            try:
                await self.bot.send_message(
                    chat_id=chat_id,
                    text=rendered.text,
                    parse_mode=ParseMode.HTML if html else None,
                    reply_markup=rendered.reply_markup,
                )
                return True
            except Forbidden:
                log.info(
                    "%s blocked the bot; reply dropped",
                    mask_sender(sender_id("telegram", str(chat_id))),
                )
                return False
            except RetryAfter as error:
                await asyncio.sleep(min(retry_after_seconds(error), 30.0))
            except BadRequest as error:
                if not html:
                    log.error("telegram refused a reply: %s", error.message)
                    return False
                html = False  # send it unformatted rather than not at all
            except NetworkError as error:
                log.warning("telegram send failed (%s), attempt %d", error.message, attempt + 1)
                await asyncio.sleep(0.5 * 2**attempt)
        log.error("reply to %s not delivered", mask_sender(sender_id("telegram", str(chat_id))))
        return False

    # --- webhook registration or long polling ---------------------------------------------------

    async def start(self, public_base_url: str, accept: Any) -> None:
        """Register the webhook, or poll when there is no public URL (local use)."""
        await self.bot.initialize()
        try:
            await self.bot.set_my_commands(MENU)
        except TelegramError as error:
            log.warning("could not set the bot's command menu: %s", error)
        if public_base_url:
            await self.bot.set_webhook(
                url=f"{public_base_url.rstrip('/')}/telegram/webhook",
                secret_token=self.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("telegram webhook registered")
        else:
            await self.bot.delete_webhook()
            self._polling = asyncio.create_task(self._poll(accept), name="telegram-polling")
            log.info("telegram long polling started (no PUBLIC_BASE_URL)")

    def register_in_background(
        self,
        public_base_url: str,
        accept: Any,
        on_ready: Callable[[], None],
        *,
        retry: tuple[float, float] = (1.0, 300.0),
    ) -> None:
        """Register (``start``) until the Bot API answers, waiting ``retry[0]`` seconds after
        the first failure, twice that after the next, at most ``retry[1]``; then ``on_ready``."""
        self.registration = "registering"
        self._registering = asyncio.create_task(
            self._register(public_base_url, accept, on_ready, retry), name="telegram-registration"
        )

    async def _register(
        self,
        public_base_url: str,
        accept: Any,
        on_ready: Callable[[], None],
        retry: tuple[float, float],
    ) -> None:
        delay, longest = retry
        while True:
            try:
                await self.start(public_base_url, accept)
                break
            except TelegramError as error:  # unreachable, timed out, flood control, bad token
                self.registration = f"registering, last error: {self._public(error)}"
                wait = (
                    max(delay, retry_after_seconds(error))
                    if isinstance(error, RetryAfter)
                    else delay
                )
                log.warning("telegram registration failed (%s); retrying in %.1f s", error, wait)
                await asyncio.sleep(wait)
                delay = min(delay * 2, longest)
        self.registration = "ready"
        log.info("telegram registered")
        on_ready()

    def _public(self, error: TelegramError) -> str:
        """The error as /readyz may show it: its kind and message, never the bot's token."""
        return f"{type(error).__name__}: {error.message}".replace(self.bot.token, "<token>")

    async def stop(self) -> None:
        if self._registering is not None:
            self._registering.cancel()
            await asyncio.gather(self._registering, return_exceptions=True)
        if self._polling is not None:
            self._polling.cancel()
            await asyncio.gather(self._polling, return_exceptions=True)
        await self.bot.shutdown()

    async def _poll(self, accept: Any) -> None:
        offset: int | None = None
        failures = 0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=25, allowed_updates=ALLOWED_UPDATES
                )
                failures = 0
            except asyncio.CancelledError:
                raise
            except TelegramError as error:
                failures += 1
                log.warning("telegram polling failed: %s", error)
                await asyncio.sleep(min(2.0**failures, 30.0))
                continue
            for update in updates:
                inbound = self.to_inbound(update)
                if inbound is not None:
                    await accept(inbound)
                # Recorded (or deliberately ignored) before the offset moves past it.
                offset = update.update_id + 1
