"""schemathesis over the gateway's endpoints: nothing answers 5xx, every status as declared.

The gateway has no OpenAPI document of its own (it is Starlette, not FastAPI), so ``SPEC``
below describes its contract (docs/ARCHITECTURE.md, "Contracts") for the fuzzer. The gateway
is the real app from ``create_app``, served by uvicorn with its lifespan (so Telegram registers
with the fake Bot API, the inbox runs), called over HTTP. Every webhook is fuzzed twice: with
a valid secret or signature (computed for each generated request with twilio's own
``RequestValidator``), so that generated bodies reach the parsers, and without. Generation is
derandomized: the same cases every run. With tests/backend/test_openapi_fuzz.py this makes
over 2,000 generated requests.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance
from starlette.datastructures import FormData
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.app import Gateway, create_app
from bot.rasa_client import RasaClient
from channels.clients import make_telegram_bot
from core.config import Settings
from tests.bot.conftest import PUBLIC_BASE_URL, SERVICE_TOKEN, WEBHOOK_SECRET
from tests.support.fake_twilio import AUTH_TOKEN, FakeTwilioHttpClient
from tests.support.local_server import LocalServer

# Examples per operation, authentication and generation mode: 10 x 2 x 80 = 1,600, and one
# each for the four operations without input.
EXAMPLES = 80
MINIMUM_CASES = 1500
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]

JSON_ERROR = {"description": "refused", "content": {"application/json": {"schema": {}}}}
TOO_LARGE = {"413": JSON_ERROR}
# A form Starlette cannot parse (a multipart body without its boundary) is its own 400.
TWILIO_REFUSED = {
    "400": {"description": "unreadable form"},
    **{code: JSON_ERROR for code in ("401", "403", "413", "415")},
}
WEB_ID = "^(web:)?[A-Za-z0-9_-]{8,64}$"


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _form_body(fields: list[str]) -> dict[str, Any]:
    """Twilio's urlencoded form; also multipart with a file, which Twilio never sends."""
    schema = {
        "type": "object",
        "properties": {name: {"type": "string"} for name in fields},
        "additionalProperties": {"type": "string"},
    }
    upload = {
        "type": "object",
        "properties": {"Body": {"type": "string"}, "File": {"type": "string", "format": "binary"}},
    }
    return {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": schema},
            "multipart/form-data": {"schema": upload},
        },
    }


def _answers(**statuses: str) -> dict[str, Any]:
    """Responses by status; a media type of "" means no body."""
    return {
        code.removeprefix("s"): {
            "description": code,
            **({"content": {media: {"schema": {}}}} if media else {}),
        }
        for code, media in statuses.items()
    }


CHAT = {
    "type": "object",
    "required": ["id", "type"],
    "properties": {
        "id": {"type": "integer"},
        "type": {"enum": ["private", "group", "supergroup", "channel"]},
        "first_name": {"type": "string"},
    },
}
USER = {
    "type": "object",
    "required": ["id", "is_bot", "first_name"],
    "properties": {
        "id": {"type": "integer"},
        "is_bot": {"type": "boolean"},
        "first_name": {"type": "string"},
        "language_code": {"type": "string"},
    },
}
MESSAGE = {
    "type": "object",
    "required": ["message_id", "date", "chat"],
    "properties": {
        "message_id": {"type": "integer"},
        "date": {"type": "integer"},
        "chat": CHAT,
        "from": USER,
        "text": {"type": "string"},
        "caption": {"type": "string"},
        "contact": {
            "type": "object",
            "required": ["phone_number", "first_name"],
            "properties": {
                "phone_number": {"type": "string"},
                "first_name": {"type": "string"},
                "user_id": {"type": "integer"},
            },
        },
    },
}
UPDATE = {
    "type": "object",
    "required": ["update_id"],
    "properties": {
        "update_id": {"type": "integer"},
        "message": MESSAGE,
        "edited_message": MESSAGE,
        "callback_query": {
            "type": "object",
            "required": ["id", "from", "chat_instance"],
            "properties": {
                "id": {"type": "string"},
                "from": USER,
                "chat_instance": {"type": "string"},
                "data": {"type": "string"},
                "message": MESSAGE,
            },
        },
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "MSME grievance desk gateway", "version": "1"},
    "paths": {
        "/webchat/messages": {
            "post": {
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "required": ["sender", "text"],
                        "properties": {
                            "sender": {"type": "string", "pattern": WEB_ID},
                            "text": {"type": "string", "minLength": 1, "maxLength": 4000},
                            "message_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$"},
                            "language": {"type": "string"},
                        },
                    }
                ),
                "responses": _answers(
                    s200="application/json", s422="application/json", s429="application/json"
                )
                | TOO_LARGE,
            }
        },
        "/webchat/updates": {
            "get": {
                "parameters": [
                    {
                        "name": "sender",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "pattern": WEB_ID},
                    },
                    {
                        "name": "after",
                        "in": "query",
                        "schema": {"type": "integer", "format": "int64"},
                    },
                ],
                "responses": _answers(s200="application/json", s422="application/json"),
            }
        },
        "/internal/webchat/push": {
            "post": {
                "requestBody": _json_body(
                    {
                        "type": "object",
                        "required": ["channel_user_id", "text"],
                        "properties": {
                            "channel_user_id": {"type": "string", "pattern": WEB_ID},
                            "text": {"type": "string"},
                            "delivery_key": {"type": "string"},
                            "buttons": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "title": {"type": "string"},
                                        "payload": {"type": "string"},
                                    },
                                },
                            },
                        },
                    }
                ),
                "responses": _answers(
                    s201="application/json", s401="application/json", s422="application/json"
                )
                | TOO_LARGE,
            }
        },
        "/telegram/webhook": {
            "post": {
                "requestBody": _json_body(UPDATE),
                # Telegram redelivers anything but 2xx: an unreadable update is dropped (200).
                "responses": _answers(s200="", s401="application/json", s403="application/json")
                | TOO_LARGE,
            }
        },
        "/whatsapp/webhook": {
            "post": {
                "requestBody": _form_body(
                    [
                        *("MessageSid", "From", "To", "Body", "NumMedia", "ProfileName"),
                        *("ButtonPayload", "MediaUrl0", "MediaContentType0"),
                    ]
                ),
                "responses": _answers(s200="application/xml") | TWILIO_REFUSED,
            }
        },
        "/whatsapp/status": {
            "post": {
                "parameters": [
                    {
                        "name": "notification_id",
                        "in": "query",
                        "schema": {"type": "integer", "format": "int64", "minimum": 0},
                    }
                ],
                "requestBody": _form_body(["MessageSid", "MessageStatus", "ErrorCode", "To"]),
                "responses": _answers(s204="", s422="application/json") | TWILIO_REFUSED,
            }
        },
        "/healthz": {"get": {"responses": _answers(s200="application/json")}},
        "/readyz": {"get": {"responses": _answers(s200="application/json")}},
        "/metrics": {"get": {"responses": _answers(s200="text/plain")}},
        "/": {"get": {"responses": _answers(s200="text/html")}},
    },
}

Sign = Callable[[dict[str, Any]], dict[str, str]]


def telegram_secret(_request: dict[str, Any]) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}


def service_token(_request: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {SERVICE_TOKEN}"}


def twilio_signature(request: dict[str, Any]) -> dict[str, str]:
    """Sign exactly what will be sent: the public URL with the encoded query, and the form."""
    prepared = requests.Request(
        method=request["method"],
        url=request["url"],
        params=request.get("params"),
        data=request.get("data"),
        headers=request.get("headers"),
    ).prepare()
    body = prepared.body or ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    form = FormData(parse_qsl(text, keep_blank_values=True))
    url = f"{PUBLIC_BASE_URL}{prepared.path_url}"
    return {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, form)}


def unsigned(_request: dict[str, Any]) -> dict[str, str]:
    return {}


# (path, how a genuine caller authenticates); each is also fuzzed unauthenticated.
AUTHENTICATED: dict[str, Sign] = {
    "/telegram/webhook": telegram_secret,
    "/internal/webchat/push": service_token,
    "/whatsapp/webhook": twilio_signature,
    "/whatsapp/status": twilio_signature,
}


@pytest.fixture
def gateway_url(settings: Settings, twilio_http: FakeTwilioHttpClient) -> Iterator[str]:
    # The fuzzer is one very fast sender; the per-sender limits have their own tests.
    fuzz_settings = settings.model_copy(
        update={"rate_limit_sender_per_second": 1e6, "rate_limit_sender_burst": 1_000_000}
    )
    gateway = Gateway(
        fuzz_settings,
        telegram_bot=make_telegram_bot(
            fuzz_settings.telegram_bot_token, fuzz_settings.telegram_api_base_url
        ),
        twilio_client=Client(
            fuzz_settings.twilio_account_sid,
            fuzz_settings.twilio_auth_token,
            http_client=twilio_http,
        ),
        rasa=RasaClient(
            fuzz_settings.rasa_url,
            fuzz_settings.backend_url,
            secret=fuzz_settings.rasa_shared_secret,
            health_ttl=0.0,
        ),
    )
    server = LocalServer(create_app(fuzz_settings, gateway=gateway)).start()
    yield server.url
    server.stop()


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)
    answered: Counter[tuple[str, int]] = field(default_factory=Counter)  # (variant, status)
    failures: list[str] = field(default_factory=list)


def fuzz(
    operation: Any, mode: GenerationMode, sign: Sign, label: str, url: str, tally: Tally
) -> None:
    """Generate and send ``EXAMPLES`` requests for one operation, caller and mode."""
    session = requests.Session()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        tally.cases[label] += 1
        headers = sign(case.as_transport_kwargs(base_url=url))
        response = case.call_and_validate(
            base_url=url, session=session, headers=headers, checks=CHECKS
        )
        tally.answered[(label, response.status_code)] += 1

    try:
        run()
    except (Exception, FailureGroup) as error:  # gather all, then report
        tally.failures.append(f"{label}: {error}"[:3000])


def test_gateway_endpoints_hold_under_generated_input(gateway_url: str) -> None:
    schema = schemathesis.openapi.from_dict(SPEC)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(SPEC["paths"])
    tally = Tally()
    for operation in operations:
        callers: dict[str, Sign] = {"anonymous": unsigned}
        if operation.path in AUTHENTICATED:
            callers["genuine"] = AUTHENTICATED[operation.path]
        has_input = operation.path not in ("/healthz", "/readyz", "/metrics", "/")
        modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_input else []
        for caller, sign in callers.items():
            for mode in modes or [GenerationMode.POSITIVE]:
                label = f"{operation.label} ({caller}, {mode.value})"
                fuzz(operation, mode, sign, label, gateway_url, tally)

    assert not tally.failures, "\n\n".join(tally.failures)
    total = sum(tally.cases.values())
    assert total >= MINIMUM_CASES, tally.cases
    # The secrets and signatures worked: generated bodies got past authentication.
    for path in AUTHENTICATED:
        past = sum(
            count
            for (label, status), count in tally.answered.items()
            if f"{path} (genuine" in label and status < 400
        )
        assert past > 10, (path, sorted(tally.answered.items()))
    print(f"\n{total} cases over {len(tally.cases)} variants: {sorted(tally.answered.items())}")
