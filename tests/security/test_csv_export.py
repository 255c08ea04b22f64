"""Security review item 9: the CSV export's department is a code of the directory (else 422)
and the download's file name is built safely."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from backend.stats_export import content_disposition
from tests.backend.conftest import Officers, sign_in

# --- item 9: the CSV export's department is a directory code; the file name is safe ---------

BAD_DEPARTMENTS = [
    'x";filename="evil.html',
    "MSEFC-MH\r\nSet-Cookie: a=b",
    "MSEFC-MH\n",
    "विभाग",
    "NOPE",
    "A" * 10240,
]


@pytest.mark.parametrize("department", BAD_DEPARTMENTS)
def test_csv_export_refuses_a_department_that_is_not_a_code(
    client: TestClient, officers: Officers, department: str
) -> None:
    lead = officers.add("lead", "DCMSME", "leadership")
    answer = client.get(
        "/admin/v1/stats/by_department_status.csv", params={"department": department}, headers=lead
    )
    assert answer.status_code == 422, answer.text[:200]
    assert "department" in answer.text and "codec" not in answer.text
    assert "content-disposition" not in answer.headers
    sign_in(client, officers, "lead")
    page = client.get(
        "/dashboard/analytics/by_department_status.csv",
        params={"department": department},
        follow_redirects=False,
    )
    assert page.status_code == 422, page.text[:200]
    assert "content-disposition" not in page.headers


def test_csv_export_file_name_is_quoted_and_plain(client: TestClient, officers: Officers) -> None:
    lead = officers.add("lead", "DCMSME", "leadership")
    answer = client.get(
        "/admin/v1/stats/by_department_status.csv",
        params={"department": "MSEFC-MH"},
        headers=lead,
    )
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert re.fullmatch(
        r'attachment; filename="by_department_status-MSEFC-MH-\d{4}-\d{2}-\d{2}\.csv"', disposition
    ), disposition
    sign_in(client, officers, "lead")
    page = client.get("/dashboard/analytics/by_department_status.csv?department=MSEFC-MH")
    assert page.headers["content-disposition"] == disposition


def test_content_disposition_cannot_be_broken_out_of() -> None:
    value = content_disposition('x";filename="evil.html\r\nSet-Cookie: a=b-विभाग.csv')
    plain, extended = value.split("; filename*=")
    assert plain.count('"') == 2 and "\r" not in value and "\n" not in value
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"', plain)
    assert extended.startswith("UTF-8''") and unquote(extended[7:]).endswith("विभाग.csv")
    assert content_disposition("by_state_category-2026-11-02.csv") == (
        'attachment; filename="by_state_category-2026-11-02.csv"'
    )
