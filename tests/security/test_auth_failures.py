"""Security review item 3: guessing tokens is limited. Failed authentications (unknown or
revoked bearer tokens on /api and /admin, a wrong token at the dashboard sign-in) share one
bucket per client address; valid tokens are unaffected by others' failures."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.api.app import create_app
from backend.triage import Triage
from core.config import Settings
from tests.backend.conftest import SERVICE_TOKEN, Clock, Officers, grievance
from tests.backend.test_ratelimit import redis_url


def made_up_token() -> dict[str, str]:
    return {"Authorization": f"Bearer ofc_{secrets.token_urlsafe(32)}"}


def fresh_app(settings: Settings, clock: Clock, **overrides: Any) -> Any:
    return create_app(
        settings.model_copy(update=overrides), clock=clock, triage=Triage(use_classifier=False)
    )


# --- item 3: failed authentications are limited per client address -------------------------


def test_guessing_officer_tokens_is_limited_per_address(
    settings: Settings, factory: sessionmaker[Session], clock: Clock, officers: Officers
) -> None:
    asha = officers.add("asha", "MSEFC-MH")
    app = fresh_app(settings, clock)
    attacker = TestClient(app, client=("203.0.113.7", 40000))
    elsewhere = TestClient(app, client=("198.51.100.2", 40000))
    # Asha signs in from the attacker's address (a shared NAT) before the guessing starts.
    assert attacker.get("/admin/v1/tickets", headers=asha).status_code == 200
    answers = [attacker.get("/admin/v1/tickets", headers=made_up_token()) for _ in range(300)]
    codes = [a.status_code for a in answers]
    budget = settings.rate_limit_auth_failure_burst
    assert codes.count(401) == budget and codes.count(429) == 300 - budget
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert answers[-1].json()["code"] == "rate_limited"
    # One bucket per address, whatever the path or the token: /api too.
    api = attacker.post("/api/v1/tickets", json=grievance(), headers=made_up_token())
    assert api.status_code == 429
    assert attacker.get("/admin/v1/tickets").status_code == 429  # no token at all
    # Valid tokens are unaffected by others' failures.
    assert elsewhere.get("/admin/v1/tickets", headers=asha).status_code == 200
    assert attacker.get("/admin/v1/tickets", headers=asha).status_code == 200
    filed = elsewhere.post(
        "/api/v1/tickets", json=grievance(), headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}
    )
    assert filed.status_code == 201


def test_failed_dashboard_sign_ins_are_limited(
    settings: Settings, factory: sessionmaker[Session], clock: Clock, officers: Officers
) -> None:
    officers.add("asha", "MSEFC-MH")
    browser = TestClient(fresh_app(settings, clock), client=("203.0.113.8", 40000))
    form = browser.get("/dashboard/login")
    nonce = re.search(r'name="nonce" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    codes = [
        browser.post(
            "/dashboard/login", data={"token": f"ofc_{secrets.token_urlsafe(32)}", "nonce": nonce}
        ).status_code
        for _ in range(60)
    ]
    budget = settings.rate_limit_auth_failure_burst
    assert codes[:budget] == [401] * budget
    assert set(codes[budget:]) == {429}
    refused = browser.post("/dashboard/login", data={"token": "ofc_x", "nonce": nonce})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Traceback" not in refused.text


def test_failure_budget_is_a_setting(
    settings: Settings, factory: sessionmaker[Session], clock: Clock
) -> None:
    app = fresh_app(settings, clock, rate_limit_auth_failure_burst=3)
    client = TestClient(app, client=("203.0.113.9", 40000))
    codes = [client.get("/admin/v1/stats", headers=made_up_token()).status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]


@pytest.mark.redis
def test_failure_budget_is_shared_by_replicas_through_redis(
    settings: Settings, factory: sessionmaker[Session], clock: Clock
) -> None:
    shared = redis_url()
    # An address of its own: Redis outlives the test, and the other database's run of this
    # test spent the budget of any address it used.
    address = (f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}", 40000)
    one = TestClient(fresh_app(settings, clock, redis_url=shared), client=address)
    two = TestClient(fresh_app(settings, clock, redis_url=shared), client=address)
    budget = settings.rate_limit_auth_failure_burst
    codes = [(one if i % 2 else two).get("/admin/v1/tickets", headers=made_up_token()).status_code
             for i in range(budget + 4)]  # fmt: skip
    assert codes == [401] * budget + [429] * 4
