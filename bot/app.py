"""The gateway application: ``create_app(settings)`` builds it, nothing happens at import.

Routes (ARCHITECTURE.md, "Contracts"):
``POST /telegram/webhook``, ``POST /whatsapp/webhook``, ``POST /whatsapp/status``,
``GET /`` (web chat page), ``POST /webchat/messages``, ``GET /webchat/updates``,
``POST /internal/webchat/push`` (Bearer ``SERVICE_TOKEN``; the web chat sender), ``GET /healthz``,
``GET /readyz`` (each channel's state: Telegram may still be registering),
``GET /metrics`` (Prometheus; Bearer ``METRICS_TOKEN`` when set).
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from telegram import Bot as TelegramBot

from bot.inbox import Inbound, Inbox
from bot.inputs import UnreadableInput, query_int, read_json
from bot.metrics import GatewayMetrics
from bot.rasa_client import AssistantUnavailable, RasaClient
from bot.request_ids import processing, with_request_id
from bot.store import GatewayStore, StoredMessage, make_engine
from bot.telegram_channel import TelegramChannel
from bot.throttle import RATE_LIMITED, SenderThrottle, retry_after
from bot.webchat import InvalidWebMessage, WebChatChannel, web_id_of
from bot.whatsapp_channel import DeliveryReceipts, WhatsAppChannel
from channels.clients import make_telegram_bot, make_twilio_client
from channels.privacy import mask_sender
from channels.rendering import Reply
from channels.texts import gateway_language, gateway_text
from core.bodylimit import BodyLimit
from core.config import Settings
from core.metrics import LatencyMiddleware
from core.requestid import RequestIdMiddleware

if TYPE_CHECKING:
    from twilio.rest import Client as TwilioClient  # imported where WhatsApp is configured

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
TWILIO_REFUSALS = {401: "bad signature", 403: "bad signature", 415: "files are not accepted"}


class Channel(Protocol):
    name: str

    async def process(self, message: StoredMessage) -> None: ...

    async def held(self, message: StoredMessage, first: bool) -> None: ...


class Gateway:
    """Everything the routes need, built from the settings; injectable for tests."""

    def __init__(
        self,
        settings: Settings,
        *,
        telegram_bot: TelegramBot | None = None,
        twilio_client: TwilioClient | None = None,
        rasa: RasaClient | None = None,
        recovery_interval: float = 2.0,
        throttle: SenderThrottle | None = None,
        telegram_retry: tuple[float, float] = (1.0, 300.0),
    ) -> None:
        self.settings = settings
        self.telegram_retry = telegram_retry  # first and longest wait between registrations
        self.engine = make_engine(settings.database_url)
        self.store = GatewayStore(self.engine)
        self.metrics = GatewayMetrics()
        self.throttle = throttle or SenderThrottle.from_settings(settings)
        self.rasa = rasa or RasaClient(
            settings.rasa_url, settings.backend_url, secret=settings.rasa_shared_secret
        )
        self.rasa.metrics = self.metrics
        self.webchat = WebChatChannel(self.store, self.rasa)
        self.telegram: TelegramChannel | None = None
        if telegram_bot is None and settings.telegram_bot_token:
            telegram_bot = make_telegram_bot(
                settings.telegram_bot_token, settings.telegram_api_base_url
            )
        if telegram_bot is not None:
            self.telegram = TelegramChannel(
                telegram_bot,
                self.store,
                self.rasa,
                webhook_secret=settings.telegram_webhook_secret,
            )
        if twilio_client is None and settings.twilio_account_sid and settings.twilio_auth_token:
            twilio_client = make_twilio_client(
                settings.twilio_account_sid,
                settings.twilio_auth_token,
                settings.twilio_api_base_url,
            )
        self.whatsapp = WhatsAppChannel(
            twilio_client,
            self.store,
            self.rasa,
            auth_token=settings.twilio_auth_token,
            whatsapp_from=settings.twilio_whatsapp_from,
            public_base_url=settings.public_base_url,
        )
        self.receipts = DeliveryReceipts(self.engine, self.store)
        self.channels: dict[str, Channel] = {"web": self.webchat, "whatsapp": self.whatsapp}
        if self.telegram is not None:
            self.channels["telegram"] = self.telegram
        self.inbox = Inbox(
            self.store,
            self._process,
            self._held,
            self.rasa.is_up,
            recovery_interval=recovery_interval,
        )
        self.metrics.watch_backlog(self.store, lambda: not self.inbox.in_outage)

    async def accept(self, inbound: Inbound, *, throttled: bool = True) -> int | None:
        """Record a message from a webhook (or long polling) with its request id; a sender
        over the rate limit is recorded too, flagged, and told instead of answered (a
        provider's webhook is never refused). None for a duplicate."""
        inbound = with_request_id(inbound)
        outcome = "accepted"
        if throttled and await self.throttle.take(inbound.sender_id) > 0:
            inbound = dataclasses.replace(
                inbound, metadata={**inbound.metadata, RATE_LIMITED: True}
            )
            outcome = RATE_LIMITED
        message_id = await self.inbox.accept(inbound)
        if message_id is None:
            outcome = "duplicate"
        elif outcome == RATE_LIMITED:
            log.info(
                "message %s from %s over the rate limit: recorded, not sent to the assistant",
                message_id,
                mask_sender(inbound.sender_id),
            )
        self.metrics.messages_in.labels(inbound.channel, outcome).inc()
        return message_id

    async def _process(self, message: StoredMessage) -> None:
        channel = self.channels.get(message.channel)
        if channel is None:
            raise RuntimeError(f"no channel {message.channel} configured for a stored message")
        with processing(message):
            if message.metadata.get(RATE_LIMITED):
                await self._tell_too_fast(message)
                return
            self.throttle.admitted(message.sender_id)
            started = time.perf_counter()
            try:
                await channel.process(message)
            except AssistantUnavailable:
                self.metrics.rasa_failures.labels("unavailable").inc()
                raise
            except Exception:
                self.metrics.rasa_failures.labels("error").inc()
                raise
            self.metrics.turn_latency.labels(message.channel).observe(time.perf_counter() - started)

    async def _tell_too_fast(self, message: StoredMessage) -> None:
        """Once per flood: "you are sending too fast"; the message itself stays recorded."""
        if not self.throttle.claim_notice(message.sender_id):
            return
        address = message.sender_id.partition(":")[2]
        language = gateway_language(message.metadata.get("language_code"), message.text)
        notice = [Reply(gateway_text("too_fast", language))]
        if message.channel == "telegram" and self.telegram is not None:
            await self.telegram.send_replies(int(address), notice)
        elif message.channel == "whatsapp":
            await self.whatsapp.send_replies(address, notice)
        else:
            return
        self.metrics.messages_out.labels(message.channel, "notice").inc()

    async def _held(self, message: StoredMessage, first: bool) -> None:
        channel = self.channels.get(message.channel)
        if channel is not None:
            with processing(message):
                await channel.held(message, first)
            if first:  # the outage notice (the web chat also answers each later message)
                self.metrics.messages_out.labels(message.channel, "notice").inc()

    async def start(self, *, start_telegram: bool = True) -> None:
        """Serve at once; Telegram registers in the background (its Bot API may be down), and
        its updates wait in the inbox, recorded, until the bot can answer them."""
        await self.store.call(self.store.create_tables)
        telegram = self.telegram if start_telegram else None
        if telegram is not None:
            self.inbox.pause(telegram.name)
        await self.inbox.start()
        if telegram is not None:
            telegram.register_in_background(
                self.settings.public_base_url,
                self.accept,
                lambda: self.inbox.resume(telegram.name),
                retry=self.telegram_retry,
            )

    def readiness(self) -> dict[str, Any]:
        """Each channel's state, and "degraded" while any is not ready (the gateway still
        serves the others, so a load balancer should keep sending it traffic)."""
        channels = {name: "ready" for name in self.channels}
        if self.telegram is not None:
            channels["telegram"] = self.telegram.registration
        ready = all(state == "ready" for state in channels.values())
        return {
            "status": "ready" if ready else "degraded",
            "assistant": "unavailable" if self.inbox.in_outage else "ok",
            "channels": channels,
        }

    async def stop(self) -> None:
        await self.inbox.stop()
        if self.telegram is not None:
            await self.telegram.stop()
        await self.rasa.close()
        self.store.close()
        self.engine.dispose()


def create_app(
    settings: Settings | None = None,
    *,
    gateway: Gateway | None = None,
    start_telegram: bool = True,
) -> Starlette:
    settings = settings or (gateway.settings if gateway else Settings())
    gw = gateway or Gateway(settings)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await gw.start(start_telegram=start_telegram)
        try:
            yield
        finally:
            await gw.stop()

    async def telegram_webhook(request: Request) -> Response:
        if gw.telegram is None:
            return JSONResponse({"detail": "telegram is not configured"}, status_code=404)
        status = gw.telegram.secret_status(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if status != 200:
            return JSONResponse({"detail": "bad secret token"}, status_code=status)
        # Telegram would redeliver a 4xx forever: what cannot be read is logged and dropped.
        try:
            data = await read_json(request)
        except UnreadableInput as error:
            log.warning("unreadable telegram update dropped: %s", error)
            return Response(status_code=200)
        try:
            inbound = gw.telegram.parse(data) if isinstance(data, dict) else None
        except Exception:
            log.exception("unreadable telegram update dropped")
            return Response(status_code=200)
        if inbound is not None:
            await gw.accept(inbound)
        return Response(status_code=200)

    async def twilio_form(request: Request) -> tuple[int, Any]:
        """The form and 200 if Twilio signed it; 401/403 if not, 415 for uploaded files
        (Twilio never sends any, and its validator reads every value as text)."""
        form = await request.form()
        if any(not isinstance(value, str) for value in form.values()):
            return 415, form
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        status = gw.whatsapp.signature_status(
            path,
            form,
            request.headers.get("X-Twilio-Signature"),
            request.headers.get("X-Twilio-Webhooks-Signature-Settings"),
        )
        return status, form

    async def whatsapp_webhook(request: Request) -> Response:
        status, form = await twilio_form(request)
        if status != 200:
            return JSONResponse({"detail": TWILIO_REFUSALS[status]}, status_code=status)
        inbound = gw.whatsapp.to_inbound({k: str(v) for k, v in form.items()})
        if inbound is not None:
            await gw.accept(inbound)
        # Empty TwiML: the replies go out through the API once the assistant has answered.
        return Response("<Response/>", media_type="application/xml")

    async def whatsapp_status(request: Request) -> Response:
        status, form = await twilio_form(request)
        if status != 200:
            return JSONResponse({"detail": TWILIO_REFUSALS[status]}, status_code=status)
        try:
            notification_id = query_int(request, "notification_id", 0, minimum=0) or None
        except UnreadableInput as error:
            return JSONResponse({"detail": str(error)}, status_code=422)
        try:
            await gw.store.call(
                gw.receipts.apply, {k: str(v) for k, v in form.items()}, notification_id
            )
        except Exception:
            log.exception("delivery callback not recorded")
        return Response(status_code=204)

    async def webchat_message(request: Request) -> Response:
        try:
            inbound = gw.webchat.to_inbound(await read_json(request))
        except (InvalidWebMessage, UnreadableInput) as error:
            return JSONResponse({"detail": str(error)}, status_code=422)
        wait = await gw.throttle.take(inbound.sender_id)
        if wait > 0:
            # The page's own request: refuse it (not recorded) and say why in the chat.
            gw.metrics.messages_in.labels(inbound.channel, RATE_LIMITED).inc()
            seconds = retry_after(wait)
            language = gateway_language(inbound.metadata.get("language"), inbound.text)
            return JSONResponse(
                {
                    "messages": [{"text": gateway_text("too_fast", language)}],
                    RATE_LIMITED: True,
                    "retry_after": seconds,
                },
                status_code=429,
                headers={"Retry-After": str(seconds)},
            )
        message_id = await gw.accept(inbound, throttled=False)
        if message_id is None:
            return JSONResponse({"messages": [], "duplicate": True})
        replies = await gw.webchat.wait_reply(message_id)
        if replies is None:
            return JSONResponse({"messages": [], "pending": True})
        return JSONResponse({"messages": replies})

    async def webchat_updates(request: Request) -> Response:
        try:
            web_id = web_id_of(request.query_params.get("sender", ""))
            after = query_int(request, "after", 0)
        except (InvalidWebMessage, UnreadableInput) as error:
            return JSONResponse({"detail": str(error)}, status_code=422)
        if after < 0:
            # A page opening for the first time starts after what is already there.
            latest = await gw.store.call(gw.store.latest_webchat_id, web_id)
            return JSONResponse({"messages": [], "last_id": latest})
        updates = await gw.store.call(gw.store.webchat_updates, web_id, after)
        last_id = updates[-1]["id"] if updates else after
        return JSONResponse({"messages": updates, "last_id": last_id})

    async def webchat_push(request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        expected = f"Bearer {settings.service_token}"
        if not hmac.compare_digest(header.encode(), expected.encode()):
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        try:
            body = await read_json(request)
            web_id = web_id_of(str(body["channel_user_id"]))
            text = str(body["text"])
        except (KeyError, TypeError, InvalidWebMessage, UnreadableInput) as error:
            return JSONResponse({"detail": f"bad request: {error}"}, status_code=422)
        buttons = body.get("buttons") if isinstance(body.get("buttons"), list) else None
        delivery_key = str(body["delivery_key"]) if body.get("delivery_key") else None
        pushed = await gw.store.call(gw.store.push_webchat, web_id, text, buttons, delivery_key)
        return JSONResponse({"id": pushed}, status_code=201)

    async def metrics(request: Request) -> Response:
        if settings.metrics_token:
            expected = f"Bearer {settings.metrics_token}"
            presented = request.headers.get("Authorization", "")
            if not hmac.compare_digest(presented.encode(), expected.encode()):
                return JSONResponse({"detail": "metrics token required"}, status_code=401)
        # The backlog gauge reads the database: off the event loop, on the store's threads.
        body = await gw.store.call(generate_latest, gw.metrics.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    async def page(_request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    async def health(_request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "assistant": "unavailable" if gw.inbox.in_outage else "ok",
                "channels": sorted(gw.channels),
            }
        )

    async def ready(_request: Request) -> Response:
        return JSONResponse(gw.readiness())

    app = Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/healthz", health, methods=["GET"]),
            Route("/readyz", ready, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
            Route("/whatsapp/webhook", whatsapp_webhook, methods=["POST"]),
            Route("/whatsapp/status", whatsapp_status, methods=["POST"]),
            Route("/webchat/messages", webchat_message, methods=["POST"]),
            Route("/webchat/updates", webchat_updates, methods=["GET"]),
            Route("/internal/webchat/push", webchat_push, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        lifespan=lifespan,
        # Outermost first: the latency of every request, then one id per request (a
        # webhook's id becomes its message's id, see bot/request_ids.py), then the body limit
        # (every endpoint, webhooks included; a chunked body is counted as it streams).
        middleware=[
            Middleware(LatencyMiddleware, metrics=gw.metrics),
            Middleware(RequestIdMiddleware),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
    )
    app.state.gateway = gw
    return app
