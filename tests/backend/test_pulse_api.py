"""POST /admin/v1/pulse/classify: leadership only, one reading per item in order, bounded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.api.routes.admin_pulse import MAX_ITEMS, MAX_TEXT_CHARS
from pulse.reader import SENTIMENT_OF, shipped_reader
from routing.categories import CATEGORY_CODES
from tests.backend.conftest import Officers

URL = "/admin/v1/pulse/classify"
ITEMS = [
    {"text": "Ludhiana ke chhote cycle part units ka payment 6 mahine se atka hai", "source": "x"},
    {"text": "India won the cricket series at Chepauk last night.", "source": "news"},
    {"text": "नोएडा की फैक्ट्रियों में बिजली कटौती से उत्पादन ठप, उद्यमी परेशान", "source": "blog"},
    {"text": "Small units in Tiruppur got new export orders and are hopeful"},
]


@pytest.fixture
def leader(officers: Officers) -> dict[str, str]:
    return officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")


def classify(client: TestClient, headers: dict[str, str], items: list[Any]) -> Any:
    return client.post(URL, json={"items": items}, headers=headers)


def test_leadership_gets_one_reading_per_item_in_order(
    client: TestClient, leader: dict[str, str]
) -> None:
    response = classify(client, leader, ITEMS)
    assert response.status_code == 200, response.text
    readings = response.json()["items"]
    assert readings == [
        shipped_reader().read(item["text"]).as_dict() for item in ITEMS
    ]  # the reader's answers, in the order sent
    assert [r["state"] for r in readings] == ["Punjab", None, "Uttar Pradesh", "Tamil Nadu"]
    assert [r["language"] for r in readings] == ["hinglish", "en", "hi", "en"]
    for reading in readings:
        assert set(reading) == {"relevant", "category", "state", "sentiment", "emotion", "language"}
        assert SENTIMENT_OF[reading["emotion"]] == reading["sentiment"]
        assert (reading["category"] is None) == (not reading["relevant"])
        assert reading["category"] is None or reading["category"] in CATEGORY_CODES
    reversed_ = classify(client, leader, ITEMS[::-1]).json()["items"]
    assert reversed_ == readings[::-1]


def test_no_token_is_401_and_other_roles_403(client: TestClient, officers: Officers) -> None:
    assert classify(client, {}, ITEMS).status_code == 401
    bad = {"Authorization": "Bearer ofc_not-a-token"}
    assert classify(client, bad, ITEMS).status_code == 401
    for role in ("officer", "head"):
        headers = officers.add(f"{role}-1", "MSEFC-MH", role=role)
        response = classify(client, headers, ITEMS)
        assert response.status_code == 403, role
        assert "leadership" in response.json()["detail"]
    # A malformed body from a caller who may not call at all is still refused for the caller.
    assert client.post(URL, json={"items": "x"}, headers=headers).status_code == 403


def test_at_most_500_items_per_call(client: TestClient, leader: dict[str, str]) -> None:
    full = [{"text": f"MSME unit number {i} in Pune waits for payment"} for i in range(MAX_ITEMS)]
    response = classify(client, leader, full)
    assert response.status_code == 200
    assert len(response.json()["items"]) == MAX_ITEMS
    response = classify(client, leader, [*full, {"text": "one more"}])
    assert response.status_code == 422
    message = str(response.json()["detail"])
    assert "at most 500 items per call" in message and "501" in message


def test_at_most_5000_characters_per_text(client: TestClient, leader: dict[str, str]) -> None:
    longest = "लघु उद्योग " * (MAX_TEXT_CHARS // 11)
    assert len(longest) <= MAX_TEXT_CHARS
    response = classify(client, leader, [{"text": longest}] * 3)
    assert response.status_code == 200, response.text  # Devanagari, escaped: over 64 KB
    response = classify(client, leader, [{"text": "ok"}, {"text": "x" * (MAX_TEXT_CHARS + 1)}])
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "items", 1, "text"]
    assert "at most 5,000 characters" in detail[0]["msg"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": [{"source": "news"}]},
        {"items": [{"text": 12}]},
        {"items": [{"text": "ok", "source": "s" * 41}]},
        {"items": {"text": "ok"}},
    ],
)
def test_malformed_bodies_are_422(client: TestClient, leader: dict[str, str], body: Any) -> None:
    response = client.post(URL, json=body, headers=leader)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_the_body_limit_is_wider_for_the_pulse_only(
    client: TestClient, leader: dict[str, str], service_headers: dict[str, str]
) -> None:
    over_64kb = {"items": [{"text": "a" * 5000}] * 20}
    assert client.post(URL, json=over_64kb, headers=leader).status_code == 200
    huge = client.post(
        "/api/v1/route/preview", json={"description": "a" * 70_000}, headers=service_headers
    )
    assert huge.status_code == 413
