"""News and blog feeds (RSS, Atom), pulled on a schedule (issue 16).

A pull asks with the validators of the last answer (``If-None-Match`` / ``If-Modified-Since``
from the source's ``etag`` / ``last_modified``): 304 changes nothing but the schedule. A good
answer is parsed with feedparser and its entries kept through ``pulse_store`` (each once).
A failure (no answer in time, an HTTP error, a document that is no feed) counts on the source:
its next pull waits 5 minutes, doubling with each failure up to a day, and ``last_error`` says
why; the first good pull clears both. A feed that is not well-formed XML but still yields
entries is kept as far as it could be read, and its validators are not saved, so the next pull
reads it whole again.

``pull_due`` is the worker's pass: it claims each due source by moving its ``next_pull_at``
ahead (a conditional update, so two workers never pull the same source at once) and pulls it.
Feed addresses (and their redirects) that resolve to private, loopback or link-local addresses
are refused unless ``PULSE_FEEDS_ALLOW_PRIVATE`` (tests serve feeds on 127.0.0.1).
"""

from __future__ import annotations

import calendar
import html
import ipaddress
import logging
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

import feedparser
import httpx
from sqlalchemy import Engine, or_, select, update

from backend.models import PULSE_FEED_KINDS, PulseSource, utcnow
from backend.pulse_store import Incoming, ItemError, SourceRef, StoreReport, incoming, store_items
from core.config import Settings
from pulse.reader import PulseReader

log = logging.getLogger(__name__)

MAX_FEED_BYTES: Final = 10 * 1024 * 1024
FIRST_RETRY: Final = timedelta(minutes=5)
LONGEST_RETRY: Final = timedelta(days=1)
_TAG: Final = re.compile(r"<[^>]+>")


class FeedError(Exception):
    """Why a pull failed (short, no personal data)."""


@dataclass(frozen=True)
class PullOutcome:
    source: str
    status: str  # "new" (read), "not-modified", "failed"
    report: StoreReport
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "error": self.error}


def retry_delay(failures: int) -> timedelta:
    """5 minutes after the first failure, doubling, at most a day."""
    return min(FIRST_RETRY * 2 ** max(failures - 1, 0), LONGEST_RETRY)


def check_feed_url(url: str) -> str:
    """The URL, tidied; ValueError unless it is http(s) with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("a feed URL must be http:// or https:// with a host")
    return url


def _refuse_private(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        raise FeedError(f"cannot resolve {host}: {error.strerror or error}") from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
            raise FeedError(f"{host} is a private address (PULSE_FEEDS_ALLOW_PRIVATE)")


def _check_destination(request: httpx.Request) -> None:
    _refuse_private(str(request.url))


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None


def fetch(source: PulseSource, settings: Settings) -> Fetched:
    """One conditional GET of the source's feed; FeedError on any failure."""
    url = check_feed_url(source.url or "")
    headers = {"User-Agent": "msme-grievance-desk pulse (+feeds)", "Accept": "*/*"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    timeout = httpx.Timeout(settings.pulse_feed_timeout_seconds)
    # Every request, redirects included, is checked before it connects.
    hooks: dict[str, list[Any]] = (
        {} if settings.pulse_feeds_allow_private else {"request": [_check_destination]}
    )
    try:
        with (
            httpx.Client(
                timeout=timeout, follow_redirects=True, max_redirects=5, event_hooks=hooks
            ) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == 304:
                return Fetched(304, b"", response.headers.get("etag"), None)
            if response.status_code >= 400:
                raise FeedError(f"HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_FEED_BYTES:
                    raise FeedError(f"feed larger than {MAX_FEED_BYTES // (1024 * 1024)} MiB")
            return Fetched(
                response.status_code,
                bytes(body),
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
    except httpx.TimeoutException:
        raise FeedError(f"no answer within {settings.pulse_feed_timeout_seconds:g} s") from None
    except httpx.HTTPError as error:
        raise FeedError(f"{type(error).__name__}: {error}"[:300]) from None


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())


def entries(parsed: Any, now: datetime) -> tuple[list[Incoming], list[dict[str, Any]]]:
    """The feed's entries as items (title, then summary), with the errors of bad ones (their
    position in the feed, from 1)."""
    items: list[Incoming] = []
    errors: list[dict[str, Any]] = []
    for number, entry in enumerate(parsed.entries, start=1):
        title = _plain(entry.get("title", ""))
        summary = _plain(entry.get("summary", ""))
        if not summary or not title or summary.startswith(title):
            text = summary or title
        else:
            text = f"{title}. {summary}"
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else now
        try:
            items.append(
                incoming(
                    text,
                    published,
                    url=entry.get("link") or None,
                    author=entry.get("author"),
                    line=number,
                    now=now,
                )
            )
        except ItemError as error:
            errors.append({"line": number, "error": str(error)})
    return items, errors


def pull_source(
    engine: Engine,
    source: PulseSource,
    settings: Settings,
    *,
    now: datetime | None = None,
    reader: PulseReader | None = None,
) -> PullOutcome:
    """Pull one feed now and write its outcome (validators, schedule, failures) back."""
    now = now or utcnow()
    report = StoreReport()
    changes: dict[str, Any] = {"last_pulled_at": now}
    try:
        fetched = fetch(source, settings)
        if fetched.status == 304:
            status = "not-modified"
            if fetched.etag:
                changes["etag"] = fetched.etag[:200]
            warning = None
        else:
            parsed = feedparser.parse(fetched.body)
            if not parsed.entries and (parsed.bozo or not parsed.version):
                problem = parsed.get("bozo_exception") or "no RSS or Atom feed"
                raise FeedError(f"not a feed: {problem}"[:300])
            items, errors = entries(parsed, now)
            report.errors.extend(errors)
            store_items(
                engine, SourceRef(source.id, source.kind), items, report, reader=reader, now=now
            )
            status = "new"
            warning = None
            if parsed.bozo:  # read as far as it goes; ask in full next time
                warning = f"feed not well-formed, read {len(items)} entries: "
                warning += str(parsed.get("bozo_exception"))
                changes.update(etag=None, last_modified=None)
            else:
                changes.update(
                    etag=(fetched.etag or "")[:200] or None,
                    last_modified=(fetched.last_modified or "")[:100] or None,
                )
        changes.update(
            failures=0,
            last_error=warning[:500] if warning else None,
            next_pull_at=now + timedelta(minutes=source.interval_minutes),
        )
        outcome = PullOutcome(source.name, status, report)
    except FeedError as error:
        failures = source.failures + 1
        changes.update(
            failures=failures, last_error=str(error), next_pull_at=now + retry_delay(failures)
        )
        log.warning("pulse feed %s failed (%d in a row): %s", source.name, failures, error)
        outcome = PullOutcome(source.name, "failed", report, str(error))
    with engine.begin() as connection:
        connection.execute(update(PulseSource).where(PulseSource.id == source.id).values(**changes))
    return outcome


def due_sources(engine: Engine, now: datetime) -> list[PulseSource]:
    """Enabled feeds whose next pull is due (or never pulled)."""
    from sqlalchemy.orm import Session

    with Session(engine.execution_options(read_only=True)) as session:
        found = session.scalars(
            select(PulseSource)
            .where(
                PulseSource.enabled.is_(True),
                PulseSource.kind.in_(PULSE_FEED_KINDS),
                or_(PulseSource.next_pull_at.is_(None), PulseSource.next_pull_at <= now),
            )
            .order_by(PulseSource.next_pull_at, PulseSource.id)
        ).all()
        session.expunge_all()
    return list(found)


def _claim(engine: Engine, source: PulseSource, now: datetime, settings: Settings) -> bool:
    """Move the source's next pull past this one; False when another worker did first."""
    lease = now + timedelta(seconds=settings.pulse_feed_timeout_seconds * 3 + 60)
    previous = PulseSource.next_pull_at
    with engine.begin() as connection:
        claimed = connection.execute(
            update(PulseSource)
            .where(
                PulseSource.id == source.id,
                previous.is_(None) if source.next_pull_at is None else previous <= now,
            )
            .values(next_pull_at=lease)
        )
    return bool(claimed.rowcount)


def pull_due(
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    *,
    reader: PulseReader | None = None,
) -> list[PullOutcome]:
    """The worker's pass: pull every due feed once."""
    now = now or utcnow()
    outcomes = []
    for source in due_sources(engine, now):
        if _claim(engine, source, now, settings):
            outcomes.append(pull_source(engine, source, settings, now=now, reader=reader))
    return outcomes
