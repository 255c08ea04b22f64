from __future__ import annotations

import asyncio

import httpx

from bot.app import Gateway
from tests.support.rasa_stand_in import RasaStandIn

WEB = "web:visitor-0001"


async def test_message_answered_in_rasa_shape(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    rasa.replies["hi"] = [
        {
            "text": "Namaste! What would you like to do?",
            "buttons": [{"title": "File a grievance", "payload": "/file_grievance"}],
        },
    ]
    response = await client.post("/webchat/messages", json={"sender": WEB, "text": "hi"})
    assert response.status_code == 200
    assert response.json() == {
        "messages": [
            {
                "text": "Namaste! What would you like to do?",
                "buttons": [{"title": "File a grievance", "payload": "/file_grievance"}],
            }
        ]
    }
    assert rasa.received[0]["sender"] == WEB
    # The request's id goes with the turn to Rasa (and from the actions to the backend).
    request_id = response.headers["X-Request-ID"]
    assert rasa.received[0]["metadata"] == {"channel": "web", "request_id": request_id}


async def test_invalid_requests_refused(client: httpx.AsyncClient, rasa: RasaStandIn) -> None:
    assert (
        await client.post("/webchat/messages", json={"sender": WEB, "text": " "})
    ).status_code == 422
    assert (
        await client.post("/webchat/messages", json={"sender": "x", "text": "hi"})
    ).status_code == 422
    too_long = {"sender": WEB, "text": "a" * 5000}
    assert (await client.post("/webchat/messages", json=too_long)).status_code == 422
    assert rasa.received == []


async def test_resent_message_id_is_not_processed_twice(
    client: httpx.AsyncClient, rasa: RasaStandIn
) -> None:
    body = {"sender": WEB, "text": "status please", "message_id": "client-msg-0001"}
    first = await client.post("/webchat/messages", json=body)
    second = await client.post("/webchat/messages", json=body)
    assert first.json()["messages"][0]["text"] == "echo: status please"
    assert second.json() == {"messages": [], "duplicate": True}
    assert rasa.messages() == ["status please"]


async def test_outage_answered_at_once_and_replies_appear_later(
    client: httpx.AsyncClient, gateway: Gateway, rasa: RasaStandIn
) -> None:
    rasa.stop()
    first = await client.post("/webchat/messages", json={"sender": WEB, "text": "one"})
    second = await client.post("/webchat/messages", json={"sender": WEB, "text": "two"})
    assert "unavailable" in first.json()["messages"][0]["text"]
    assert "Saved" in second.json()["messages"][0]["text"]
    rasa.server.start()
    for _ in range(100):
        updates = (await client.get(f"/webchat/updates?sender={WEB}&after=0")).json()
        if len(updates["messages"]) == 2:
            break
        await asyncio.sleep(0.05)
    assert [(m["text"], m["kind"]) for m in updates["messages"]] == [
        ("echo: one", "reply"),
        ("echo: two", "reply"),
    ]
    assert rasa.messages() == ["one", "two"]


async def test_page_is_served(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert 'aria-live="polite"' in page.text
    assert (await client.get("/static/chat.js")).status_code == 200


async def test_push_endpoint_needs_the_service_token(client: httpx.AsyncClient) -> None:
    body = {"channel_user_id": "visitor-0001", "text": "update"}
    assert (await client.post("/internal/webchat/push", json=body)).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (
        await client.post("/internal/webchat/push", json=body, headers=wrong)
    ).status_code == 401
