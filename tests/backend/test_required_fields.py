"""Filing refuses what is not an answer, and keeps a long story whole.

A chat form that skipped a question, or a client that serialised a missing value, sends
"None", "null", "skip" or a blank: such a value must never become a ticket's name, mobile,
enterprise, state, district, category or description (issue 13: tickets filed with name
"None"). A description up to the chat's 4,000 characters is stored exactly as written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.api.schemas import MAX_DESCRIPTION
from backend.models import Notification, Ticket
from tests.backend.conftest import Officers, grievance

REQUIRED = ("name", "mobile", "enterprise_name", "state", "district", "category", "description")
WORDS = ("None", "none", "null", "NULL", "nil", "n/a", "na", "-", "undefined", "skip")


def placeholders() -> list[Any]:
    """Each placeholder word in several casings and paddings, plus empty, blank and null."""
    values: list[Any] = [None, "", " ", "   \t", "\n"]
    for word in WORDS:
        for variant in {word, word.upper(), word.lower(), word.title()}:
            values += [variant, f"  {variant}  ", f"\t{variant}\n"]
    return values


def stored(factory: sessionmaker[Session]) -> tuple[int, int]:
    with factory() as session:
        return (
            session.scalar(select(func.count(Ticket.id))) or 0,
            session.scalar(select(func.count(Notification.id))) or 0,
        )


@pytest.mark.parametrize("field", REQUIRED)
def test_a_placeholder_in_a_required_field_is_refused_naming_it(
    field: str,
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    values = placeholders()
    assert len(values) > 80
    for value in values:
        response = client.post(
            "/api/v1/tickets", json=grievance(**{field: value}), headers=service_headers
        )
        assert response.status_code == 422, (field, value, response.text)
        errors = response.json()["detail"]
        assert [tuple(e["loc"]) for e in errors] == [("body", field)], (field, value, errors)
        assert field in errors[0]["msg"]
    # Nor may the field be left out (category alone has a default: "other").
    if field != "category":
        body = grievance()
        del body[field]
        response = client.post("/api/v1/tickets", json=body, headers=service_headers)
        assert response.status_code == 422 and field in response.text
    assert stored(factory) == (0, 0)


def test_real_answers_that_look_like_placeholders_are_kept(
    client: TestClient, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    """Only the whole value is a placeholder: names and words that contain one are answers."""
    response = client.post(
        "/api/v1/tickets",
        json=grievance(name="Nand Kishore", enterprise_name="Nil Kamal Plastics", district="Una"),
        headers=service_headers,
    )
    assert response.status_code == 201, response.text
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.name, ticket.enterprise_name, ticket.district) == (
            "Nand Kishore",
            "Nil Kamal Plastics",
            "Una",
        )


@pytest.mark.parametrize("value", [None, "", "None", " null ", "-", "N/A", "skip"])
def test_no_udyam_number_is_null(
    value: Any,
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    response = client.post(
        "/api/v1/tickets", json=grievance(udyam_number=value), headers=service_headers
    )
    assert response.status_code == 201, response.text
    with factory() as session:
        assert session.scalars(select(Ticket.udyam_number)).one() is None


def long_story(length: int) -> str:
    """A description of exactly ``length`` characters: paragraphs, Hindi, an invoice table."""
    lines = [
        "Invoice PEW/2026/114 dated 3 April 2026 for 1,200 PVC pipes, Rs 3,20,000.",
        "खरीदार ने आठ महीने से भुगतान नहीं किया है; कई बार याद दिलाया।",
        "",
        "  Item\tQty\tRate",
        "  Pipes 110mm\t1200\t266.67",
    ]
    text = "\n".join(lines)
    story = (text + "\n") * (length // (len(text) + 1) + 1)
    return story[: length - 1] + "."


@pytest.mark.parametrize("length", [2001, 3586, MAX_DESCRIPTION])
def test_a_long_description_is_stored_exactly(
    length: int,
    client: TestClient,
    service_headers: dict[str, str],
    factory: sessionmaker[Session],
) -> None:
    story = long_story(length)
    assert len(story) == length and "\n" in story and "\t" in story
    response = client.post(
        "/api/v1/tickets",
        json=grievance(description=story, channel_user_id="long"),
        headers=service_headers,
    )
    assert response.status_code == 201, response.text
    with factory() as session:
        assert session.scalars(select(Ticket.description)).one() == story
    owner = client.get(
        f"/api/v1/tickets/{response.json()['number']}",
        params={"channel": "telegram", "channel_user_id": "long"},
        headers=service_headers,
    ).json()
    assert owner["description"] == story


def test_a_description_over_the_limit_is_refused_not_cut(
    client: TestClient, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    response = client.post(
        "/api/v1/tickets",
        json=grievance(description=long_story(MAX_DESCRIPTION + 1)),
        headers=service_headers,
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "description"] and str(MAX_DESCRIPTION) in error["msg"]
    assert stored(factory) == (0, 0)


CPGRAMS_PATH = "Ministry of Micro Small and Medium  Enterprises >> Schemes >> PMEGP"


def cpgrams_row(number: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "registration_number": f"DMSME/E/2026/00{number:05d}",
        "date": "2026-10-20",
        "name": "Kiran Behera",
        "state": "Odisha",
        "district": "Cuttack",
        "category_path": CPGRAMS_PATH,
        "text": "PMEGP subsidy claim pending with the bank for five months.",
    }
    row.update(overrides)
    return row


def test_cpgrams_rows_with_placeholders_are_reported_and_not_stored(
    client: TestClient, officers: Officers, factory: sessionmaker[Session]
) -> None:
    boss = officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    cases = [
        (column, cpgrams_row(i, **{column: value}))
        for i, (column, value) in enumerate(
            (column, value)
            for column in ("name", "state", "district", "category_path", "text")
            for value in ("None", " NULL ", "n/a", "-", "skip", "", None)
        )
    ]
    rows = [row for _, row in cases] + [cpgrams_row(900, text="x" * 4001)]
    payload = "\n".join(json.dumps(row) for row in rows)
    report = client.post(
        "/admin/v1/imports",
        params={"format": "json"},
        content=payload,
        headers={**boss, "Content-Type": "application/json"},
    ).json()
    assert report["created"] == 0 and len(report["errors"]) == len(rows)
    for (column, row), error in zip(cases, report["errors"], strict=False):
        assert error["error"] == f"missing {column}", (row, error)
    assert "4000" in report["errors"][-1]["error"]
    assert stored(factory) == (0, 0)
    # An optional column with a placeholder is simply absent.
    kept = cpgrams_row(901, enterprise_name="None", mobile="NA")
    report = client.post(
        "/admin/v1/imports",
        params={"format": "json"},
        content=json.dumps(kept),
        headers={**boss, "Content-Type": "application/json"},
    ).json()
    assert report["created"] == 1, report
    with factory() as session:
        ticket = session.scalars(select(Ticket)).one()
        assert (ticket.enterprise_name, ticket.mobile) == ("Kiran Behera", None)
