"""What a request carries, read with bounds, so that hostile input is a 4xx and never a 500.

Every gateway endpoint that reads JSON reads it through ``read_json`` (a body nested 1,000 deep
is 2 KB, and ``json.loads`` answers it with ``RecursionError``), and every integer in a query
string through ``query_int`` (a 30-digit number overflows SQLite's INTEGER, a 5,000-digit one
``int()`` itself), and JSON strings must be text a database can store (a lone surrogate such
as ``"\\ud800"`` cannot be encoded as UTF-8, and PostgreSQL refuses NUL). The body's size is
bounded before this, by ``core.bodylimit``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

# Telegram's deepest update (a button press on a message with a keyboard) is under 10 levels.
MAX_JSON_DEPTH = 32
# What SQLite's INTEGER (and PostgreSQL's BIGINT) can hold.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]{1,19}")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, and surrogates (UTF-16 halves)


class UnreadableInput(ValueError):
    """A body or parameter the caller got wrong: answered 4xx (a webhook: dropped)."""


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw``, refused when it is not JSON, nests deeper than
    ``MAX_JSON_DEPTH`` (whatever reads it later must not recurse without bound) or holds a
    string no database can store (it would fail at the write, after the request was taken)."""
    try:
        value = json.loads(raw)
    except RecursionError as error:
        raise UnreadableInput(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from error
    except ValueError as error:  # JSONDecodeError, and UnicodeDecodeError for bad UTF-8
        raise UnreadableInput(f"not JSON: {error}") from error
    refusal = _refusal(value)
    if refusal is not None:
        raise UnreadableInput(refusal)
    return value


async def read_json(request: Request) -> Any:
    """The request's body as JSON, bounded as ``parse_json`` bounds it."""
    return parse_json(await request.body())


def _refusal(value: Any) -> str | None:
    """Why a parsed JSON value is refused, or None; one iterative walk, never recursive."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return "JSON text holds NUL or a lone surrogate (not storable text)"
            continue
        if isinstance(item, dict):
            children: list[Any] = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            return f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
        stack.extend((child, depth + 1) for child in children)
    return None


def query_int(
    request: Request, name: str, default: int, *, minimum: int = INT_MIN, maximum: int = INT_MAX
) -> int:
    """The integer query parameter ``name`` (``default`` when absent), refused unless it is
    plain decimal digits within ``minimum``..``maximum``."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not _INTEGER.fullmatch(raw):
        raise UnreadableInput(f"{name} must be an integer of at most 19 digits")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise UnreadableInput(f"{name} must be between {minimum} and {maximum}")
    return value
