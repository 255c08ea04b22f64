"""Engine and sessions: SQLite (WAL, foreign keys) by default, PostgreSQL through DATABASE_URL."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        writer = _SqliteWriterLock()
        event.listen(engine, "begin", writer.begin)
        event.listen(engine, "commit", writer.release)
        event.listen(engine, "rollback", writer.release)
        return engine
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(database_url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions (pysqlite's implicit BEGIN defeats BEGIN IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Read big tables through the OS page cache without a syscall per page, and keep the hot
    # index pages in SQLite's own cache (64 MB) as the ticket table grows.
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


class _SqliteWriterLock:
    """Transactions take SQLite's write lock at BEGIN, queued on a lock in this process.

    BEGIN IMMEDIATE means read-then-write units (idempotent create, transitions) never fail
    half-way with "database is locked". Queueing the process's threads on a Python lock first
    keeps them out of SQLite's busy handler, which sleeps in steps of up to 100 ms and made
    concurrent requests slow; other processes still meet the busy timeout.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def begin(self, connection: Any) -> None:
        if connection.get_execution_options().get("read_only"):
            # Readers never block writers or each other in WAL mode.
            connection.exec_driver_sql("BEGIN")
            return
        self._lock.acquire()
        connection.info["sqlite_writer"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.release(connection)
            raise

    def release(self, connection: Any) -> None:
        if connection.info.pop("sqlite_writer", False):
            self._lock.release()


log = logging.getLogger(__name__)
T = TypeVar("T")
# A unit of work for GroupCommit: runs on the batch's connection inside its transaction, with a
# dict that the units of one batch share (caches valid for that transaction only).
Unit = Callable[[Connection, dict[str, Any]], T]


@dataclass
class _Job(Generic[T]):
    unit: Unit[T]
    future: Future[T] = field(default_factory=Future)


class GroupCommit:
    """One writer thread that commits concurrent units of work together (group commit).

    Requests hand their unit to the writer and wait for its future. The writer takes what has
    queued up (up to ``max_batch``), runs the units one after another in ONE transaction, commits
    once, and only then answers each caller. Under concurrency this pays BEGIN, the write lock
    and COMMIT once per batch instead of once per unit, and the request threads stop queueing on
    the write lock.

    A unit must undo its own writes when it fails (a savepoint: ``backend.tickets`` files each
    ticket under one); its caller gets the exception and the other units of the batch carry on.
    If the transaction itself fails (BEGIN or COMMIT), nothing of the batch was written and each
    unit is run again alone, so one bad unit cannot take the others down with it.

    The thread starts on the first unit and ends after ``idle_seconds`` without work.
    """

    def __init__(self, engine: Engine, max_batch: int = 64, idle_seconds: float = 5.0) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[_Job[Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # transactions committed, for tests and benchmarks
        self.units = 0

    def submit(self, unit: Unit[T]) -> Future[T]:
        job: _Job[T] = _Job(unit)
        with self._lock:
            self._queue.put(job)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._write, name="group-commit", daemon=True
                )
                self._thread.start()
        return job.future

    def run(self, unit: Unit[T]) -> T:
        """Submit and wait (for callers on a thread rather than the event loop)."""
        return self.submit(unit).result()

    def _write(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            jobs = [first]
            while len(jobs) < self.max_batch:
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._commit(jobs)

    def _commit(self, jobs: list[_Job[Any]]) -> None:
        outcomes: list[tuple[_Job[Any], Any, BaseException | None]] = []
        try:
            with self.engine.begin() as connection:
                shared: dict[str, Any] = {}
                for job in jobs:
                    try:
                        outcomes.append((job, job.unit(connection, shared), None))
                    except Exception as error:
                        outcomes.append((job, None, error))
        except Exception as error:
            if len(jobs) > 1:
                log.warning("group commit of %d units failed (%r); one by one", len(jobs), error)
                for job in jobs:
                    self._commit([job])
            else:
                jobs[0].future.set_exception(error)
            return
        self.batches += 1
        self.units += len(jobs)
        # Committed: only now is anyone told that their unit is done.
        for job, result, unit_error in outcomes:
            if unit_error is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(unit_error)


def make_session_factory(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions for units of work; ``read_only`` ones skip SQLite's write lock."""
    bind = engine.execution_options(read_only=True) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error (nothing half-written)."""
    with factory() as session, session.begin():
        yield session
