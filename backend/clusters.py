"""Emerging issues: groups of similar recent texts, so that leadership sees a new problem (one
buyer delaying payments to many units, say) before it spreads.

Any records with an ``id``, a ``text``, a ``state`` and a ``created_at`` can be grouped: the
analytics page groups recent grievances (``recent_grievances``), the pulse page recent public
posts (``backend/pulse_figures.py: recent_posts``). Texts are embedded with the sentence encoder
(``backend.embeddings``) and grouped by average-linkage agglomerative clustering on cosine
distance; groups of at least ``min_size`` are reported with their counts, where they come
from, a few telling words and their members (newest first), whose other fields the page shows.
Embeddings are kept per record id (texts do not change), so a refresh only encodes what is new.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Ticket

Encode = Callable[[list[str]], np.ndarray]

_WORD = re.compile(r"[a-z][a-z0-9]{2,}")
_STOPWORDS = frozenset(
    "the and for has have had not was were are with from this that our their they them been "
    "after since about into over under there what when which who will would could should "
    "please sir madam kindly help unit units days months also even still only more than very "
    "its his her your you any all some other same such being did does done due".split()
)


class Record(Protocol):
    """What clustering reads of a record; the page reads the rest of it."""

    @property
    def id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def state(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


R = TypeVar("R", bound=Record)
K = TypeVar("K")  # what the records are chosen by: a department, nothing...


@dataclass(frozen=True)
class Grievance:
    id: int
    number: str
    text: str  # the description
    state: str
    department_code: str
    created_at: datetime


@dataclass
class Cluster(Generic[R]):
    size: int
    recent: int  # created in the last ``recent_days``
    label: str
    states: list[tuple[str, int]]
    members: list[R]  # in the order given (newest first)

    def top(self, attribute: str, n: int = 3) -> list[tuple[str, int]]:
        """The ``n`` most common values of one field of the members (unknown ones left out)."""
        return Counter(v for m in self.members if (v := getattr(m, attribute))).most_common(n)


def recent_grievances(
    session: Session,
    now: datetime,
    department: str | None = None,
    *,
    days: int = 30,
    limit: int = 600,
) -> list[Grievance]:
    """The most recent ``limit`` grievances of the last ``days`` (newest first)."""
    query = (
        select(
            Ticket.id,
            Ticket.number,
            Ticket.description,
            Ticket.state,
            Ticket.department_code,
            Ticket.created_at,
        )
        .where(Ticket.created_at > now - timedelta(days=days), Ticket.created_at <= now)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    if department:
        query = query.where(Ticket.department_code == department)
    return [Grievance(*row) for row in session.execute(query)]


def find_clusters(
    records: list[R],
    vectors: np.ndarray,
    now: datetime,
    *,
    similarity: float = 0.55,
    min_size: int = 3,
    recent_days: int = 7,
) -> list[Cluster[R]]:
    """Groups of at least ``min_size`` records whose average cosine similarity to each other
    is at least ``similarity``; the largest (then the most recent) first."""
    if len(records) < min_size:
        return []
    from sklearn.cluster import AgglomerativeClustering

    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=1.0 - similarity,
    ).fit_predict(vectors)
    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        members.setdefault(int(label), []).append(index)
    document_frequency = Counter(w for r in records for w in _words(r.text))
    cutoff = now - timedelta(days=recent_days)
    clusters = []
    for indexes in members.values():
        if len(indexes) < min_size:
            continue
        group = [records[i] for i in indexes]
        clusters.append(
            Cluster(
                size=len(group),
                recent=sum(1 for r in group if r.created_at > cutoff),
                label=_label(group, document_frequency, len(records)),
                states=Counter(r.state for r in group if r.state).most_common(3),
                members=group,
            )
        )
    clusters.sort(key=lambda c: (-c.size, -c.recent))
    return clusters


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS}


def _label(group: list[R], document_frequency: Counter[str], total: int) -> str:
    """Words that many of the group use and few others do."""
    inside = Counter(w for r in group for w in _words(r.text))
    score = {
        w: n / len(group) * math.log((1 + total) / (1 + document_frequency[w]))
        for w, n in inside.items()
        if n >= max(2, len(group) // 3)
    }
    return ", ".join(sorted(score, key=lambda w: (-score[w], w))[:4])


class EmergingIssues(Generic[K, R]):
    """Clusters of the records ``load(session, now, key)`` returns (a department's recent
    grievances, recent public posts...), refreshed at most every ``ttl`` seconds per key;
    embeddings are remembered per record id."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        encode: Encode,
        load: Callable[[Session, datetime, K], list[R]],
        ttl: float = 300.0,
    ) -> None:
        self._factory = factory
        self._encode = encode
        self._load = load
        self._ttl = ttl
        self._vectors: dict[int, np.ndarray] = {}
        self._results: dict[K, tuple[float, list[Cluster[R]]]] = {}
        self._lock = threading.Lock()

    def clusters(self, now: datetime, key: K) -> list[Cluster[R]]:
        with self._lock:
            cached = self._results.get(key)
            if cached is not None and time.monotonic() - cached[0] < self._ttl:
                return cached[1]
            with self._factory() as session:
                records = self._load(session, now, key)
            missing = [r for r in records if r.id not in self._vectors]
            if missing:
                encoded = self._encode([r.text for r in missing])
                for record, vector in zip(missing, encoded, strict=True):
                    self._vectors[record.id] = vector
            if len(self._vectors) > 20_000:  # forget records long out of the window
                keep = {r.id for r in records}
                self._vectors = {k: v for k, v in self._vectors.items() if k in keep}
            if records:
                vectors = np.stack([self._vectors[r.id] for r in records])
                result = find_clusters(records, vectors, now)
            else:
                result = []
            self._results[key] = (time.monotonic(), result)
            return result
