"""Security review item 12 (idempotency): a key is scoped per caller, and replaying it with
another body is refused with 409."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.backend.conftest import grievance
from tests.security.conftest import stored


def test_idempotency_key_replayed_with_another_body_is_refused(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    body = grievance(idempotency_key="replay-key-0001")
    first = client.post("/api/v1/tickets", json=body, headers=service_headers)
    assert first.status_code == 201
    again = client.post("/api/v1/tickets", json=body, headers=service_headers)
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    changed = {**body, "description": "Another story entirely: the bank refused my loan."}
    refused = client.post("/api/v1/tickets", json=changed, headers=service_headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "idempotency_key_reused"
    assert first.json()["number"] not in refused.text


def test_idempotency_key_is_scoped_per_caller(
    client: TestClient, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    mine = grievance(idempotency_key="shared-key-0001")
    first = client.post("/api/v1/tickets", json=mine, headers=service_headers)
    theirs = {**mine, "channel_user_id": "5550002"}
    second = client.post("/api/v1/tickets", json=theirs, headers=service_headers)
    assert second.status_code == 201, second.text
    assert second.json()["number"] != first.json()["number"]
    assert stored(factory, second.json()["number"]).channel_user_id == "5550002"
    whatsapp = {**mine, "channel": "whatsapp"}
    third = client.post("/api/v1/tickets", json=whatsapp, headers=service_headers)
    assert third.status_code == 201
    assert client.post("/api/v1/tickets", json=theirs, headers=service_headers).status_code == 200


def test_idempotency_scope_is_documented_in_the_api_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    field = spec["components"]["schemas"]["TicketCreate"]["properties"]["idempotency_key"]
    assert "per caller" in field["description"] and "409" in field["description"]
