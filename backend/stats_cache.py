"""The figures per scope, kept for a while: ``/admin/v1/stats`` and the dashboard's analytics
read them from one cache per app (``backend.api.deps.StatsCacheDep``)."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from backend.analytics import Stats, compute_stats


class StatsCache:
    """The figures per scope, recomputed at most every ``ttl`` seconds.

    Over a million tickets a full computation takes seconds, while leadership opens the page
    many times a minute and the figures move slowly. The first request of a scope computes;
    after ``ttl`` the last figures are still served (their ``as_of`` says when they were made)
    while one background thread recomputes them.
    """

    def __init__(self, factory: sessionmaker[Session], ttl: float = 60.0) -> None:
        self._factory = factory
        self.ttl = ttl
        self._entries: dict[str | None, tuple[float, Stats]] = {}
        self._refreshing: set[str | None] = set()
        self._lock = threading.Lock()
        self._compute_lock = threading.Lock()

    def get(self, now: datetime, department: str | None) -> Stats:
        with self._lock:
            entry = self._entries.get(department)
            stale = entry is not None and time.monotonic() - entry[0] > self.ttl
            if stale and department not in self._refreshing:
                self._refreshing.add(department)
                threading.Thread(target=self._refresh, args=(now, department), daemon=True).start()
        if entry is not None:
            return entry[1]
        return self._refresh(now, department)

    def _refresh(self, now: datetime, department: str | None) -> Stats:
        try:
            # One computation at a time: on 2 cores, parallel full scans only slow each other.
            with self._compute_lock, self._factory() as session, session.begin():
                if session.get_bind().dialect.name == "postgresql":
                    # Medians sort every duration; in memory that is several times faster.
                    session.execute(text("SET LOCAL work_mem = '64MB'"))
                stats = compute_stats(session, now, department)
            with self._lock:
                self._entries[department] = (time.monotonic(), stats)
            return stats
        finally:
            with self._lock:
                self._refreshing.discard(department)
