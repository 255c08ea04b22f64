"""Issue 14 item 1: the action server answers only Rasa (the shared secret), with the real
action server (rasa_runtime/actions_server.py); that Rasa's calls carry the secret is checked
in test_rasa_channel.py."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import (
    RASA_SHARED_SECRET,
    Service,
    action_server_command,
    action_server_env,
    free_port,
    rasa_skip_reason,
)

pytestmark = pytest.mark.skipif(rasa_skip_reason() is not None, reason=str(rasa_skip_reason()))

HEADER = "X-Rasa-Shared-Secret"
# What an outsider would send: a call of a custom action as some citizen.
ACTION_CALL = {
    "next_action": "action_change_language",
    "sender_id": "tg:12345",
    "tracker": {"sender_id": "tg:12345", "slots": {}, "latest_message": {}, "events": []},
    "domain": {},
    "version": "3.6.2",
}


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, int]]:
    log_dir = tmp_path_factory.mktemp("actions")
    port = free_port()
    service = Service("actions", action_server_command(port), action_server_env(), log_dir)
    try:
        service.start().wait(f"http://127.0.0.1:{port}/health", timeout=120)
        yield service, port
    finally:
        service.stop()


@pytest.mark.parametrize(
    "headers",
    [{}, {HEADER: ""}, {HEADER: "guess"}, {HEADER: RASA_SHARED_SECRET[:-1]}],
    ids=["none", "empty", "guess", "almost"],
)
def test_action_server_refuses_callers_without_the_secret(
    actions: tuple[Service, int], headers: dict[str, str]
) -> None:
    _, port = actions
    base = f"http://127.0.0.1:{port}"
    assert httpx.post(f"{base}/webhook", json=ACTION_CALL, headers=headers).status_code == 401
    assert httpx.get(f"{base}/actions", headers=headers).status_code == 401


def test_action_server_answers_the_secret_and_health(actions: tuple[Service, int]) -> None:
    _, port = actions
    base = f"http://127.0.0.1:{port}"
    assert httpx.get(f"{base}/health").status_code == 200
    listed = httpx.get(f"{base}/actions", headers={HEADER: RASA_SHARED_SECRET})
    assert listed.status_code == 200
    assert {"name": "action_change_language"} in listed.json()


def test_action_server_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    done = subprocess.run(
        action_server_command(free_port()),
        env={"RASA_SHARED_SECRET": "short", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode != 0
    assert "RASA_SHARED_SECRET" in done.stderr
