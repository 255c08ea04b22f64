"""The error answers every service and admin operation may give, declared in the OpenAPI spec.

Clients (the action server, the dashboard, anyone generating a client from the spec) can rely
on one shape: ``{"detail": ..., "code"?: ...}``; ``detail`` is a sentence, or FastAPI's list of
field errors for a malformed request.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from backend.tickets import InvalidRequest

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow")

    detail: str | list[dict[str, Any]]
    code: str | None = None


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("the body is not parseable JSON"),
    401: _error("missing, unknown or revoked token"),
    403: _error("the token may not do this (role, department or ownership)"),
    404: _error("no such ticket, notification or table"),
    409: _error(
        "refused by the ticket's state: code invalid_transition (officer actions), or for "
        "the citizen's messages and feedback ticket_final, not_resolved, reopen_window_passed; "
        "idempotency_key_reused: a filing's key replayed with another body"
    ),
    413: _error("request body over MAX_BODY_BYTES"),
    422: _error("invalid request: field errors, or a mistyped ticket number"),
    429: {
        **_error("rate limited; retry after the seconds in Retry-After"),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


def plain_reason(error: Exception) -> str:
    """What to tell the caller about a refused value: our own message for an
    ``InvalidRequest``; for any other ValueError or LookupError (a fault, or a library's
    words such as "invalid literal for int() with base 10") a plain sentence, the exception
    going to the log instead."""
    if isinstance(error, InvalidRequest):
        return str(error)
    log.warning("refused a request on an unexpected %s", type(error).__name__, exc_info=error)
    return "a value in the request is not valid"


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's field errors without what may carry Python's own words or echo the request
    back (``ctx``, ``input``, ``url``): each keeps its ``type``, ``loc`` (naming the field)
    and a plain ``msg``."""
    plain = []
    for error in errors:
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            message = "the body is not valid JSON"
        plain.append({"type": error.get("type"), "loc": list(error.get("loc", ())), "msg": message})
    return plain
