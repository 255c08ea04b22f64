"""Issue 14 item 1 (part): the action server listens on 127.0.0.1 only (Rasa: in
test_rasa_channel.py, which starts it once for all its checks).

The command is the one `make run` starts (the Procfile), run for real; a connection to this
machine's non-loopback address must be refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.processes import (
    free_port,
    outside_address,
    procfile_service,
    rasa_skip_reason,
    reachable,
)

OUTSIDE = outside_address()

pytestmark = [
    pytest.mark.skipif(rasa_skip_reason() is not None, reason=str(rasa_skip_reason())),
    pytest.mark.skipif(OUTSIDE is None, reason="this machine has no non-loopback address"),
]


def test_make_run_action_server_is_loopback_only(tmp_path: Path) -> None:
    port = free_port()
    actions = procfile_service("actions", port, tmp_path)
    try:
        actions.start().wait(f"http://127.0.0.1:{port}/health", timeout=120)
        assert reachable("127.0.0.1", port)
        assert OUTSIDE is not None
        assert not reachable(OUTSIDE, port), "the action server answers from outside"
    finally:
        actions.stop()
