"""The action server's settings: the ONE place that reads the environment."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    backend_url: str
    service_token: str
    # The user waits on the other end of a chat: fail fast and say so rather than hang.
    connect_timeout: float = 2.0
    read_timeout: float = 8.0
    # Filing a grievance may wait longer than a lookup: a backend that is slow to answer a
    # create (cold start, a burst of submissions) must not cost the citizen their grievance.
    # It is retried once with the same idempotency key, so keep 2 x this (+ connect) under
    # the gateway's 30 s wait for a turn.
    create_timeout: float = 12.0


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        backend_url=env.get("BACKEND_URL", "http://127.0.0.1:8000").rstrip("/"),
        # The backend's development default, so the two match when neither is configured.
        service_token=env.get("SERVICE_TOKEN", "dev-service-token-change-me"),
        connect_timeout=float(env.get("BACKEND_CONNECT_TIMEOUT", "2.0")),
        read_timeout=float(env.get("BACKEND_READ_TIMEOUT", "8.0")),
        create_timeout=float(env.get("BACKEND_CREATE_TIMEOUT", "12.0")),
    )


@functools.cache
def get_settings() -> Settings:
    return load_settings()
