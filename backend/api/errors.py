"""The error answers every service and admin operation may give, declared in the OpenAPI spec.

Clients (the action server, the dashboard, anyone generating a client from the spec) can rely
on one shape: ``{"detail": ..., "code"?: ...}``; ``detail`` is a sentence, or FastAPI's list of
field errors for a malformed request.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


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
        "the citizen's messages and feedback ticket_final, not_resolved, reopen_window_passed"
    ),
    413: _error("request body over MAX_BODY_BYTES"),
    422: _error("invalid request: field errors, or a mistyped ticket number"),
    429: {
        **_error("rate limited; retry after the seconds in Retry-After"),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
