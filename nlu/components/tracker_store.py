"""Rasa's SQL tracker store with the live conversations served from memory.

Rasa 3.6's ``SQLTrackerStore`` reads a conversation's whole session back from the database and
re-parses every event on each turn, and writes inside the turn: on SQLite that was 8-45 ms of
a turn here. This store keeps the conversations being talked to in memory (as Rasa's in-memory
store does) and hands each saved tracker to one writer thread, which appends its new events
to the same SQL table Rasa's store uses, in order, off the request path. A conversation that
is not in memory (after a restart, or evicted as least recently used) is read from SQL, after
any of its writes still queued have landed.

A failed write is made good by the conversation's next save: events are appended by count
(the events of the session not yet in the table), so that save writes everything missing. The
writer thread finishes its queue when the process exits normally. What this trades: a crash
(SIGKILL, power) loses the turns whose write had not landed, milliseconds' worth; the
conversation then resumes one step back (its question asked again), and messages Rasa had not
answered are replayed by the gateway's inbox.

It assumes that one Rasa process serves a conversation at a time (the gateway keeps a sender
on one Rasa URL). Several replicas sharing a database use Rasa's own SQL store
(endpoints.scale.yml).

    tracker_store:
      type: nlu.components.tracker_store.MemoryFirstSQLTrackerStore
      dialect: sqlite
      db: var/rasa_tracker.db
      max_conversations: 2000
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, NamedTuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """WAL: the writer thread's commits do not block readers, and cost no fsync each."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class MemoryFirstSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        dialect: str = "sqlite",
        event_broker: EventBroker | None = None,
        max_conversations: int = 2000,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, dialect=dialect, event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
        # sender id -> its latest session, one JSON text per event, least recently used first:
        # a save serialises only the turn's new events, a read parses the session in one go,
        # and no event object shares a dict with another turn's.
        self._live: OrderedDict[str, list[_StoredEvent]] = OrderedDict()
        self._max_conversations = max(1, int(max_conversations))
        # sender id -> the newest tracker waiting to be written, and the write that will take
        # it (one write at a time takes every tracker waiting then, in one transaction)
        self._dirty: dict[str, DialogueStateTracker] = {}
        self._queued: dict[str, Future[None]] = {}
        self._guard = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-writer")
        self._session: Session | None = None  # the writer thread's own, kept open

    # --- reads ------------------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        stored = self._live.get(sender_id)
        if stored is not None:
            self._live.move_to_end(sender_id)
            events = json.loads("[" + ",".join(event.text for event in stored) + "]")
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        await self._written(sender_id)
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        await self._written(conversation_id)
        return await super().retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[str]:
        await self._written()
        return await super().keys()

    # --- writes -----------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        self._remember(tracker)
        sender_id = tracker.sender_id
        with self._guard:
            # Rasa does not touch a tracker after saving it (the next turn builds a new one),
            # so the writer may read this one while the loop goes on.
            self._dirty[sender_id] = tracker
            if sender_id not in self._queued:
                self._queued[sender_id] = self._writer.submit(self._write_waiting)

    def _write_waiting(self) -> None:
        """Write every tracker waiting, in one transaction (one per tracker if that fails).

        A sender stays in ``_queued`` until its newest save has landed, so a reader waiting in
        ``_written`` never reads the table before that.
        """
        with self._guard:
            waiting, self._dirty = self._dirty, {}
        if not waiting:
            return
        session = self._writer_session()
        try:
            for tracker in waiting.values():
                self._append_new_events(session, tracker)
            session.commit()
        except Exception:
            session.rollback()
            for tracker in waiting.values():
                try:
                    self._append_new_events(session, tracker)
                    session.commit()
                except Exception:
                    # The events stay in memory; the next save of this conversation writes
                    # them (events are appended by count).
                    session.rollback()
                    logger.exception("Could not write a conversation's events; next save retries")
        with self._guard:
            for sender_id in waiting:
                if sender_id in self._dirty:  # saved again meanwhile: it needs another write
                    self._queued[sender_id] = self._writer.submit(self._write_waiting)
                else:
                    self._queued.pop(sender_id, None)

    def _writer_session(self) -> Session:
        if self._session is None:  # made in the writer thread, used only there
            # Bound to one connection that stays open: with SQLite's default pool every commit
            # would close the file and the next write open it again (and set its pragmas).
            self._session = Session(bind=self.engine.connect())
        return self._session

    def _append_new_events(self, session: Session, tracker: DialogueStateTracker) -> None:
        rows = []
        for event in self._additional_events(session, tracker):
            data = event.as_dict()
            rows.append(
                {
                    "sender_id": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {})
                    .get("intent", {})
                    .get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        if rows:
            session.execute(self.SQLEvent.__table__.insert(), rows)

    async def _written(self, sender_id: str | None = None) -> None:
        """Wait until the queued writes (of one conversation, or all) have landed."""
        while True:
            with self._guard:
                pending = [
                    future
                    for sender, future in self._queued.items()
                    if sender_id is None or sender == sender_id
                ]
            if not pending:
                return
            await asyncio.gather(*(asyncio.wrap_future(future) for future in pending))

    # --- memory -----------------------------------------------------------------------------

    def _remember(self, tracker: DialogueStateTracker) -> None:
        """Keep the conversation as Rasa's SQL store would read it back: its latest session,
        from the last ``session_started`` on. (Rasa's in-memory store splits sessions at
        ``action_session_start`` instead; then the count of events already written would be
        off by one.)"""
        events = list(tracker.events)
        starts = [index for index, event in enumerate(events) if isinstance(event, SessionStarted)]
        latest = events[starts[-1] :] if starts else events
        known = self._live.get(tracker.sender_id)
        if known is not None and _continues(known, latest):
            stored = known + [_StoredEvent.of(event) for event in latest[len(known) :]]
        else:
            stored = [_StoredEvent.of(event) for event in latest]
        self._live[tracker.sender_id] = stored
        self._live.move_to_end(tracker.sender_id)
        while len(self._live) > self._max_conversations:
            self._live.popitem(last=False)  # read from SQL again if it comes back


class _StoredEvent(NamedTuple):
    text: str  # the event as JSON
    type_name: str
    timestamp: float | None

    @classmethod
    def of(cls, event: Event) -> _StoredEvent:
        return cls(json.dumps(event.as_dict()), event.type_name, event.timestamp)


def _continues(known: list[_StoredEvent], latest: list[Event]) -> bool:
    """``latest`` is the remembered session with events appended (what a turn does)."""
    if not known or len(latest) < len(known):
        return False
    return all(
        event.type_name == stored.type_name and event.timestamp == stored.timestamp
        for event, stored in ((latest[0], known[0]), (latest[len(known) - 1], known[-1]))
    )
