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
      type: rasa_runtime.tracker_store.MemoryFirstSQLTrackerStore
      dialect: sqlite
      db: var/rasa_tracker.db
      max_conversations: 2000
      max_live_trackers: 200

The tracker object a turn saved is handed to the conversation's next turn as it is (for the
``max_live_trackers`` most recent conversations), unless it changed without being saved (a
failed turn): then the next turn gets the saved state, rebuilt from memory's JSON.
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
        max_live_trackers: int = 200,
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
        # sender id -> its trackers waiting to be written, oldest first, and the write that will
        # take them (one write at a time takes every tracker waiting then, in one transaction).
        # All are kept, not only the newest: a turn that starts a new session saves a tracker
        # holding both sessions, and the next turn's tracker holds only the new one.
        self._dirty: dict[str, list[_Snapshot]] = {}
        self._queued: dict[str, Future[None]] = {}
        self._guard = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-writer")
        self._session: Session | None = None  # the writer thread's own, kept open
        # sender id -> how many events of its latest session the table holds, and the last of
        # them, as the writer last left it (writer thread only). Rasa's store asks the
        # database (a COUNT over the session) before every append; this answers from memory
        # when the tracker continues what was written, and asks the database otherwise.
        self._stored: dict[str, _Stored] = {}
        # sender id -> the tracker object its last turn saved, with its event count and last
        # event then, for the most recent conversations. The next turn gets that object back
        # instead of one rebuilt from JSON (a turn's largest fixed cost after NLU), and what
        # the object has worked out about itself (its applied events, see speedups.py) carries
        # over. An object that changed without being saved (its turn failed) is not handed
        # out again: the next turn gets the saved state, rebuilt from JSON, as Rasa would.
        self._objects: OrderedDict[str, _Held] = OrderedDict()
        self._max_objects = max(0, int(max_live_trackers))

    # --- reads ------------------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        stored = self._live.get(sender_id)
        if stored is not None:
            self._live.move_to_end(sender_id)
            held = self._objects.pop(sender_id, None)
            if held is not None and held.unchanged():
                self._objects[sender_id] = held  # most recently used
                return held.tracker
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
        events = self._remember(tracker)
        sender_id = tracker.sender_id
        self._hold(tracker, events)
        with self._guard:
            # The writer gets the events as they are now: the next turn goes on with the same
            # tracker object (``_objects``) while the write may still be waiting.
            self._dirty.setdefault(sender_id, []).append(_Snapshot(sender_id, events))
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
            written = {
                sender_id: self._append_trackers(session, sender_id, trackers)
                for sender_id, trackers in waiting.items()
            }
            session.commit()
            self._note_stored(written)
        except Exception:
            session.rollback()
            for sender_id, trackers in waiting.items():
                try:
                    stored = self._append_trackers(session, sender_id, trackers)
                    session.commit()
                    self._note_stored({sender_id: stored})
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

    def _append_trackers(
        self, session: Session, sender_id: str, trackers: list[_Snapshot]
    ) -> _Stored | None:
        known = self._stored.get(sender_id)
        for tracker in trackers:
            known = self._append_new_events(session, tracker, known)
        return known

    def _append_new_events(
        self, session: Session, tracker: _Snapshot, known: _Stored | None
    ) -> _Stored:
        """Append the events of ``tracker`` that the table does not hold yet.

        As Rasa's ``SQLTrackerStore._additional_events`` does: the tracker holds the latest
        session (as stored) plus what happened since, so the events after the stored count are
        the new ones. ``known`` is what the table holds (None: ask it). Returns what the table
        will hold once the transaction commits.
        """
        events = list(tracker.events)
        if known is not None and known.continued_by(events):
            start = known.size
        else:
            start = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        rows = []
        for event in events[start:]:
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
        return _Stored.after(events)

    def _note_stored(self, written: dict[str, _Stored | None]) -> None:
        """Remember what committed writes left in the table (writer thread only)."""
        for sender_id, stored in written.items():
            if stored is None:
                self._stored.pop(sender_id, None)
            else:
                self._stored[sender_id] = stored

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

    def _remember(self, tracker: DialogueStateTracker) -> list[Event]:
        """Keep the conversation as Rasa's SQL store would read it back: its latest session,
        from the last ``session_started`` on. (Rasa's in-memory store splits sessions at
        ``action_session_start`` instead; then the count of events already written would be
        off by one.)"""
        events = list(tracker.events)
        latest = events[_latest_session_start(events) :]
        known = self._live.get(tracker.sender_id)
        if known is not None and _continues(known, latest):
            stored = known + [_StoredEvent.of(event) for event in latest[len(known) :]]
        else:
            stored = [_StoredEvent.of(event) for event in latest]
        self._live[tracker.sender_id] = stored
        self._live.move_to_end(tracker.sender_id)
        while len(self._live) > self._max_conversations:
            evicted, _ = self._live.popitem(last=False)  # read from SQL again if it comes back
            self._objects.pop(evicted, None)
        return events

    def _hold(self, tracker: DialogueStateTracker, events: list[Event]) -> None:
        """Keep the saved tracker object (whose events are ``events``) for the conversation's
        next turn, unless it holds more than the latest session (then the next turn gets the
        latest session only, rebuilt from memory, as Rasa's SQL store reads it back)."""
        sender_id = tracker.sender_id
        self._objects.pop(sender_id, None)
        if self._max_objects == 0 or _latest_session_start(events) > 0:
            return
        self._objects[sender_id] = _Held(tracker, len(events), events[-1] if events else None)
        while len(self._objects) > self._max_objects:
            self._objects.popitem(last=False)


def _latest_session_start(events: list[Event]) -> int:
    """Index of the last ``session_started`` (0 without one): where Rasa's SQL store reads a
    conversation back from, and where it counts the stored events from."""
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], SessionStarted):
            return index
    return 0


class _Snapshot(NamedTuple):
    """What the writer needs of a saved tracker: its events as they were at the save."""

    sender_id: str
    events: list[Event]


class _Held(NamedTuple):
    tracker: DialogueStateTracker
    size: int  # len(tracker.events) when saved
    last: Event | None  # its last event then

    def unchanged(self) -> bool:
        """Nothing was added since the save (events are only ever appended)."""
        events = self.tracker.events
        return len(events) == self.size and (not events or events[-1] is self.last)


class _Stored(NamedTuple):
    """The table's share of a conversation: the events of its latest session (Rasa's SQL
    store counts from the last ``session_started``), and the last of them."""

    size: int
    last_type: str | None
    last_timestamp: float | None

    @classmethod
    def after(cls, events: list[Event]) -> _Stored:
        count = len(events) - _latest_session_start(events)
        last = events[-1] if events else None
        return cls(count, last and last.type_name, last and last.timestamp)

    def continued_by(self, events: list[Event]) -> bool:
        """``events`` begins with the stored session (as a turn's tracker does)."""
        if self.size == 0:
            return False  # nothing to check against: ask the table
        if len(events) < self.size:
            return False
        last = events[self.size - 1]
        return last.type_name == self.last_type and last.timestamp == self.last_timestamp


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
