"""Issue 14 item 1: nobody but the gateway speaks to Rasa.

Rasa and the action server are started exactly as `make run` starts them (the Procfile's
lines; only the ports and the endpoints file pointing at the test's action server differ), once
for all the checks below. Each outsider attempt of the security review must be refused:
speaking as a citizen through a channel, reading or writing a tracker through the HTTP API,
from loopback or from this machine's outside address.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rasa_runtime.contract import SECRET_HEADER, WEBHOOK_PATH
from tests.support.processes import (
    RASA_SHARED_SECRET,
    free_port,
    outside_address,
    procfile_service,
    rasa_ready_url,
    rasa_skip_reason,
    reachable,
    running,
    write_endpoints,
)

pytestmark = pytest.mark.skipif(rasa_skip_reason() is not None, reason=str(rasa_skip_reason()))

CITIZEN = "wa:+919812345678"
TURN = {"sender": CITIZEN, "message": "/change_language"}


@pytest.fixture(scope="module")
def rasa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of Rasa started from the Procfile, its action server started likewise."""
    log_dir: Path = tmp_path_factory.mktemp("rasa-channel")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(log_dir / "endpoints.yml", actions_port)
    actions = procfile_service("actions", actions_port, log_dir)
    rasa = procfile_service("rasa", rasa_port, log_dir, {"--endpoints": str(endpoints)})
    with running(actions, rasa):
        actions.start()
        rasa.start()
        actions.wait(f"http://127.0.0.1:{actions_port}/health", timeout=120)
        rasa.wait(rasa_ready_url(rasa_port), timeout=240)
        yield f"http://127.0.0.1:{rasa_port}"


@pytest.mark.parametrize(
    "headers",
    [{}, {SECRET_HEADER: ""}, {SECRET_HEADER: "guess"}, {SECRET_HEADER: RASA_SHARED_SECRET[:-1]}],
    ids=["none", "empty", "guess", "almost"],
)
def test_the_channel_refuses_callers_without_the_secret(rasa: str, headers: dict[str, str]) -> None:
    answer = httpx.post(f"{rasa}{WEBHOOK_PATH}", json=TURN, headers=headers, timeout=30)
    assert answer.status_code == 401
    assert CITIZEN not in answer.text


def test_no_other_channel_takes_messages(rasa: str) -> None:
    """Rasa's own REST channel (no secret) is not listed in credentials.yml."""
    for path in ("/webhooks/rest/webhook", "/webhooks/callback/webhook"):
        assert httpx.post(f"{rasa}{path}", json=TURN, timeout=30).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/conversations/{CITIZEN}/tracker"),
        ("POST", f"/conversations/{CITIZEN}/tracker/events"),
        ("POST", f"/conversations/{CITIZEN}/execute"),
        ("POST", f"/conversations/{CITIZEN}/trigger_intent"),
        ("POST", "/model/parse"),
        ("GET", "/status"),
        ("GET", "/domain"),
    ],
)
def test_the_http_api_is_off(rasa: str, method: str, path: str) -> None:
    """`make run` starts Rasa without --enable-api: no tracker can be read or written."""
    body = {"event": "slot", "name": "name", "value": "x"} if method == "POST" else None
    answer = httpx.request(method, f"{rasa}{path}", json=body, timeout=30)
    assert answer.status_code == 404, (path, answer.status_code)


def test_the_gateway_is_answered_and_rasa_calls_actions_with_the_secret(rasa: str) -> None:
    """The gateway's turn is answered, and the reply comes from a custom action: the action
    server accepted Rasa's secret (Rasa swallows a refused action call: no reply at all)."""
    answer = httpx.post(
        f"{rasa}{WEBHOOK_PATH}",
        json=TURN,
        headers={SECRET_HEADER: RASA_SHARED_SECRET},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert any(reply.get("text") for reply in answer.json()), "no reply: action refused?"


def test_rasa_answers_only_on_loopback(rasa: str) -> None:
    port = int(rasa.rsplit(":", 1)[1])
    outside = outside_address()
    if outside is None:
        pytest.skip("this machine has no non-loopback address")
    assert reachable("127.0.0.1", port)
    assert not reachable(outside, port), "Rasa answers from outside"


def test_rasa_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    rasa = procfile_service("rasa", free_port(), tmp_path)
    rasa.env["RASA_SHARED_SECRET"] = "short"
    process = rasa.start().process
    assert process is not None
    assert process.wait(timeout=240) != 0
    assert "RASA_SHARED_SECRET" in rasa.log.read_text()
