"""Issue 14 item 2: no default or short secrets outside development."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = "dev-service-token-change-me"


@pytest.mark.parametrize("token", [DEFAULT, "short-but-8", "x" * 31])
def test_production_refuses_default_or_short_service_token(token: str) -> None:
    with pytest.raises(ValidationError, match="SERVICE_TOKEN"):
        Settings(app_env="production", service_token=token, _env_file=None)


def test_production_accepts_a_generated_token() -> None:
    token = secrets.token_urlsafe(32)
    settings = Settings(app_env="production", service_token=token, _env_file=None)
    assert settings.service_token == token


def test_development_still_runs_without_setup() -> None:
    settings = Settings(app_env="development", service_token=DEFAULT, _env_file=None)
    assert settings.service_token == DEFAULT


def test_backend_process_refuses_to_start_and_says_how_to_fix(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"SERVICE_TOKEN", "APP_ENV"}}
    env.update(
        APP_ENV="production",
        SERVICE_TOKEN=DEFAULT,
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
    )
    done = subprocess.run(
        [sys.executable, "-m", "backend", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "refusing to start" in done.stderr
    assert "SERVICE_TOKEN" in done.stderr
    assert "secrets.token_urlsafe" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("secret", ["", "x" * 31])
def test_gateway_refuses_to_start_without_the_rasa_secret(tmp_path: Path, secret: str) -> None:
    """Without it Rasa would refuse every turn (rasa_runtime/contract.py), in any APP_ENV."""
    env = {**os.environ, "RASA_SHARED_SECRET": secret}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'gateway.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", "9"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "refusing to start" in done.stderr
    assert "RASA_SHARED_SECRET" in done.stderr
    assert "Traceback" not in done.stderr
