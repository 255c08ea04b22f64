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
from tests.actions.conftest import SERVICE_TOKEN, make_tracker


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


def test_create_timeout_comes_from_the_environment_and_outlasts_a_lookup() -> None:
    assert load_settings({"BACKEND_CREATE_TIMEOUT": "20"}).create_timeout == 20.0
    defaults = load_settings({})
    assert defaults.create_timeout > defaults.read_timeout


async def test_the_gateway_request_id_goes_to_the_backend_as_x_request_id(
    backend: respx.MockRouter,
) -> None:
    route = backend.get("/api/v1/tickets").respond(200, json=[])
    tracker = make_tracker(text="my complaints", metadata={"request_id": "9f2c-turn"})
    await backend_client.backend(tracker).list_tickets(ChatIdentity("web", "a"))
    assert route.calls.last.request.headers["X-Request-ID"] == "9f2c-turn"
    # The bound client shares the pool; the plain one sends no id.
    await backend_client.backend().list_tickets(ChatIdentity("web", "a"))
    assert "X-Request-ID" not in route.calls.last.request.headers


async def test_the_request_id_is_found_on_the_user_event_too(backend: respx.MockRouter) -> None:
    # Rasa keeps the message metadata on the user event; the parse data may not carry it.
    route = backend.get("/api/v1/tickets").respond(200, json=[])
    tracker = make_tracker(text="hi", metadata={"request_id": "on-the-event"})
    tracker.latest_message.pop("metadata")
    await backend_client.backend(tracker).list_tickets(ChatIdentity("web", "a"))
    assert route.calls.last.request.headers["X-Request-ID"] == "on-the-event"


@pytest.mark.parametrize("metadata", [None, {}, {"request_id": "has space"}, {"request_id": 7}])
async def test_no_usable_request_id_sends_no_header(
    backend: respx.MockRouter, metadata: dict | None
) -> None:
    route = backend.get("/api/v1/tickets").respond(200, json=[])
    tracker = make_tracker(text="hi", metadata=metadata)
    await backend_client.backend(tracker).list_tickets(ChatIdentity("web", "a"))
    assert "X-Request-ID" not in route.calls.last.request.headers


async def test_create_uses_the_longer_timeout_and_retries_once_with_the_same_body(
    backend: respx.MockRouter,
) -> None:
    route = backend.post("/api/v1/tickets")
    route.side_effect = [httpx.ConnectError("refused"), httpx.Response(201, json={"number": "N"})]
    ticket = {"idempotency_key": "same-key", "description": "x"}
    assert await backend_client.backend().create_ticket(ticket) == {"number": "N"}
    assert [call.request.content for call in route.calls] == [route.calls[0].request.content] * 2
    settings = load_settings({})
    timeout = route.calls.last.request.extensions["timeout"]
    assert timeout["read"] == settings.create_timeout and timeout["connect"] == 2.0
    lookup = backend.get("/api/v1/tickets").respond(200, json=[])
    await backend_client.backend().list_tickets(ChatIdentity("web", "a"))
    assert lookup.calls.last.request.extensions["timeout"]["read"] == settings.read_timeout


async def test_create_is_not_retried_on_an_answer_and_gives_up_after_two_timeouts(
    backend: respx.MockRouter,
) -> None:
    route = backend.post("/api/v1/tickets")
    route.side_effect = [httpx.Response(503), httpx.ReadTimeout("a"), httpx.ReadTimeout("b")]
    with pytest.raises(BackendUnavailable):  # a 5xx is an answer: the user may retry
        await backend_client.backend().create_ticket({"idempotency_key": "k"})
    assert route.call_count == 1
    with pytest.raises(BackendUnavailable):
        await backend_client.backend().create_ticket({"idempotency_key": "k"})
    assert route.call_count == 3


async def test_create_waits_out_a_restarting_backend(
    backend: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backend_client, "CONNECT_RETRY_DELAYS", (0.0, 0.0, 0.0, 0.0))
    route = backend.post("/api/v1/tickets")
    refused = [httpx.ConnectError("refused")] * 4
    route.side_effect = [*refused, httpx.Response(201, json={"number": "N"})]
    assert await backend_client.backend().create_ticket({"idempotency_key": "k"}) == {"number": "N"}
    assert route.call_count == 5
    route.side_effect = [httpx.ConnectError("refused")] * 5
    with pytest.raises(BackendUnavailable):  # still down after every wait: the user is told
        await backend_client.backend().create_ticket({"idempotency_key": "k"})
    assert route.call_count == 10
