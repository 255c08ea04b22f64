"""Security review item 11: security headers on every dashboard answer (a CSP that the
dashboard's own pages satisfy), and 422 bodies in plain words, without Python exception
text."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.backend.conftest import Officers, file, grievance, sign_in

NOW = "1793610000"  # START of tests/backend/conftest.py as a Unix time

# --- item 11: security headers on the dashboard; 422 bodies in plain words -----------------


def assert_security_headers(answer: Any) -> None:
    csp = answer.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert answer.headers.get("x-frame-options") == "DENY"
    assert answer.headers.get("x-content-type-options") == "nosniff"
    assert answer.headers.get("referrer-policy") in ("no-referrer", "same-origin")


def test_every_dashboard_answer_carries_security_headers(
    client: TestClient, officers: Officers, service_headers: dict[str, str]
) -> None:
    number = file(client, service_headers)
    officers.add("lead", "DCMSME", "leadership")
    assert_security_headers(client.get("/dashboard/", follow_redirects=False))  # redirect
    assert_security_headers(client.get("/dashboard/login"))
    assert_security_headers(client.get("/dashboard/static/dashboard.css"))
    sign_in(client, officers, "lead")
    for page in ["/dashboard/", f"/dashboard/tickets/{number}", "/dashboard/analytics"]:
        answer = client.get(page)
        assert answer.status_code == 200
        assert_security_headers(answer)
        # What the CSP allows: no inline script or style in the dashboard's own pages.
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text), page
        assert " style=" not in answer.text and "<style" not in answer.text, page
        assert not re.search(r"\son[a-z]+=", answer.text), page
    assert_security_headers(client.get("/dashboard/nope"))


PYTHON_TEXT = re.compile(
    r"invalid literal|base 10|int_max_str_digits|Exceeds the limit|Expecting (value|property)"
    r"|Traceback|Error\(|codec",
)


def test_422_bodies_say_what_is_wrong_without_python_text(
    client: TestClient, service_headers: dict[str, str], officers: Officers
) -> None:
    officers.add("asha", "MSEFC-MH")
    answers = [
        client.get("/dashboard/", cookies={"msme_dashboard": f"{'9' * 5000}.{NOW}.x"}),
        client.post(
            "/api/v1/tickets",
            content=b"{bad json",
            headers={**service_headers, "content-type": "application/json"},
        ),
        client.post("/api/v1/tickets", json=grievance(mobile="12"), headers=service_headers),
        client.get(
            "/api/v1/tickets?channel=web&channel_user_id=x&limit=q", headers=service_headers
        ),
    ]
    for answer in answers:
        assert not PYTHON_TEXT.search(answer.text), answer.text[:300]
        if answer.status_code == 422:
            detail = answer.json()["detail"]
            assert detail, answer.text
            for error in detail if isinstance(detail, list) else []:
                assert error["msg"] and "ctx" not in error
