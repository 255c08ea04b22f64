"""Issue 14 item 1 (part): Rasa and the action server listen on 127.0.0.1 only.

The commands are the ones `make run` starts (the Procfile) and the tests start
(``tests.support.processes.rasa_server``), run for real; a connection to this machine's
non-loopback address must be refused.
"""

from __future__ import annotations

import shlex
import socket
from pathlib import Path

import pytest

from tests.support.processes import (
    RASA_SHARED_SECRET,
    Service,
    free_port,
    rasa_server,
    rasa_skip_reason,
)

ROOT = Path(__file__).resolve().parents[2]


def _outside_address() -> str | None:
    """An address of this machine other than loopback, as another host would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.123", 9))  # no packet is sent for a UDP connect
            address: str = sock.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


OUTSIDE = _outside_address()

pytestmark = [
    pytest.mark.skipif(rasa_skip_reason() is not None, reason=str(rasa_skip_reason())),
    pytest.mark.skipif(OUTSIDE is None, reason="this machine has no non-loopback address"),
]


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def _procfile_service(name: str, port: int, log_dir: Path) -> Service:
    """The Procfile's line for ``name``, on ``port`` (leading VAR=value words become env)."""
    line = next(
        text.split(":", 1)[1]
        for text in (ROOT / "Procfile").read_text().splitlines()
        if text.startswith(f"{name}:")
    )
    words = shlex.split(line)
    env = {"RASA_SHARED_SECRET": RASA_SHARED_SECRET}
    while words and "=" in words[0] and not words[0].startswith("-"):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    words[words.index("--port") + 1] = str(port)
    words[0] = str(ROOT / words[0]) if words[0].startswith(".venv") else words[0]
    return Service(f"procfile-{name}", words, env, log_dir)


def test_make_run_action_server_is_loopback_only(tmp_path: Path) -> None:
    port = free_port()
    actions = _procfile_service("actions", port, tmp_path)
    try:
        actions.start().wait(f"http://127.0.0.1:{port}/health", timeout=120)
        assert _reachable("127.0.0.1", port)
        assert OUTSIDE is not None
        assert not _reachable(OUTSIDE, port), "the action server answers from outside"
    finally:
        actions.stop()


def test_rasa_is_loopback_only_under_make_run_and_in_tests(tmp_path: Path) -> None:
    procfile = _procfile_service("rasa", free_port(), tmp_path)
    assert procfile.command[procfile.command.index("-i") + 1] == "127.0.0.1"
    port = free_port()
    rasa = rasa_server(tmp_path, port, free_port())
    try:
        rasa.start().wait(f"http://127.0.0.1:{port}/status", timeout=240)
        assert OUTSIDE is not None
        assert not _reachable(OUTSIDE, port), "Rasa's HTTP API answers from outside"
    finally:
        rasa.stop()
