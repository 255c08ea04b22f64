"""The pulse's sources as leadership configures them (CLI ``python -m backend pulse source``,
admin API ``/admin/v1/pulse/sources``): a feed pulled on a schedule (``rss``: RSS or Atom) or
an export uploaded by hand (``x``, ``facebook``, ``instagram``, ``csv``, ``jsonl``).

A source's kind never changes (its items are counted under it). Removing a source removes its
items and takes them out of the daily counts in the same transaction; disabling it keeps them
and stops its pulls and uploads. ``hide_handles`` is honoured where authors are shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.models import (
    PULSE_EXPORT_KINDS,
    PULSE_FEED_KINDS,
    PULSE_SOURCE_KINDS,
    PulseItem,
    PulseSource,
)
from backend.pulse_exports import read_export
from backend.pulse_feeds import PullOutcome, check_feed_url, pull_source
from backend.pulse_store import (
    Incoming,
    SourceRef,
    StoreReport,
    forget_source_items,
    store_items,
)
from core.config import Settings
from pulse.reader import PulseReader

NAME_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$"
MIN_INTERVAL_MINUTES: Final = 5
MAX_INTERVAL_MINUTES: Final = 7 * 24 * 60


class SourceError(ValueError):
    """A source setting that cannot be (the message says which and why)."""


class SourceExists(SourceError):
    pass


class SourceNotFound(LookupError):
    pass


class WrongKind(SourceError):
    """A feed uploaded to, or an export pulled, or a disabled source used."""


def _name(name: str) -> str:
    name = name.strip()
    if not re.match(NAME_PATTERN, name):
        raise SourceError(
            "a source name is 1-80 letters, digits, spaces, dots, dashes or underscores"
        )
    return name


def _interval(minutes: int) -> int:
    if not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES:
        raise SourceError(
            f"interval_minutes must be {MIN_INTERVAL_MINUTES}-{MAX_INTERVAL_MINUTES}, not {minutes}"
        )
    return minutes


def _url(kind: str, url: str | None) -> str | None:
    if kind in PULSE_FEED_KINDS and not (url or "").strip():
        raise SourceError("a feed source needs its url")
    if not (url or "").strip():
        return None
    try:
        return check_feed_url(str(url))
    except ValueError as error:
        raise SourceError(str(error)) from None


def find_source(session: Session, name: str) -> PulseSource:
    source = session.scalar(select(PulseSource).where(PulseSource.name == name.strip()))
    if source is None:
        raise SourceNotFound(f"no pulse source named {name!r}")
    return source


def add_source(
    session: Session,
    name: str,
    kind: str,
    *,
    url: str | None = None,
    hide_handles: bool = False,
    interval_minutes: int = 60,
) -> PulseSource:
    if kind not in PULSE_SOURCE_KINDS:
        raise SourceError(f"kind must be one of {', '.join(PULSE_SOURCE_KINDS)}, not {kind!r}")
    source = PulseSource(
        name=_name(name),
        kind=kind,
        url=_url(kind, url),
        hide_handles=hide_handles,
        enabled=True,
        interval_minutes=_interval(interval_minutes),
        failures=0,
    )
    try:
        with session.begin_nested():
            session.add(source)
    except IntegrityError:
        raise SourceExists(f"a pulse source named {source.name!r} exists") from None
    return source


@dataclass(frozen=True)
class SourceChanges:
    url: str | None = None
    hide_handles: bool | None = None
    enabled: bool | None = None
    interval_minutes: int | None = None


def update_source(session: Session, name: str, changes: SourceChanges) -> PulseSource:
    source = find_source(session, name)
    if changes.url is not None and changes.url != source.url:
        source.url = _url(source.kind, changes.url)
        # A new address: forget the old one's validators and failures, pull it soon.
        source.etag = source.last_modified = source.next_pull_at = source.last_error = None
        source.failures = 0
    if changes.hide_handles is not None:
        source.hide_handles = changes.hide_handles
    if changes.enabled is not None:
        source.enabled = changes.enabled
    if changes.interval_minutes is not None:
        source.interval_minutes = _interval(changes.interval_minutes)
    return source


def list_sources(session: Session) -> list[dict[str, Any]]:
    """Every source with its state and how many items it gave."""
    counts = dict(
        session.execute(
            select(PulseItem.source_id, func.count()).group_by(PulseItem.source_id)
        ).all()
    )
    sources = session.scalars(select(PulseSource).order_by(PulseSource.name)).all()
    return [source_view(source, int(counts.get(source.id, 0))) for source in sources]


def source_view(source: PulseSource, items: int | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "name": source.name,
        "kind": source.kind,
        "url": source.url,
        "hide_handles": source.hide_handles,
        "enabled": source.enabled,
        "interval_minutes": source.interval_minutes,
        "next_pull_at": source.next_pull_at,
        "last_pulled_at": source.last_pulled_at,
        "failures": source.failures,
        "last_error": source.last_error,
    }
    if items is not None:
        view["items"] = items
    return view


def remove_source(engine: Engine, name: str) -> int:
    """Remove the source, its items and their daily counts (one transaction); the items
    removed."""
    with Session(engine) as session:
        source = find_source(session, name)
        ref = SourceRef(source.id, source.kind)
    with engine.begin() as connection:
        removed = forget_source_items(connection, ref)
        connection.execute(delete(PulseSource).where(PulseSource.id == ref.id))
    return removed


def import_export(
    engine: Engine,
    name: str,
    payload: str,
    now: datetime,
    *,
    reader: PulseReader | None = None,
) -> StoreReport:
    """Keep the items of an uploaded export (each once); the report counts created and skipped
    items and lists bad ones with their line."""
    with Session(engine) as session:
        source = find_source(session, name)
        ref, enabled = SourceRef(source.id, source.kind), source.enabled
    if ref.kind not in PULSE_EXPORT_KINDS:
        raise WrongKind(f"{name!r} is a feed: it is pulled, not uploaded")
    if not enabled:
        raise WrongKind(f"{name!r} is disabled: enable it to import")
    report = StoreReport()

    def good_items() -> Iterator[Incoming]:
        for line, item, problem in read_export(ref.kind, payload, now):
            if item is None:
                report.error(line, problem or "unreadable")
            else:
                yield item

    return store_items(engine, ref, good_items(), report, reader=reader, now=now)


def pull_named(
    engine: Engine,
    name: str,
    settings: Settings,
    *,
    now: datetime | None = None,
    reader: PulseReader | None = None,
) -> PullOutcome:
    """Pull one feed now, due or not."""
    with Session(engine) as session:
        source = find_source(session, name)
        session.expunge(source)
    if source.kind not in PULSE_FEED_KINDS:
        raise WrongKind(f"{name!r} is an export: it is uploaded, not pulled")
    if not source.enabled:
        raise WrongKind(f"{name!r} is disabled: enable it to pull")
    return pull_source(engine, source, settings, now=now, reader=reader)
