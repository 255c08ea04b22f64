"""Keeping public posts once, read and counted (issue 16: the pulse of the sector).

Every source (a feed, an uploaded export) hands its items here as ``Incoming``. An item is kept
once: its URL is unique and so is the SHA-256 of its folded text (``pulse.reader.fold``: case,
links and handles do not make a new item). New items are read with the pulse reader in batches
and, in ONE transaction per batch, inserted into ``pulse_items`` and counted into ``pulse_daily``
(relevant items only; per UTC day of publication, source kind, category, state and sentiment,
'' for an unknown category or state). The insert skips whatever another writer stored meanwhile
(``ON CONFLICT DO NOTHING``) and only what it really inserted is counted, so importing the same
file or feed again, or twice at once, changes nothing.

Texts and authors are never logged: a report carries line numbers and reasons only.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, Final

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend.models import PulseDaily, PulseItem, utcnow
from pulse.reader import PulseReader, fold, shipped_reader

log = logging.getLogger(__name__)

# A post's text is kept up to this many characters (the reader's limit at /classify too);
# the whole post is at its URL.
MAX_TEXT_CHARS: Final = 5000
MAX_URL_CHARS: Final = 1000  # the column's width
MAX_NAME_CHARS: Final = 200  # author, place
# Items read and written per transaction.
BATCH: Final = 500
# Clocks differ; a post dated further ahead than this is a bad date.
FUTURE_SLACK: Final = timedelta(days=1)


class ItemError(ValueError):
    """An item that cannot be kept; the message says why (never quoting its text)."""


@dataclass(frozen=True)
class Incoming:
    """One item as its source gave it, checked (see ``incoming``)."""

    text: str
    published_at: datetime
    url: str | None = None
    author: str | None = None
    place: str | None = None
    line: int = 0  # where it was in its file or feed, for the report
    text_hash: str = ""


@dataclass(frozen=True)
class SourceRef:
    id: int
    kind: str


@dataclass
class StoreReport:
    created: int = 0
    skipped: int = 0  # already kept (or repeated in the same batch)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append({"line": line, "error": message})

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "skipped": self.skipped, "errors": self.errors}


def text_hash(text: str) -> str:
    return hashlib.sha256(fold(text).encode("utf-8")).hexdigest()


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:MAX_NAME_CHARS] or None


def incoming(
    text: Any,
    published_at: datetime | None,
    *,
    url: Any = None,
    author: Any = None,
    place: Any = None,
    line: int = 0,
    now: datetime | None = None,
) -> Incoming:
    """Check and tidy one item; ItemError says what is wrong with it."""
    body = str(text or "").strip()
    if not body:
        raise ItemError("no text")
    if len(body) > MAX_TEXT_CHARS:
        body = body[:MAX_TEXT_CHARS].rsplit(" ", 1)[0] or body[:MAX_TEXT_CHARS]
    if published_at is None:
        raise ItemError("no time")
    moment = published_at if published_at.tzinfo else published_at.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment > (now or utcnow()) + FUTURE_SLACK:
        raise ItemError(f"time {moment.isoformat()} is in the future")
    link = str(url).strip() if url is not None else ""
    if link and not link.lower().startswith(("http://", "https://")):
        raise ItemError("url must start with http:// or https://")
    if len(link) > MAX_URL_CHARS:
        raise ItemError(f"url longer than {MAX_URL_CHARS} characters")
    return Incoming(
        text=body,
        published_at=moment,
        url=link or None,
        author=_short(author),
        place=_short(place),
        line=line,
        text_hash=text_hash(body),
    )


def _batches(items: Iterable[Incoming]) -> Iterator[list[Incoming]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def store_items(
    engine: Engine,
    source: SourceRef,
    items: Iterable[Incoming],
    report: StoreReport | None = None,
    *,
    reader: PulseReader | None = None,
    now: datetime | None = None,
) -> StoreReport:
    """Keep the new items (read, and counted per day), skip those already kept."""
    report = report or StoreReport()
    reader = reader or shipped_reader()
    seen_urls: set[str] = set()
    seen_hashes: set[str] = set()
    for batch in _batches(items):
        fresh: list[Incoming] = []
        for item in batch:  # repeated within this file or feed
            if item.text_hash in seen_hashes or (item.url and item.url in seen_urls):
                report.skipped += 1
                continue
            seen_hashes.add(item.text_hash)
            if item.url:
                seen_urls.add(item.url)
            fresh.append(item)
        new = _not_kept(engine, fresh)
        report.skipped += len(fresh) - len(new)
        if new:
            inserted = _write(engine, source, new, reader, now or utcnow())
            report.created += inserted
            report.skipped += len(new) - inserted
    log.info(
        "pulse source %d (%s): %d new items, %d already kept, %d refused",
        source.id,
        source.kind,
        report.created,
        report.skipped,
        len(report.errors),
    )
    return report


def _not_kept(engine: Engine, items: list[Incoming]) -> list[Incoming]:
    """The items whose URL and text are not kept yet (read without the write lock)."""
    if not items:
        return []
    urls = [item.url for item in items if item.url]
    hashes = [item.text_hash for item in items]
    with engine.execution_options(read_only=True).connect() as connection:
        kept_hashes = set(
            connection.scalars(select(PulseItem.text_hash).where(PulseItem.text_hash.in_(hashes)))
        )
        kept_urls = (
            set(connection.scalars(select(PulseItem.url).where(PulseItem.url.in_(urls))))
            if urls
            else set()
        )
    return [
        item
        for item in items
        if item.text_hash not in kept_hashes and not (item.url and item.url in kept_urls)
    ]


def _insert(engine: Engine) -> Any:
    return postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert


def _write(
    engine: Engine, source: SourceRef, items: list[Incoming], reader: PulseReader, now: datetime
) -> int:
    """Read the items, then insert them and count them in one transaction; how many were
    inserted (an item another writer kept meanwhile is skipped and not counted)."""
    readings = reader.read_many([item.text for item in items])
    rows = [
        {
            "source_id": source.id,
            "url": item.url,
            "text_hash": item.text_hash,
            "text": item.text,
            "author": item.author,
            "place": item.place,
            "published_at": item.published_at,
            "ingested_at": now,
            "relevant": reading.relevant,
            "category": reading.category,
            "state": reading.state,
            "sentiment": reading.sentiment,
            "emotion": reading.emotion,
            "language": reading.language,
        }
        for item, reading in zip(items, readings, strict=True)
    ]
    # One order for every writer (PostgreSQL: concurrent imports never wait on each other in
    # a cycle over the unique index or the daily rows).
    rows.sort(key=lambda row: str(row["text_hash"]))
    insert = _insert(engine)
    statement = insert(PulseItem).on_conflict_do_nothing().returning(PulseItem.text_hash)
    with engine.begin() as connection:
        inserted = set(connection.scalars(statement, rows))
        counts = Counter(
            (
                item.published_at.date(),  # UTC (``incoming``)
                source.kind,
                reading.category or "",
                reading.state or "",
                reading.sentiment,
            )
            for item, reading in zip(items, readings, strict=True)
            if reading.relevant and item.text_hash in inserted
        )
        if counts:
            upsert = insert(PulseDaily)
            upsert = upsert.on_conflict_do_update(
                index_elements=[
                    PulseDaily.day,
                    PulseDaily.source_kind,
                    PulseDaily.category,
                    PulseDaily.state,
                    PulseDaily.sentiment,
                ],
                set_={"items": PulseDaily.items + upsert.excluded["items"]},
            )
            connection.execute(
                upsert,
                [
                    {
                        "day": day,
                        "source_kind": kind,
                        "category": category,
                        "state": state,
                        "sentiment": sentiment,
                        "items": number,
                    }
                    for (day, kind, category, state, sentiment), number in sorted(counts.items())
                ],
            )
    return len(inserted)


def forget_source_items(connection: Any, source: SourceRef) -> int:
    """Delete a source's items and take them out of the daily counts (in the caller's
    transaction); how many items went."""
    rows = connection.execute(
        select(
            PulseItem.published_at,
            PulseItem.category,
            PulseItem.state,
            PulseItem.sentiment,
        ).where(PulseItem.source_id == source.id, PulseItem.relevant.is_(True))
    ).all()
    counts = Counter(
        (
            row.published_at.astimezone(UTC).date(),
            row.category or "",
            row.state or "",
            row.sentiment,
        )
        for row in rows
    )
    for (day, category, state, sentiment), number in counts.items():
        key = (
            (PulseDaily.day == day)
            & (PulseDaily.source_kind == source.kind)
            & (PulseDaily.category == category)
            & (PulseDaily.state == state)
            & (PulseDaily.sentiment == sentiment)
        )
        connection.execute(update(PulseDaily).where(key).values(items=PulseDaily.items - number))
        connection.execute(delete(PulseDaily).where(key, PulseDaily.items <= 0))
    gone = connection.execute(delete(PulseItem).where(PulseItem.source_id == source.id))
    return int(gone.rowcount or 0)
