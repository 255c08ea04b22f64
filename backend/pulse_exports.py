"""Exports of public posts, uploaded by leadership, read into ``pulse_store.Incoming`` items.

Shapes understood (by the source's kind):
- ``x``: an X/Twitter archive's ``tweets.js`` (``window.YTD.tweets.part0 = [{"tweet": {...}}]``)
  or plain JSON: an array of tweets, JSON Lines, or ``{"data": [...]}``; text in ``full_text`` or
  ``text``, time in ``created_at`` ("Wed Oct 10 20:19:24 +0000 2018" or ISO); the URL is made
  from the tweet's id.
- ``facebook``: the posts of a Facebook export (an array, or an object holding one such as
  ``status_updates_v2``): text in ``data: [{"post": ...}]`` (else ``title``), time in
  ``timestamp`` (epoch seconds), a place in the attachments. Meta writes UTF-8 as if it were
  latin-1 ("à¤¨" for "न"): every text is put back.
- ``instagram``: ``posts_1.json``: caption in ``title`` (of the post or its first medium),
  time in ``creation_timestamp``; the same mojibake repaired.
- ``csv`` (a header row) and ``jsonl`` (JSON Lines, or an array): ``text``, ``time``, ``url``,
  ``author``, ``place`` (and common other spellings: content, date, created_at, link...).

Each item comes with the line it starts on; a bad one is reported with its line and why, and
the others go on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Final

from backend.imports import json_objects, parse_date, read_rows
from backend.models import PULSE_EXPORT_KINDS
from backend.pulse_store import Incoming, ItemError, incoming

Parsed = tuple[int, Incoming | None, str | None]
Record = tuple[int, dict[str, Any] | None, str | None]

_YTD: Final = re.compile(r"\s*window\.YTD\.[\w.]+\s*=\s*")
_TWITTER_TIME: Final = "%a %b %d %H:%M:%S %z %Y"
_ALIASES: Final = {
    "text": ("text", "content", "message", "body", "post", "full_text", "caption"),
    "time": ("time", "date", "published", "published_at", "created_at", "timestamp", "datetime"),
    "url": ("url", "link", "permalink"),
    "author": ("author", "user", "username", "handle", "screen_name"),
    "place": ("place", "location", "city"),
}


def parse_time(value: Any) -> datetime | None:
    """Epoch seconds (or milliseconds), Twitter's format, ISO 8601 or DD/MM/YYYY; None when
    there is none. ValueError when it is not a time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"time {value!r} is not a time")
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"time {value!r} is out of range") from None
    text = str(value).strip()
    try:
        return datetime.strptime(text, _TWITTER_TIME).astimezone(UTC)
    except ValueError:
        return parse_date(text)  # its error says what it expected


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def unmangle(value: Any) -> Any:
    """Meta's exports write UTF-8 bytes as latin-1 characters; put every string back (one
    that is not such a string is left as it is)."""
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value
    if isinstance(value, list):
        return [unmangle(item) for item in value]
    if isinstance(value, dict):
        return {key: unmangle(item) for key, item in value.items()}
    return value


def _records(payload: str) -> Iterator[Record]:
    """The objects of a JSON export with their lines: an array, a ``tweets.js`` assignment, an
    object whose one list holds them, or JSON Lines (read line by line, so that a bad line
    stops nothing; in an array, what follows a broken object cannot be located)."""
    text = payload.lstrip("\ufeff")
    assignment = _YTD.match(text)
    if assignment:
        yield from json_objects(text, assignment.end())
        return
    first = text.lstrip()[:1]
    if first == "[":
        yield from json_objects(text)
        return
    if first == "{":
        key = _wrapping_key(text)
        found = key and re.search(rf'"{re.escape(key)}"\s*:\s*(?=\[)', text)
        if found:
            yield from json_objects(text, found.end())
            return
    yield from _json_lines(text)


def _json_lines(text: str) -> Iterator[Record]:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            yield number, None, f"not valid JSON: {getattr(error, 'msg', error)}"
            continue
        if isinstance(record, dict):
            yield number, record, None
        else:
            yield number, None, "each line must be a JSON object"


def _wrapping_key(text: str) -> str | None:
    """The key of the list of objects when the whole export is one object wrapping it."""
    try:
        whole = json.loads(text)
    except ValueError:
        return None  # JSON Lines, or broken: read object by object
    if not isinstance(whole, dict):
        return None
    for key, value in whole.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return str(key)
    return None


def _first(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _tweet(record: dict[str, Any]) -> dict[str, Any]:
    tweet = record.get("tweet", record)
    tweet = tweet if isinstance(tweet, dict) else {}
    user = tweet.get("user")
    place = tweet.get("place")
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
    return {
        "text": _first(tweet, ("full_text", "text")),
        "time": tweet.get("created_at"),
        "url": tweet.get("url")
        or (f"https://x.com/i/web/status/{tweet_id}" if tweet_id.isdigit() else None),
        "author": (user.get("screen_name") if isinstance(user, dict) else None)
        or _first(tweet, ("author", "username", "screen_name")),
        "place": place.get("full_name") if isinstance(place, dict) else place,
    }


def _facebook_post(record: dict[str, Any]) -> dict[str, Any]:
    post = unmangle(record)
    data = post.get("data") if isinstance(post.get("data"), list) else []
    texts = [str(d["post"]) for d in data if isinstance(d, dict) and d.get("post")]
    return {
        "text": " ".join(texts) or post.get("title"),
        "time": post.get("timestamp"),
        "url": post.get("url"),
        "author": post.get("author"),
        "place": _facebook_place(post),
    }


def _facebook_place(post: dict[str, Any]) -> str | None:
    for attachment in post.get("attachments") or []:
        for data in attachment.get("data") or [] if isinstance(attachment, dict) else []:
            place = data.get("place") if isinstance(data, dict) else None
            if isinstance(place, dict) and place.get("name"):
                return str(place["name"])
    return None


def _instagram_post(record: dict[str, Any]) -> dict[str, Any]:
    post = unmangle(record)
    media = [m for m in post.get("media") or [] if isinstance(m, dict)]
    first = media[0] if media else {}
    return {
        "text": post.get("title") or first.get("title"),
        "time": post.get("creation_timestamp") or first.get("creation_timestamp"),
        "url": post.get("url"),
        "author": post.get("author"),
        "place": post.get("place"),
    }


def _generic(record: dict[str, Any]) -> dict[str, Any]:
    keyed = {str(key).strip().lower().replace(" ", "_"): value for key, value in record.items()}
    return {name: _first(keyed, spellings) for name, spellings in _ALIASES.items()}


_SHAPES: Final = {"x": _tweet, "facebook": _facebook_post, "instagram": _instagram_post}


def read_export(kind: str, payload: str, now: datetime) -> Iterator[Parsed]:
    """(line, item or None, why not) for each item of an export of that kind."""
    if kind not in PULSE_EXPORT_KINDS:
        raise ValueError(f"an export is one of {', '.join(PULSE_EXPORT_KINDS)}, not {kind!r}")
    shape = _SHAPES.get(kind, _generic)
    records = read_rows(payload, "csv") if kind == "csv" else _records(payload)
    for line, record, problem in records:
        if record is None:
            yield line, None, problem
            continue
        try:
            fields = shape(record)
            yield (
                line,
                incoming(
                    fields["text"],
                    parse_time(fields["time"]),
                    url=fields["url"],
                    author=fields["author"],
                    place=fields["place"],
                    line=line,
                    now=now,
                ),
                None,
            )
        except (ItemError, ValueError, TypeError, AttributeError) as error:
            yield line, None, str(error) or type(error).__name__
