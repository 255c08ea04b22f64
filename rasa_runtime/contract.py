"""How the gateway, Rasa and the action server reach each other: the channel's path and the
secret they share (its name, header and rules).

Only the gateway may speak to Rasa, and only Rasa to the action server, even on loopback: each
request carries ``X-Rasa-Shared-Secret: $RASA_SHARED_SECRET`` and the listener compares it in
constant time. Standard library only: both Python environments import this module (the gateway
in ``bot/rasa_client.py``, the Rasa processes in ``rasa_runtime``).
"""

from __future__ import annotations

import hmac
import os

CHANNEL_NAME = "gateway"  # rasa_runtime.channels.GatewayInput, listed in credentials.yml
WEBHOOK_PATH = f"/webhooks/{CHANNEL_NAME}/webhook"
SECRET_ENV = "RASA_SHARED_SECRET"  # noqa: S105 (a name, not a secret)
SECRET_HEADER = "X-Rasa-Shared-Secret"  # noqa: S105 (a name, not a secret)
MIN_SECRET_LENGTH = 32
MAKE_SECRET_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"  # noqa: S105


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` cannot be used, or None: a listener without a strong one would answer
    anybody."""
    if len(secret) >= MIN_SECRET_LENGTH:
        return None
    return (
        f"{SECRET_ENV} must be set to at least {MIN_SECRET_LENGTH} characters (make one: "
        f"{MAKE_SECRET_HINT}; `make run` generates one into var/secrets.env)"
    )


def secret_from_env() -> str:
    """``$RASA_SHARED_SECRET``, or exit saying how to make one."""
    secret = os.environ.get(SECRET_ENV, "")
    problem = secret_problem(secret)
    if problem is not None:
        raise SystemExit(f"refusing to start: {problem}")
    return secret


def presented(given: str | None, expected: str) -> bool:
    """Whether the header value ``given`` is the secret (constant time)."""
    return hmac.compare_digest((given or "").encode(), expected.encode())
