from __future__ import annotations

import httpx
import pytest
import respx

from actions import backend_client
from actions.backend_client import (
    BackendRefused,
    BackendUnavailable,
    ChatIdentity,
    identity_from_sender,
)
from actions.settings import load_settings
from tests.actions.conftest import SERVICE_TOKEN


@pytest.mark.parametrize(
    ("sender", "metadata", "expected"),
    [
        ("tg:123", None, ChatIdentity("telegram", "123")),
        ("wa:+919812345678", None, ChatIdentity("whatsapp", "+919812345678")),
        ("web:abc", None, ChatIdentity("web", "abc")),
        ("web:abc", {"channel": "cpgrams"}, ChatIdentity("cpgrams", "abc")),
        ("default", None, ChatIdentity("web", "default")),
        ("tg:", None, ChatIdentity("web", "tg:")),
    ],
)
def test_identity_from_sender(sender: str, metadata: dict | None, expected: ChatIdentity) -> None:
    assert identity_from_sender(sender, metadata) == expected


def test_settings_come_from_the_environment() -> None:
    settings = load_settings({"BACKEND_URL": "http://x:9/", "SERVICE_TOKEN": "t"})
    assert settings.backend_url == "http://x:9" and settings.service_token == "t"
    assert load_settings({}).backend_url == "http://127.0.0.1:8000"


async def test_one_client_per_event_loop_with_the_service_token(
    backend: respx.MockRouter,
) -> None:
    route = backend.get("/api/v1/tickets").respond(200, json=[])
    assert backend_client.backend() is backend_client.backend()
    await backend_client.backend().list_tickets(ChatIdentity("web", "a"))
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {SERVICE_TOKEN}"


async def test_failures_become_unavailable_or_refused(backend: respx.MockRouter) -> None:
    route = backend.get("/api/v1/schemes/search")
    route.side_effect = [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.Response(502),
        httpx.Response(400, json={"detail": "q is required"}),
    ]
    for _ in range(3):
        with pytest.raises(BackendUnavailable):
            await backend_client.backend().search_schemes("x")
    with pytest.raises(BackendRefused) as refused:
        await backend_client.backend().search_schemes("x")
    assert refused.value.status == 400 and refused.value.detail == "q is required"
