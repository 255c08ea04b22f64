"""Emerging issues: groups of similar recent grievances, so that leadership sees a new problem
(one buyer delaying payments to many units, say) before it spreads.

Recent descriptions are embedded with the sentence encoder (``backend.embeddings``) and
grouped by average-linkage agglomerative clustering on cosine distance; groups of at least
``min_size`` are reported with their counts, where they come from, a few telling words and
example tickets. Embeddings are kept per ticket (descriptions do not change), so a refresh
only encodes what was filed since.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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


@dataclass(frozen=True)
class Grievance:
    id: int
    number: str
    description: str
    state: str
    department_code: str
    created_at: datetime


@dataclass
class Cluster:
    size: int
    recent: int  # filed in the last ``recent_days``
    label: str
    states: list[tuple[str, int]]
    departments: list[tuple[str, int]]
    examples: list[tuple[str, str]]  # (ticket number, start of the description)
    numbers: list[str] = field(default_factory=list)


def recent_grievances(
    session: Session,
    now: datetime,
    days: int = 30,
    limit: int = 600,
    department: str | None = None,
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
    grievances: list[Grievance],
    vectors: np.ndarray,
    now: datetime,
    *,
    similarity: float = 0.55,
    min_size: int = 3,
    recent_days: int = 7,
    examples: int = 3,
) -> list[Cluster]:
    """Groups of at least ``min_size`` grievances whose average cosine similarity to each other
    is at least ``similarity``; the largest (then the most recent) first."""
    if len(grievances) < min_size:
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
    document_frequency = Counter(w for g in grievances for w in _words(g.description))
    cutoff = now - timedelta(days=recent_days)
    clusters = []
    for indexes in members.values():
        if len(indexes) < min_size:
            continue
        group = [grievances[i] for i in indexes]
        clusters.append(
            Cluster(
                size=len(group),
                recent=sum(1 for g in group if g.created_at > cutoff),
                label=_label(group, document_frequency, len(grievances)),
                states=Counter(g.state for g in group).most_common(3),
                departments=Counter(g.department_code for g in group).most_common(3),
                examples=[(g.number, g.description[:160]) for g in group[:examples]],
                numbers=[g.number for g in group],
            )
        )
    clusters.sort(key=lambda c: (-c.size, -c.recent))
    return clusters


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS}


def _label(group: list[Grievance], document_frequency: Counter[str], total: int) -> str:
    """Words that many of the group use and few others do."""
    inside = Counter(w for g in group for w in _words(g.description))
    score = {
        w: n / len(group) * math.log((1 + total) / (1 + document_frequency[w]))
        for w, n in inside.items()
        if n >= max(2, len(group) // 3)
    }
    return ", ".join(sorted(score, key=lambda w: (-score[w], w))[:4])


class EmergingIssues:
    """Clusters of recent grievances for the dashboard, refreshed at most every ``ttl``
    seconds per scope; embeddings are remembered per ticket id."""

    def __init__(self, factory: sessionmaker[Session], encode: Encode, ttl: float = 300.0) -> None:
        self._factory = factory
        self._encode = encode
        self._ttl = ttl
        self._vectors: dict[int, np.ndarray] = {}
        self._results: dict[str | None, tuple[float, list[Cluster]]] = {}
        self._lock = threading.Lock()

    def clusters(self, now: datetime, department: str | None = None) -> list[Cluster]:
        with self._lock:
            cached = self._results.get(department)
            if cached is not None and time.monotonic() - cached[0] < self._ttl:
                return cached[1]
            with self._factory() as session:
                grievances = recent_grievances(session, now, department=department)
            missing = [g for g in grievances if g.id not in self._vectors]
            if missing:
                encoded = self._encode([g.description for g in missing])
                for grievance, vector in zip(missing, encoded, strict=True):
                    self._vectors[grievance.id] = vector
            if len(self._vectors) > 20_000:  # forget tickets long out of the window
                keep = {g.id for g in grievances}
                self._vectors = {k: v for k, v in self._vectors.items() if k in keep}
            if grievances:
                vectors = np.stack([self._vectors[g.id] for g in grievances])
                result = find_clusters(grievances, vectors, now)
            else:
                result = []
            self._results[department] = (time.monotonic(), result)
            return result
