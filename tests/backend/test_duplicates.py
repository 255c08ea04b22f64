"""A re-filed complaint is linked to the open ticket it repeats; the officer sees the link."""

from __future__ import annotations

from fastapi.testclient import TestClient

from backend.duplicates import repeated_ticket, similarity
from tests.backend.conftest import Officers, file

FIRST = "A buyer in Mumbai has not paid invoice 113 for 90 days after delivery."
REFILED = "Buyer in Mumbai still has not paid my invoice 113, 90 days after delivery!"
OTHER = "The electricity board cut power to our unit without notice for three days."


def duplicate_of(client: TestClient, number: str, headers: dict[str, str]) -> str | None:
    detail = client.get(f"/admin/v1/tickets/{number}", headers=headers).json()
    value: str | None = detail["duplicate_of"]
    return value


def test_similarity_separates_a_refiling_from_another_problem() -> None:
    assert similarity(FIRST, REFILED) >= 0.6
    assert similarity(FIRST, OTHER) < 0.2
    assert similarity(FIRST, FIRST) > 0.999


def test_refiled_complaint_links_to_the_open_one(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    boss = officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    original = file(client, service_headers, description=FIRST)
    again = file(client, service_headers, description=REFILED)
    third = file(client, service_headers, description=FIRST + " Please help.")
    different = file(client, service_headers, description=OTHER, category="infrastructure_power")
    stranger = file(client, service_headers, description=FIRST, channel_user_id="999")
    assert duplicate_of(client, original, boss) is None
    assert duplicate_of(client, again, boss) == original
    # A third copy joins the first filing, not the second.
    assert duplicate_of(client, third, boss) == original
    assert duplicate_of(client, different, boss) is None
    assert duplicate_of(client, stranger, boss) is None


def test_concluded_tickets_are_not_duplicated(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officer = officers.add("asha", "MSEFC-MH")
    original = file(client, service_headers, description=FIRST)
    client.post(f"/admin/v1/tickets/{original}/reject", json={"note": "not MSME"}, headers=officer)
    again = file(client, service_headers, description=REFILED)
    assert duplicate_of(client, again, officer) is None


def test_the_fast_path_joins_the_most_similar_open_group() -> None:
    # Rows as the filing's SQL reads them: (id, duplicate_of_id, description).
    assert repeated_ticket(REFILED, [(7, None, OTHER), (5, None, FIRST)]) == 5
    # A copy of a copy joins the first filing's group.
    assert repeated_ticket(REFILED, [(9, 5, FIRST)]) == 5
    assert repeated_ticket(REFILED, [(7, None, OTHER)]) is None
    assert repeated_ticket(REFILED, []) is None
