"""CPGRAMS, automatically (issue 16): a scheduled, incremental pull from the CPGRAMS API, and a
watched folder as the alternative. Rows are read, checked and filed by ``backend/imports.py``,
exactly as an uploaded batch.

**The pull** (``CPGRAMS_PULL_URL``, ``CPGRAMS_PULL_TOKEN``, every
``CPGRAMS_PULL_INTERVAL_SECONDS``) reads page after page (``channels/cpgrams.py``) from where the
last one ended. The cursor lives in ``pull_cursors`` (name ``cpgrams``) and moves only after
every row of its page is committed, so a crash or failure in the middle of a page reads that
page again next time, and the unique (external_source, external_ref) makes the repeat
harmless: every good row is a ticket exactly once. A bad row is reported (the page's cursor,
the item's index on the page from 0, its registration number, why) and does not hold the
cursor back. A failure (network, timeout, HTTP error, an answer not of the agreed shape, the
database) keeps the cursor where it was, counts ``failures``, keeps ``last_error`` and puts the
next try off by 30 s doubling to at most an hour; a success clears them. Who pulls is decided by
a lease on the cursor row (``next_pull_at`` moved ahead in one short transaction), so several
workers never pull side by side; a worker that dies mid-pull leaves a lease that expires.

**The watched folder** (``CPGRAMS_WATCH_DIR``): ``*.csv``, ``*.json`` and ``*.jsonl`` files are
imported and moved to ``processed/``, or to ``failed/`` when a row was refused or the file was
unreadable, with ``<file>.errors.json`` beside it (the line-numbered errors; the good rows of
such a file are imported, so the corrected file can be dropped again). A file still being
written is not read: only those names are read (write ``x.csv.part`` and rename it into place),
and a file modified within the last ``SETTLE_SECONDS`` waits for the next look.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend.imports import CHANNEL, import_batch, import_rows, read_items
from backend.models import PullCursor, utcnow
from backend.outbox import backoff
from channels.cpgrams import CpgramsClient, CpgramsUnavailable
from core.config import Settings

log = logging.getLogger(__name__)

CURSOR = "cpgrams"  # the pull_cursors row
SOURCE = CHANNEL  # the tickets' external source: the same as an uploaded CPGRAMS batch
PAGE_SIZE = 100
PAGES_PER_PASS = 5  # then the worker delivers notifications (a few seconds late at most)
# and comes back to the pull at once.
LEASE = timedelta(minutes=10)
RETRY_FIRST_SECONDS = 30.0
RETRY_CAP = timedelta(hours=1)
CHECK_SECONDS = 15.0  # how often a worker looks whether the pull is due
SETTLE_SECONDS = 10.0
FORMATS_BY_SUFFIX = {".csv": "csv", ".json": "json", ".jsonl": "json"}


@dataclass
class PullReport:
    ran: bool = False  # False: not due, or another worker holds the pull
    pages: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    cursor: str | None = None  # where the next pull starts
    more: bool = False  # stopped after PAGES_PER_PASS pages: due again at once
    failure: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def retry_delay(failures: int) -> timedelta:
    """How long to wait after the ``failures``-th failure in a row."""
    return min(backoff(RETRY_FIRST_SECONDS, failures), RETRY_CAP)


# --- the cursor row -----------------------------------------------------------------------


def claim(factory: sessionmaker[Session], now: datetime, *, force: bool = False) -> str | None:
    """Take the pull if it is due (or ``force``): the lease is ``next_pull_at`` moved ahead.

    Returns the cursor to start from ("" for the very first pull), or None when not due or
    another worker holds it.
    """
    try:
        with factory() as session, session.begin():
            row = session.get(PullCursor, CURSOR, with_for_update=True)
            if row is None:
                row = PullCursor(name=CURSOR, failures=0, updated_at=now)
                session.add(row)
            elif not force and row.next_pull_at is not None and row.next_pull_at > now:
                return None
            row.next_pull_at = now + LEASE
            row.updated_at = now
            return row.cursor or ""
    except IntegrityError:  # two first pulls at once: the other worker's
        return None


def _update(factory: sessionmaker[Session], **values: Any) -> None:
    with factory() as session, session.begin():
        row = session.get(PullCursor, CURSOR, with_for_update=True)
        if row is None:  # pragma: no cover - claimed before any update
            row = PullCursor(name=CURSOR, failures=0)
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)


def advance(factory: sessionmaker[Session], cursor: str, now: datetime) -> None:
    """The page before ``cursor`` is all committed: the next pull starts here."""
    _update(factory, cursor=cursor, updated_at=now)


def succeeded(factory: sessionmaker[Session], now: datetime, due: datetime) -> None:
    _update(
        factory, failures=0, last_error=None, last_pulled_at=now, next_pull_at=due, updated_at=now
    )


def failed(factory: sessionmaker[Session], now: datetime, error: str) -> None:
    with factory() as session, session.begin():
        row = session.get(PullCursor, CURSOR, with_for_update=True)
        if row is None:  # pragma: no cover - claimed before any failure
            row = PullCursor(name=CURSOR, failures=0)
            session.add(row)
        row.failures = (row.failures or 0) + 1
        row.last_error = error[:500]
        row.next_pull_at = now + retry_delay(row.failures)
        row.updated_at = now


def pull_status(factory: sessionmaker[Session]) -> dict[str, Any]:
    with factory() as session:
        row = session.get(PullCursor, CURSOR)
        if row is None:
            return {"cursor": None, "last_pulled_at": None, "next_pull_at": None, "failures": 0}
        return {
            "cursor": row.cursor,
            "last_pulled_at": row.last_pulled_at.isoformat() if row.last_pulled_at else None,
            "next_pull_at": row.next_pull_at.isoformat() if row.next_pull_at else None,
            "failures": row.failures,
            "last_error": row.last_error,
        }


# --- the pull ------------------------------------------------------------------------------


async def pull(
    factory: sessionmaker[Session],
    client: CpgramsClient,
    *,
    interval_seconds: float,
    clock: Any = utcnow,
    force: bool = False,
    page_size: int = PAGE_SIZE,
    pages_per_pass: int = PAGES_PER_PASS,
) -> PullReport:
    """One pass: claim the pull, read up to ``pages_per_pass`` pages, import each, move the
    cursor after each page, and record success or failure."""
    report = PullReport()
    start = await asyncio.to_thread(claim, factory, clock(), force=force)
    if start is None:
        return report
    report.ran = True
    cursor = start or None
    report.cursor = cursor
    try:
        for _ in range(pages_per_pass):
            page = await client.fetch_page(cursor, page_size)
            imported = await asyncio.to_thread(
                import_rows, factory, read_items(page.items), SOURCE, clock(), position="index"
            )
            report.pages += 1
            report.created += len(imported.created)
            report.skipped += len(imported.skipped)
            for error in imported.errors:
                error = {"page": cursor, **error}
                report.errors.append(error)
                log.warning(
                    "cpgrams pull: page %s item %s (%s) refused: %s",
                    cursor,
                    error["index"],
                    error["registration_number"],
                    error["error"],
                )
            if page.next_cursor is not None and page.next_cursor != cursor:
                cursor = page.next_cursor
                await asyncio.to_thread(advance, factory, cursor, clock())
                report.cursor = cursor
            if not page.has_more:
                break
        else:
            report.more = True
    except CpgramsUnavailable as error:
        report.failure = str(error)
    except Exception as error:  # the database, or a fault: the page is read again later
        log.exception("cpgrams pull failed on page %s", cursor)
        report.failure = f"{type(error).__name__}"
    now = clock()
    if report.failure is not None:
        log.warning("cpgrams pull failed at cursor %s: %s", cursor, report.failure)
        await asyncio.to_thread(failed, factory, now, report.failure)
    else:
        due = now if report.more else now + timedelta(seconds=interval_seconds)
        await asyncio.to_thread(succeeded, factory, now, due)
    if report.created or report.errors:
        log.info(
            "cpgrams pull: %d pages, %d created, %d already there, %d refused",
            report.pages,
            report.created,
            report.skipped,
            len(report.errors),
        )
    return report


# --- the watched folder ----------------------------------------------------------------------


def settled_files(folder: Path, settle_seconds: float = SETTLE_SECONDS) -> list[Path]:
    """The batch files in ``folder`` that nobody is writing any more, oldest name first."""
    if not folder.is_dir():
        return []
    quiet_since = time.time() - settle_seconds
    files = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in FORMATS_BY_SUFFIX:
            continue
        try:
            if not path.is_file() or path.stat().st_mtime > quiet_since:
                continue
        except FileNotFoundError:  # taken by another worker meanwhile
            continue
        files.append(path)
    return files


def scan_folder(
    factory: sessionmaker[Session],
    folder: Path,
    now: datetime,
    *,
    settle_seconds: float = SETTLE_SECONDS,
) -> list[dict[str, Any]]:
    """Import each settled file and move it to ``processed/`` or ``failed/``."""
    outcomes = []
    for path in settled_files(folder, settle_seconds):
        try:
            payload = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as error:
            reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else "unreadable"
            errors = [{"line": None, "registration_number": None, "error": reason}]
            outcomes.append(_file_done(path, folder / "failed", 0, 0, errors))
            continue
        report = import_batch(factory, payload, FORMATS_BY_SUFFIX[path.suffix.lower()], SOURCE, now)
        target = folder / ("failed" if report.errors else "processed")
        outcomes.append(
            _file_done(path, target, len(report.created), len(report.skipped), report.errors)
        )
    return outcomes


def _file_done(
    path: Path, target: Path, created: int, skipped: int, errors: list[dict[str, Any]]
) -> dict[str, Any]:
    target.mkdir(parents=True, exist_ok=True)
    destination = target / path.name
    n = 1
    while destination.exists():  # a file of the same name dropped again later
        destination = target / f"{path.stem}.{n}{path.suffix}"
        n += 1
    outcome = {
        "file": path.name,
        "moved_to": str(destination),
        "created": created,
        "skipped": skipped,
        "errors": errors,
    }
    if errors:
        beside = destination.with_name(destination.name + ".errors.json")
        beside.write_text(json.dumps(outcome, ensure_ascii=False, indent=2), encoding="utf-8")
    try:
        path.rename(destination)
    except FileNotFoundError:  # another worker moved it first; its rows are there once
        pass
    log.info(
        "cpgrams folder: %s -> %s (%d created, %d already there, %d refused)",
        path.name,
        target.name,
        created,
        skipped,
        len(errors),
    )
    return outcome


# --- what the worker and the command line run --------------------------------------------------


class CpgramsIntake:
    """The pull when due and the watched folder every few seconds, for the worker's loop."""

    def __init__(
        self,
        settings: Settings,
        factory: sessionmaker[Session],
        *,
        client: CpgramsClient | None = None,
        clock: Any = utcnow,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.clock = clock
        self.settle_seconds = settle_seconds
        token = settings.cpgrams_pull_token
        if client is None and settings.cpgrams_pull_url and token is not None:
            client = CpgramsClient(settings.cpgrams_pull_url, token.get_secret_value())
        self.client = client
        self.folder = settings.cpgrams_watch_dir
        self._next_check = 0.0
        self._next_scan = 0.0

    @classmethod
    def from_settings(
        cls, settings: Settings, factory: sessionmaker[Session]
    ) -> CpgramsIntake | None:
        """None when neither the pull nor the folder is configured (the default)."""
        if not settings.cpgrams_pull_url and settings.cpgrams_watch_dir is None:
            return None
        return cls(settings, factory)

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    async def run_due(self, *, force: bool = False) -> dict[str, Any]:
        """What is due now; never raises (the worker's loop goes on)."""
        done: dict[str, Any] = {}
        now = time.monotonic()
        try:
            if self.client is not None and (force or now >= self._next_check):
                report = await pull(
                    self.factory,
                    self.client,
                    interval_seconds=self.settings.cpgrams_pull_interval_seconds,
                    clock=self.clock,
                    force=force,
                )
                done["pull"] = report.as_dict()
                self._next_check = now + (0.0 if report.more else CHECK_SECONDS)
            if self.folder is not None and (force or now >= self._next_scan):
                done["folder"] = await asyncio.to_thread(
                    scan_folder,
                    self.factory,
                    self.folder,
                    self.clock(),
                    settle_seconds=self.settle_seconds,
                )
                self._next_scan = now + self.settle_seconds / 2
        except Exception:  # the database is down, the folder vanished: try again later
            log.exception("cpgrams intake failed")
        return done

    async def run_forever(self, poll_seconds: float) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        while not stop.is_set():
            await self.run_due()
            try:
                await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass
