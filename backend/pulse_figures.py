"""What the pulse page shows (issue 16): public posts about MSMEs counted by day, category,
state, source and sentiment, set beside the grievances filed with us, and the recent posts that
emerging topics are found in.

Where each number comes from, so that a reader can check it:

- *Posts* are relevant items (``pulse_items.relevant``); every count is read from
  ``pulse_daily`` (relevant items per UTC day of publication, source kind, category, state and
  sentiment), which ingestion keeps in the same transaction as the items. No query here counts
  ``pulse_items``: at a million items the page sums the window's daily rows instead (tens to
  hundreds of thousands of rows, 0.1-0.4 s on PostgreSQL), so the dashboard keeps the figures
  of each window and filter for a minute, as the analytics figures are kept.
- *The window* is the last ``days`` UTC days up to today (today included); tickets are those
  filed from the window's first midnight (UTC) on, so both sides cover the same days.
- *Net sentiment* is (positive - negative) / posts, from -1 (all negative) to 1.
- *Public and chat side by side*: per state (and per category), negative posts and tickets,
  each as a share of its own total over the known states (categories); ``leans`` says
  "public" when the share of negative posts is at least 1.5 times that of tickets, "chat"
  the other way round. Ticket counts come from ``analytics.by_state_category`` (every ticket,
  whatever channel it came by) through a ``RefreshingCache`` per window, as the analytics page
  reads its figures.
- *Recent posts* (``recent_posts``) are the newest relevant items of the last 30 days, read
  by the index on (relevant, published_at); a source's ``hide_handles`` hides its authors'
  handles here, before anything reaches a page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.analytics import Table, by_state_category
from backend.models import PulseDaily, PulseItem, PulseSource
from pulse.reader import SENTIMENTS

WINDOWS = (7, 30, 90, 180, 365)  # days the page offers
DEFAULT_WINDOW = 90
WEEKLY_BEYOND = 90  # longer windows are charted and tabled by week
NOT_KNOWN = "(not known)"  # pulse_daily's '' category or state, as the tables show it
LEAN_RATIO = 1.5
TABLES = (
    "over_time",
    "by_category",
    "by_state",
    "by_source_kind",
    "public_vs_chat_by_state",
    "public_vs_chat_by_category",
    "sources",
    "emerging_topics",
)
_COUNTS = ["posts", "negative", "neutral", "positive", "net_sentiment"]
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")


@dataclass(frozen=True)
class Window:
    days: int
    first_day: date
    last_day: date

    @property
    def since(self) -> datetime:
        """The window's first midnight, UTC: tickets filed from then on are counted."""
        return datetime.combine(self.first_day, time(0), tzinfo=UTC)

    @property
    def weekly(self) -> bool:
        return self.days > WEEKLY_BEYOND


def window(now: datetime, days: int) -> Window:
    """The last ``days`` UTC days up to ``now``'s (included)."""
    today = now.astimezone(UTC).date()
    return Window(days, today - timedelta(days=days - 1), today)


@dataclass
class PulseFigures:
    as_of: datetime
    window: Window
    category: str | None  # the filters every table of posts follows
    state: str | None
    summary: dict[str, Any]
    tables: dict[str, Table]


def _counted(label: Any, by_sentiment: dict[str, int]) -> list[Any]:
    posts = sum(by_sentiment.values())
    negative, positive = by_sentiment.get("negative", 0), by_sentiment.get("positive", 0)
    net = round((positive - negative) / posts, 4) if posts else None
    return [label, posts, *(by_sentiment.get(s, 0) for s in SENTIMENTS), net]


def _daily_filters(w: Window, category: str | None, state: str | None) -> list[Any]:
    conditions = [PulseDaily.day >= w.first_day, PulseDaily.day <= w.last_day]
    if category is not None:
        conditions.append(PulseDaily.category == category)
    if state is not None:
        conditions.append(PulseDaily.state == state)
    return conditions


def _bucket(day: date, weekly: bool) -> date:
    return day - timedelta(days=day.weekday()) if weekly else day


def pulse_figures(
    session: Session,
    now: datetime,
    days: int,
    category: str | None = None,
    state: str | None = None,
) -> PulseFigures:
    """Every table of posts for the window of ``days`` up to ``now`` (``category`` and
    ``state`` narrow them all)."""
    w = window(now, days)
    where = _daily_filters(w, category, state)
    total = func.sum(PulseDaily.items)
    # One pass over the window's daily rows for the breakdowns, one for the days.
    parts = session.execute(
        select(
            PulseDaily.category,
            PulseDaily.state,
            PulseDaily.source_kind,
            PulseDaily.sentiment,
            total,
        )
        .where(*where)
        .group_by(
            PulseDaily.category, PulseDaily.state, PulseDaily.source_kind, PulseDaily.sentiment
        )
    ).all()
    per_day = session.execute(
        select(PulseDaily.day, PulseDaily.sentiment, total)
        .where(*where)
        .group_by(PulseDaily.day, PulseDaily.sentiment)
    ).all()

    by: dict[str, dict[str, dict[str, int]]] = {
        "category": defaultdict(dict),
        "state": defaultdict(dict),
        "source_kind": defaultdict(dict),
    }
    overall: dict[str, int] = {}
    for cat, st, kind, sentiment, n in parts:
        for name, key in (("category", cat), ("state", st), ("source_kind", kind)):
            cell = by[name][key or NOT_KNOWN]
            cell[sentiment] = cell.get(sentiment, 0) + int(n)
        overall[sentiment] = overall.get(sentiment, 0) + int(n)

    def ranked(name: str) -> list[list[Any]]:
        rows = [_counted(key, counts) for key, counts in by[name].items()]
        return sorted(rows, key=lambda r: (r[0] == NOT_KNOWN, -r[1], r[0]))

    buckets: dict[date, dict[str, int]] = {}
    day = w.first_day
    while day <= w.last_day:  # every day (or week) of the window, empty ones too
        buckets.setdefault(_bucket(day, w.weekly), {})
        day += timedelta(days=1)
    for day_value, sentiment, n in per_day:
        cell = buckets[_bucket(_as_date(day_value), w.weekly)]
        cell[sentiment] = cell.get(sentiment, 0) + int(n)

    period = "week" if w.weekly else "day"
    tables = {
        "over_time": Table(
            "over_time",
            f"Posts by {period} and sentiment",
            [period, *_COUNTS],
            [_counted(b.isoformat(), counts) for b, counts in sorted(buckets.items())],
        ),
        "by_category": Table(
            "by_category", "Posts by category", ["category", *_COUNTS], ranked("category")
        ),
        "by_state": Table("by_state", "Posts by state", ["state", *_COUNTS], ranked("state")),
        "by_source_kind": Table(
            "by_source_kind",
            "Posts by kind of source",
            ["source_kind", *_COUNTS],
            ranked("source_kind"),
        ),
    }
    summary = dict(
        zip(["posts", *SENTIMENTS, "net_sentiment"], _counted(None, overall)[1:], strict=True)
    )
    return PulseFigures(now, w, category, state, summary, tables)


def _as_date(value: Any) -> date:
    """A day as the driver gives it (SQLite may give the text of the date)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- public posts and grievances side by side ----------------------------------------------


def tickets_in_window(session: Session, now: datetime, days: int) -> Table:
    """Tickets by state and category filed in the window of ``days`` ending ``now``."""
    return by_state_category(session, None, since=window(now, days).since)


def public_vs_chat(figures: PulseFigures, tickets: Table, dimension: str) -> Table:
    """Negative posts and tickets per state (``dimension`` "state") or category, with their
    shares; the figures' filters apply to the tickets too."""
    column = 0 if dimension == "state" else 1
    counts: dict[str, int] = defaultdict(int)
    for st, cat, n in tickets.rows:
        if figures.state is not None and st != figures.state:
            continue
        if figures.category is not None and cat != figures.category:
            continue
        counts[(st, cat)[column]] += int(n)
    posts_table = figures.tables[f"by_{dimension}"]
    posts = {r[0]: (r[1], r[2]) for r in posts_table.rows if r[0] != NOT_KNOWN}
    negative_total = sum(neg for _, neg in posts.values())
    ticket_total = sum(counts.values())
    rows = []
    for key in set(posts) | set(counts):
        all_posts, negative = posts.get(key, (0, 0))
        filed = counts.get(key, 0)
        public_share = round(negative / negative_total, 4) if negative_total else None
        chat_share = round(filed / ticket_total, 4) if ticket_total else None
        rows.append(
            [
                key,
                all_posts,
                negative,
                filed,
                public_share,
                chat_share,
                _lean(public_share, chat_share),
            ]
        )
    rows.sort(key=lambda r: (-(r[2] + r[3]), r[0]))
    return Table(
        f"public_vs_chat_by_{dimension}",
        f"Public posts and grievances by {dimension}",
        [
            dimension,
            "posts",
            "negative_posts",
            "tickets",
            "share_of_negative_posts",
            "share_of_tickets",
            "leans",
        ],
        rows,
    )


def _lean(public: float | None, chat: float | None) -> str:
    if not public and not chat:
        return ""
    if public and (not chat or public >= LEAN_RATIO * chat):
        return "public"
    if chat and (not public or chat >= LEAN_RATIO * public):
        return "chat"
    return ""


# --- sources -------------------------------------------------------------------------------


def sources_table(session: Session) -> Table:
    """Every source with how its pulls went (read only: ingestion adds and pulls them)."""
    rows = session.execute(
        select(
            PulseSource.name,
            PulseSource.kind,
            PulseSource.enabled,
            PulseSource.hide_handles,
            PulseSource.last_pulled_at,
            PulseSource.failures,
            PulseSource.last_error,
        ).order_by(PulseSource.name)
    ).all()
    return Table(
        "sources",
        "Sources",
        ["name", "kind", "enabled", "hide_handles", "last_pulled_at", "failures", "last_error"],
        [
            [
                name,
                kind,
                "yes" if enabled else "no",
                "yes" if hidden else "no",
                pulled.strftime("%Y-%m-%d %H:%M UTC") if pulled else "",
                failures,
                (error or "")[:300],
            ]
            for name, kind, enabled, hidden, pulled, failures, error in rows
        ],
    )


# --- recent posts, for emerging topics ------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """A recent relevant post as the page may show it: ``author`` is None, and handles in the
    text are masked, when its source hides handles; so is a link that carries the handle."""

    id: int
    text: str
    state: str | None
    created_at: datetime  # published
    source: str
    url: str | None
    author: str | None


def recent_posts(
    session: Session, now: datetime, _key: None = None, *, days: int = 30, limit: int = 600
) -> list[Post]:
    """The newest ``limit`` relevant posts of the last ``days`` (newest first)."""
    rows = session.execute(
        select(
            PulseItem.id,
            PulseItem.text,
            PulseItem.state,
            PulseItem.published_at,
            PulseSource.name,
            PulseItem.url,
            PulseItem.author,
            PulseSource.hide_handles,
        )
        .join(PulseSource, PulseSource.id == PulseItem.source_id)
        .where(
            PulseItem.relevant.is_(True),
            PulseItem.published_at > now - timedelta(days=days),
            PulseItem.published_at <= now,
        )
        .order_by(PulseItem.published_at.desc(), PulseItem.id.desc())
        .limit(limit)
    ).all()
    return [_shown(*row) for row in rows]


def _shown(
    id_: int,
    text: str,
    state: str | None,
    published: datetime,
    source: str,
    url: str | None,
    author: str | None,
    hide_handles: bool,
) -> Post:
    if hide_handles:
        handle = (author or "").lstrip("@").casefold()
        if url and handle and handle in url.casefold():
            url = None
        return Post(id_, _HANDLE.sub("@…", text), state, published, source, url, None)
    return Post(id_, text, state, published, source, url, author)
