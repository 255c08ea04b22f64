"""Security review items 4, 7 and 12 (officers): a malformed session cookie means "not signed
in"; signing out ends the session on the server; the operator lists and revokes officers, and a
revoked officer's token and sessions stop working at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Officer
from core.config import Settings
from tests.backend.conftest import Officers, csrf_of, sign_in

ROOT = Path(__file__).resolve().parents[2]


# --- item 4: a malformed session cookie means "not signed in" -----------------------------

NOW = "1793610000"  # START of tests/backend/conftest.py as a Unix time
MALFORMED_COOKIES = [
    f"99999999999999999999.{NOW}.x",
    f"9223372036854775808.{NOW}.x",
    f"-1.{NOW}.x",
    "1.-1793610000.x",
    f"1.{'9' * 400}.x",
    f"{'9' * 5000}.{NOW}.x",
    f"1.{NOW}",
    f"1.{NOW}.x.y",
    f"..{NOW}",
    f".{NOW}.x",
    f"1..{'A' * 43}",
    f"1.{NOW}.",
    "a.b.c",
    "",
    ".",
    "..",
    f"1.{NOW}.ü",
    f"²³.{NOW}.x",
    f"١٢.{NOW}.x",
    f"１.{NOW}.x",
    f"1.{NOW}." + "x" * 10240,
    "9" * 10240,
]
PAGES = [
    "/dashboard/",
    "/dashboard/leadership",
    "/dashboard/analytics",
    "/dashboard/analytics/by_department_status.csv",
    "/dashboard/tickets/MS-7K3Q9P-D",
]


@pytest.mark.parametrize("cookie", MALFORMED_COOKIES)
def test_malformed_session_cookie_means_not_signed_in(
    client: TestClient, officers: Officers, cookie: str
) -> None:
    officers.add("asha", "MSEFC-MH")  # officer 1 exists
    raw = ("msme_dashboard=" + cookie).encode("utf-8")
    for page in PAGES:
        answer = client.get(page, headers={"Cookie": raw}, follow_redirects=False)
        assert answer.status_code == 303, (page, answer.status_code, answer.text[:200])
        assert answer.headers["location"].startswith("/dashboard/login")


# --- item 7: signing out ends the session on the server -----------------------------------


def test_sign_out_ends_the_session_server_side(client: TestClient, officers: Officers) -> None:
    officers.add("asha", "MSEFC-MH")
    sign_in(client, officers, "asha")
    old = client.cookies.get("msme_dashboard")
    assert old is not None
    page = client.get("/dashboard/")
    out = client.post(
        "/dashboard/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert out.status_code == 303
    client.cookies.clear()
    replayed = client.get("/dashboard/", cookies={"msme_dashboard": old}, follow_redirects=False)
    assert replayed.status_code == 303
    # Signing in again works, with a new cookie.
    sign_in(client, officers, "asha")
    assert client.cookies.get("msme_dashboard") != old
    assert client.get("/dashboard/", follow_redirects=False).status_code == 200


# --- item 12: revoking officers; idempotency keys scoped per caller -----------------------


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "DATABASE_URL": settings.database_url,
        "SERVICE_TOKEN": settings.service_token,
        "PATH": "/usr/bin:/bin",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "backend", "officer", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_operator_lists_and_revokes_officers(
    client: TestClient, officers: Officers, settings: Settings, factory: sessionmaker[Session]
) -> None:
    asha = officers.add("asha", "MSEFC-MH")
    officers.add("ravi", "MSEFC-MH", "head")
    sign_in(client, officers, "asha")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 200
    listed = run_cli(settings, "list")
    assert listed.returncode == 0, listed.stderr
    assert "asha" in listed.stdout and "ravi" in listed.stdout and "MSEFC-MH" in listed.stdout
    with factory() as session:
        hashes = [o.token_hash for o in session.scalars(select(Officer))]
    assert not any(h in listed.stdout for h in hashes)
    assert not any(officers.tokens[k] in listed.stdout for k in officers.tokens)

    revoked = run_cli(settings, "revoke", "asha")
    assert revoked.returncode == 0, revoked.stderr
    assert client.get("/admin/v1/tickets", headers=asha).status_code == 401
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303
    assert "revoked" in run_cli(settings, "list").stdout
    # By id too; an unknown officer is an error, not a silent success.
    assert run_cli(settings, "revoke", str(officers.ids["ravi"])).returncode == 0
    missing = run_cli(settings, "revoke", "nobody")
    assert missing.returncode != 0 and "nobody" in missing.stderr
