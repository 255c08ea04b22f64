"""The endpoint files Rasa reads carry the action server's shared secret from the environment
(Rasa substitutes ${VAR} only in unquoted YAML values: a quoted one was sent literally and
every action call of `make run` was refused)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa.core.utils import read_endpoints_from_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["endpoints.yml", "endpoints.scale.yml"])
def test_rasa_sends_the_shared_secret_from_the_environment(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s" * 40
    monkeypatch.setenv("RASA_SHARED_SECRET", secret)
    text = (ROOT / name).read_text(encoding="utf-8")
    for variable in set(re.findall(r"\$\{(\w+)\}", text)) - {"RASA_SHARED_SECRET"}:
        monkeypatch.setenv(variable, "1")  # the scale file's other settings
    endpoints = read_endpoints_from_path(ROOT / name)
    assert endpoints.action is not None
    assert endpoints.action.headers["X-Rasa-Shared-Secret"] == secret
