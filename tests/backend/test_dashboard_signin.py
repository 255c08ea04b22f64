"""Signing in and out of the dashboard (``backend/dashboard/signin.py``): the sign-in form
and its nonce, the session cookie, redirects back, signing out with the form token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.backend.conftest import Officers, csrf_of, sign_in


def test_pages_need_a_session_and_a_right_token(client: TestClient, officers: Officers) -> None:
    officers.add("asha", "MSEFC-MH")
    first = client.get("/dashboard/analytics?department=X", follow_redirects=False)
    assert first.status_code == 303
    assert (
        first.headers["location"] == "/dashboard/login?next=/dashboard/analytics%3Fdepartment%3DX"
    )
    form = client.get("/dashboard/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    wrong = client.post("/dashboard/login", data={"token": "ofc_nope", "nonce": nonce})
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.text
    assert "msme_dashboard" not in wrong.cookies
    # Without the sign-in form's nonce (a forged cross-site sign-in) nothing happens.
    client.cookies.clear()
    forged = client.post("/dashboard/login", data={"token": officers.tokens["asha"], "nonce": "x"})
    assert forged.status_code == 403
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_session_cookie_is_httponly_samesite_and_signed(
    client: TestClient, officers: Officers
) -> None:
    officers.add("asha", "MSEFC-MH")
    form = client.get("/dashboard/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/dashboard/login",
        data={"token": officers.tokens["asha"], "nonce": nonce, "next": "/dashboard/analytics"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/dashboard/analytics"
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and "msme_dashboard=" in v
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/dashboard/", follow_redirects=False).status_code == 200
    value = client.cookies.get("msme_dashboard")
    assert value is not None
    officer_id, issued, signature = value.split(".")
    client.cookies.clear()
    client.cookies.set("msme_dashboard", f"{int(officer_id) + 1}.{issued}.{signature}")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_open_redirects_are_refused(client: TestClient, officers: Officers) -> None:
    officers.add("asha", "MSEFC-MH")
    form = client.get("/dashboard/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    response = client.post(
        "/dashboard/login",
        data={"token": officers.tokens["asha"], "nonce": nonce, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/dashboard/"


def test_sign_out_needs_the_form_token(client: TestClient, officers: Officers) -> None:
    officers.add("asha", "MSEFC-MH")
    sign_in(client, officers, "asha")
    token = csrf_of(client.get("/dashboard/").text)
    assert client.post("/dashboard/logout", data={"csrf": "forged"}).status_code == 403
    out = client.post("/dashboard/logout", data={"csrf": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303
