"""Figures kept for a while: ``/admin/v1/stats`` and the dashboard's analytics read them from one
cache per app (``backend.api.deps.StatsCacheDep``); the pulse page keeps its ticket counts per
window the same way (``RefreshingCache``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from backend.analytics import Stats, compute_stats

K = TypeVar("K")
V = TypeVar("V")


class RefreshingCache(Generic[K, V]):
    """``compute(session, now, key)`` per key, recomputed at most every ``ttl`` seconds; at
    most ``max_entries`` keys are kept (the oldest figures are forgotten first).

    Over a million tickets a full computation takes seconds, while leadership opens the page
    many times a minute and the figures move slowly. The first request of a key computes;
    after ``ttl`` the last figures are still served (the caller's ``as_of`` says when they were
    made) while one background thread recomputes them.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        compute: Callable[[Session, datetime, K], V],
        ttl: float = 60.0,
        max_entries: int = 1000,
    ) -> None:
        self._factory = factory
        self._compute = compute
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}
        self._refreshing: set[K] = set()
        self._lock = threading.Lock()
        self._compute_lock = threading.Lock()

    def get(self, now: datetime, key: K) -> V:
        with self._lock:
            entry = self._entries.get(key)
            stale = entry is not None and time.monotonic() - entry[0] > self.ttl
            if stale and key not in self._refreshing:
                self._refreshing.add(key)
                threading.Thread(target=self._refresh, args=(now, key), daemon=True).start()
        if entry is not None:
            return entry[1]
        return self._refresh(now, key)

    def _refresh(self, now: datetime, key: K) -> V:
        try:
            # One computation at a time: on 2 cores, parallel full scans only slow each other.
            with self._compute_lock, self._factory() as session, session.begin():
                if session.get_bind().dialect.name == "postgresql":
                    # Medians sort every duration; in memory that is several times faster.
                    session.execute(text("SET LOCAL work_mem = '64MB'"))
                value = self._compute(session, now, key)
            with self._lock:
                self._entries[key] = (time.monotonic(), value)
                if len(self._entries) > self.max_entries:  # forget the oldest figures
                    del self._entries[min(self._entries, key=lambda k: self._entries[k][0])]
            return value
        finally:
            with self._lock:
                self._refreshing.discard(key)


class StatsCache(RefreshingCache[str | None, Stats]):
    """The analytics figures per scope (a department, or None for all)."""

    def __init__(self, factory: sessionmaker[Session], ttl: float = 60.0) -> None:
        super().__init__(factory, compute_stats, ttl)
