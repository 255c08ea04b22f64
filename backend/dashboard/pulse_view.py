"""What the pulse page shows (leadership only): the query string read and checked, the figures
of ``backend/pulse_figures.py`` gathered into tables, charts and the map. The page
(``routes.py``) and its CSV downloads (``export.py``) both read ``pulse_page``, so a download
is exactly the table on the page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from backend.analytics import Table
from backend.clusters import Cluster, EmergingIssues
from backend.dashboard import charts
from backend.dashboard.india_map import india_map
from backend.models import Officer
from backend.pulse_figures import (
    DEFAULT_WINDOW,
    NOT_KNOWN,
    WINDOWS,
    Post,
    PulseFigures,
    public_vs_chat,
    pulse_figures,
    recent_posts,
    sources_table,
    tickets_in_window,
)
from backend.stats_cache import RefreshingCache
from backend.tickets import InvalidRequest
from core.config import Settings
from pulse.reader import SENTIMENTS
from routing.categories import CATEGORIES
from routing.states import STATE_CODES, STATES

K = TypeVar("K")
V = TypeVar("V")
SHADES = ("volume", "sentiment")
SENTIMENT_COLOURS = ("#D55E00", "#999", "#0072B2")  # negative, neutral, positive
ONLY_LEADERSHIP = "The pulse of the sector is shown to ministry leadership."
TOPIC_EXAMPLES = 3


@dataclass(frozen=True)
class PulseQuery:
    days: int = DEFAULT_WINDOW
    category: str | None = None
    state: str | None = None
    shade: str = "volume"

    def link(self, **changes: Any) -> str:
        """This page's address with some parameters changed (None drops one)."""
        values = {
            "days": self.days,
            "category": self.category,
            "state": self.state,
            "shade": self.shade,
            **changes,
        }
        return "?" + urlencode({k: v for k, v in values.items() if v is not None})


def pulse_query(params: Mapping[str, str]) -> PulseQuery:
    """The page's parameters; a value it cannot show is refused naming it (``InvalidRequest``,
    422), rather than silently showing something else."""
    days_text = params.get("days", "") or str(DEFAULT_WINDOW)
    if not days_text.isdigit() or int(days_text) not in WINDOWS:
        raise InvalidRequest(f"days must be one of {', '.join(map(str, WINDOWS))}")
    category = params.get("category") or None
    if category is not None and category not in CATEGORIES:
        raise InvalidRequest("category must be a category code, such as delayed_payment")
    state = params.get("state") or None
    if state is not None and state not in STATES:
        raise InvalidRequest(
            "state must be the name of a state or union territory, such as Gujarat"
        )
    shade = params.get("shade") or "volume"
    if shade not in SHADES:
        raise InvalidRequest("shade must be volume or sentiment")
    return PulseQuery(int(days_text), category, state, shade)


@dataclass
class PulsePage:
    query: PulseQuery
    figures: PulseFigures
    tickets: int  # filed in the window (with the page's filters)
    tables: dict[str, Table]
    topics: list[Cluster[Post]] | None  # None: the embedding model is not loaded

    @property
    def unplaced(self) -> int:
        """Posts of the window whose state is not known (not on the map)."""
        return sum(r[1] for r in self.tables["by_state"].rows if r[0] == NOT_KNOWN)


def pulse_page(
    request: Request,
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    query: PulseQuery,
) -> PulsePage:
    figures = _cache(request, factory, "pulse_figures", _figures).get(
        now, (query.days, query.category, query.state)
    )
    with factory() as session:
        sources = sources_table(session)
    tickets = _cache(request, factory, "pulse_ticket_counts", tickets_in_window).get(
        now, query.days
    )
    by_state = public_vs_chat(figures, tickets, "state")
    by_category = public_vs_chat(figures, tickets, "category")
    topics = emerging_topics(request, factory, settings, now)
    tables = {
        **figures.tables,
        by_state.name: by_state,
        by_category.name: by_category,
        "sources": sources,
        "emerging_topics": topics_table(topics or []),
    }
    filed = sum(row[3] for row in by_category.rows)
    return PulsePage(query, figures, filed, tables, topics)


FiguresKey = tuple[int, str | None, str | None]  # days, category, state


def _figures(session: Session, now: datetime, key: FiguresKey) -> PulseFigures:
    return pulse_figures(session, now, *key)


def _cache(
    request: Request,
    factory: sessionmaker[Session],
    name: str,
    compute: Callable[[Session, datetime, K], V],
) -> RefreshingCache[K, V]:
    """The app's cache ``name`` (made on first use): the figures of posts per window and
    filters, and the tickets by state and category per window, each kept a minute as the
    analytics figures are (``backend/stats_cache.py``)."""
    state = request.app.state
    cache: RefreshingCache[K, V] | None = getattr(state, name, None)
    if cache is None:
        cache = RefreshingCache(factory, compute)
        setattr(state, name, cache)
    return cache


def emerging_topics(
    request: Request, factory: sessionmaker[Session], settings: Settings, now: datetime
) -> list[Cluster[Post]] | None:
    """Clusters of recent relevant posts (``backend/clusters.py``), refreshed every 5 minutes;
    None when the embedding model may not be loaded and no encoder was given to the app."""
    state = request.app.state
    service: EmergingIssues[None, Post] | None = getattr(state, "pulse_topics", None)
    if service is None:
        if not settings.load_embedding_model:
            return None
        from backend.embeddings import get_encoder

        service = state.pulse_topics = EmergingIssues(factory, get_encoder().encode, recent_posts)
    return service.clusters(now, None)


def topics_table(topics: list[Cluster[Post]]) -> Table:
    return Table(
        "emerging_topics",
        "Emerging topics",
        ["posts", "last_7_days", "about", "states", "sources", "examples"],
        [
            [
                c.size,
                c.recent,
                c.label,
                "; ".join(s for s, _ in c.states),
                "; ".join(s for s, _ in c.top("source")),
                " | ".join(p.url or p.text[:80] for p in c.members[:TOPIC_EXAMPLES]),
            ]
            for c in topics
        ],
    )


def pulse_charts(page: PulsePage) -> dict[str, Any]:
    """The page's charts and map, drawn from its tables."""
    tables, query = page.tables, page.query
    over_time = tables["over_time"].rows
    by_state = {r[0]: r for r in tables["by_state"].rows if r[0] != NOT_KNOWN}
    if query.shade == "sentiment":
        values = {s: r[5] for s, r in by_state.items() if r[5] is not None}
    else:
        values = {s: r[1] for s, r in by_state.items()}

    def describe(state: str) -> str:
        row = by_state.get(state)
        if row is None:
            return f"{state}: no posts"
        net = "" if row[5] is None else f", net sentiment {row[5]:+.2f}"
        return f"{state}: {row[1]} posts ({row[2]} negative){net}"

    side = tables["public_vs_chat_by_state"].rows[:12]
    return {
        "over_time": charts.stacked_columns(
            [r[0][5:] for r in over_time],  # MM-DD
            [(s, [r[2 + i] for r in over_time]) for i, s in enumerate(SENTIMENTS)],
            title=tables["over_time"].title,
            colours=SENTIMENT_COLOURS,
        ),
        "by_category": charts.stacked_bars(
            [
                (r[0], dict(zip(SENTIMENTS, r[2:5], strict=True)))
                for r in tables["by_category"].rows[:15]
            ],
            SENTIMENTS,
            title="Posts by category and sentiment",
            colours=SENTIMENT_COLOURS,
        ),
        "side_by_side": charts.columns(
            [STATE_CODES.get(r[0], r[0]) for r in side],
            [
                ("share of negative posts", [r[4] for r in side]),
                ("share of tickets", [r[5] for r in side]),
            ],
            title="Negative public posts and grievances filed, share by state (12 busiest)",
        ),
        "map": india_map(
            values,
            mode=query.shade,
            title=f"Posts by state, shaded by {query.shade}",
            link=lambda state: query.link(state=state),
            describe=describe,
        ),
    }


def may_see_pulse(officer: Officer) -> bool:
    return officer.role == "leadership"
