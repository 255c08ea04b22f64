"""The gateway application: ``create_app(settings)`` builds it, nothing happens at import.

Routes (ARCHITECTURE.md, "Contracts"):
``POST /telegram/webhook``, ``POST /whatsapp/webhook``, ``POST /whatsapp/status``,
``GET /`` (web chat page), ``POST /webchat/messages``, ``GET /webchat/updates``,
``POST /internal/webchat/push`` (Bearer ``SERVICE_TOKEN``; the web chat sender), ``GET /healthz``.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from telegram import Bot as TelegramBot
from twilio.rest import Client as TwilioClient

from backend.config import Settings
from bot.inbox import Inbox
from bot.rasa_client import RasaClient
from bot.senders import make_telegram_bot, make_twilio_client
from bot.store import GatewayStore, StoredMessage, make_engine
from bot.telegram_channel import TelegramChannel
from bot.webchat import InvalidWebMessage, WebChatChannel, web_id_of
from bot.whatsapp_channel import DeliveryReceipts, WhatsAppChannel

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


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
    ) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        self.store = GatewayStore(self.engine)
        self.rasa = rasa or RasaClient(settings.rasa_url, settings.backend_url)
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

    async def _process(self, message: StoredMessage) -> None:
        channel = self.channels.get(message.channel)
        if channel is None:
            raise RuntimeError(f"no channel {message.channel} configured for a stored message")
        await channel.process(message)

    async def _held(self, message: StoredMessage, first: bool) -> None:
        channel = self.channels.get(message.channel)
        if channel is not None:
            await channel.held(message, first)

    async def start(self, *, start_telegram: bool = True) -> None:
        await self.store.call(self.store.create_tables)
        await self.inbox.start()
        if self.telegram is not None and start_telegram:
            await self.telegram.start(self.settings.public_base_url, self.inbox.accept)

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

    max_body = settings.max_body_bytes

    async def too_large(request: Request) -> bool:
        length = request.headers.get("content-length")
        return length is not None and length.isdigit() and int(length) > max_body

    async def telegram_webhook(request: Request) -> Response:
        if gw.telegram is None:
            return JSONResponse({"detail": "telegram is not configured"}, status_code=404)
        status = gw.telegram.secret_status(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        if status != 200:
            return JSONResponse({"detail": "bad secret token"}, status_code=status)
        if await too_large(request):
            return JSONResponse({"detail": "too large"}, status_code=413)
        try:
            data = json.loads(await request.body())
            inbound = gw.telegram.parse(data) if isinstance(data, dict) else None
        except Exception:  # Telegram would redeliver a 4xx forever; log and drop it
            log.exception("unreadable telegram update dropped")
            return Response(status_code=200)
        if inbound is not None:
            await gw.inbox.accept(inbound)
        return Response(status_code=200)

    async def twilio_form(request: Request) -> tuple[int, Any]:
        if await too_large(request):
            return 413, None
        form = await request.form()
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
            return JSONResponse({"detail": "bad signature"}, status_code=status)
        inbound = gw.whatsapp.to_inbound({k: str(v) for k, v in form.items()})
        if inbound is not None:
            await gw.inbox.accept(inbound)
        # Empty TwiML: the replies go out through the API once the assistant has answered.
        return Response("<Response/>", media_type="application/xml")

    async def whatsapp_status(request: Request) -> Response:
        status, form = await twilio_form(request)
        if status != 200:
            return JSONResponse({"detail": "bad signature"}, status_code=status)
        raw_id = request.query_params.get("notification_id")
        notification_id = int(raw_id) if raw_id and raw_id.isdigit() else None
        try:
            await gw.store.call(
                gw.receipts.apply, {k: str(v) for k, v in form.items()}, notification_id
            )
        except Exception:
            log.exception("delivery callback not recorded")
        return Response(status_code=204)

    async def webchat_message(request: Request) -> Response:
        if await too_large(request):
            return JSONResponse({"detail": "too large"}, status_code=413)
        try:
            inbound = gw.webchat.to_inbound(await request.json())
        except (InvalidWebMessage, ValueError) as error:
            return JSONResponse({"detail": str(error)}, status_code=422)
        message_id = await gw.inbox.accept(inbound)
        if message_id is None:
            return JSONResponse({"messages": [], "duplicate": True})
        replies = await gw.webchat.wait_reply(message_id)
        if replies is None:
            return JSONResponse({"messages": [], "pending": True})
        return JSONResponse({"messages": replies})

    async def webchat_updates(request: Request) -> Response:
        try:
            web_id = web_id_of(request.query_params.get("sender", ""))
            after = int(request.query_params.get("after", "0"))
        except (InvalidWebMessage, ValueError) as error:
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
            body = await request.json()
            web_id = web_id_of(str(body["channel_user_id"]))
            text = str(body["text"])
        except (KeyError, TypeError, ValueError, InvalidWebMessage) as error:
            return JSONResponse({"detail": f"bad request: {error}"}, status_code=422)
        buttons = body.get("buttons") if isinstance(body.get("buttons"), list) else None
        delivery_key = str(body["delivery_key"]) if body.get("delivery_key") else None
        pushed = await gw.store.call(gw.store.push_webchat, web_id, text, buttons, delivery_key)
        return JSONResponse({"id": pushed}, status_code=201)

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

    app = Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/healthz", health, methods=["GET"]),
            Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
            Route("/whatsapp/webhook", whatsapp_webhook, methods=["POST"]),
            Route("/whatsapp/status", whatsapp_status, methods=["POST"]),
            Route("/webchat/messages", webchat_message, methods=["POST"]),
            Route("/webchat/updates", webchat_updates, methods=["GET"]),
            Route("/internal/webchat/push", webchat_push, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        lifespan=lifespan,
    )
    app.state.gateway = gw
    return app
