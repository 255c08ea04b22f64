"""Test fixture: public posts written straight into the pulse tables (sources, items and the
matching daily counts), as ingestion's store does in production, so that the pulse page can
be tested without pulling feeds. Not for production use.

``generated_posts`` makes varied posts (sources, days, categories, states, sentiments, some
not relevant, some without category or state); tests count what they expect from the posts
themselves, never from ``pulse_daily``.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from backend.models import PulseDaily, PulseItem, PulseSource
from pulse.reader import SENTIMENTS
from routing.categories import CATEGORIES
from routing.states import STATES


@dataclass(frozen=True)
class SourceRow:
    name: str
    kind: str
    hide_handles: bool = False


@dataclass(frozen=True)
class PostRow:
    source: str  # a SourceRow's name
    text: str
    published_at: datetime
    relevant: bool = True
    category: str | None = None
    state: str | None = None
    sentiment: str = "neutral"
    author: str | None = None
    url: str | None = None

    @property
    def day_key(self) -> tuple[str, str, str]:
        return (self.category or "", self.state or "", self.sentiment)


def add_sources(session: Session, sources: list[SourceRow]) -> dict[str, PulseSource]:
    added = {}
    for source in sources:
        row = PulseSource(name=source.name, kind=source.kind, hide_handles=source.hide_handles)
        session.add(row)
        added[source.name] = row
    session.flush()
    return added


def store_posts(session: Session, posts: list[PostRow]) -> None:
    """Items, and the daily counts of the relevant ones added to what is there."""
    sources = {s.name: s for s in session.query(PulseSource)}
    counts: Counter[tuple[object, ...]] = Counter()
    for post in posts:
        source = sources[post.source]
        session.add(
            PulseItem(
                source_id=source.id,
                url=post.url,
                text_hash=hashlib.sha256(post.text.casefold().encode()).hexdigest(),
                text=post.text,
                author=post.author,
                published_at=post.published_at,
                relevant=post.relevant,
                category=post.category if post.relevant else None,
                state=post.state,
                sentiment=post.sentiment,
                emotion="none",
                language="en",
            )
        )
        if post.relevant:
            day = post.published_at.astimezone(UTC).date()
            counts[(day, source.kind, *post.day_key)] += 1
    for (day, kind, category, state, sentiment), n in counts.items():
        key = {
            "day": day,
            "source_kind": kind,
            "category": category,
            "state": state,
            "sentiment": sentiment,
        }
        row = session.get(PulseDaily, key)
        if row is None:
            session.add(PulseDaily(**key, items=n))
        else:
            row.items += n
    session.flush()


def generated_posts(
    rng: random.Random, n: int, now: datetime, sources: list[SourceRow], days: int = 400
) -> list[PostRow]:
    """``n`` varied posts published over the ``days`` before ``now``."""
    categories = list(CATEGORIES)
    states = list(STATES)
    busy = states[:6]  # a few states get most posts, as in life
    posts = []
    for i in range(n):
        relevant = rng.random() < 0.75
        state = (
            None
            if rng.random() < 0.2
            else (rng.choice(busy) if rng.random() < 0.6 else rng.choice(states))
        )
        category = None if not relevant or rng.random() < 0.1 else rng.choice(categories[:8])
        source = rng.choice(sources)
        posts.append(
            PostRow(
                source=source.name,
                text=f"Generated post {i} about {category or 'something'} in {state or 'India'}",
                published_at=now - timedelta(seconds=rng.randrange(days * 86400)),
                relevant=relevant,
                category=category,
                state=state,
                sentiment=rng.choices(SENTIMENTS, weights=(5, 3, 2))[0],
                author=f"@writer{i % 17}",
                url=f"https://news.example/{source.name}/{i}",
            )
        )
    return posts
