"""Pulse ingestion end to end: items per second from an export or a feed to read, kept and
counted rows (issue 16: >= 200 items/s on 2 cores).

Fits the pulse reader first (timed apart: once per process), then, on a fresh database:
1. imports a JSON Lines export of N generated posts (English, Hindi, Hinglish, emoji; a tenth
   repeated) through ``pulse_sources.import_export``: parse, dedupe, read, insert, count;
2. imports it again (everything already kept: the idempotent path);
3. pulls an RSS feed of M other posts from a local HTTP server (``pulse_feeds.pull_source``:
   fetch, feedparser, then the same store).

    .venv/bin/python -m bench.pulse_ingest --items 3000
    .venv/bin/python -m bench.pulse_ingest --items 3000 \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_pulse   # an empty database
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from backend.db import make_engine, make_session_factory, transaction
from backend.migrate import migrate
from backend.models import PulseDaily, PulseItem
from backend.pulse_feeds import pull_source
from backend.pulse_sources import add_source, find_source, import_export
from core.config import Settings
from pulse.reader import shipped_reader
from tests.support.feed_server import FeedServer, entries
from tests.support.pulse_posts import posts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=3000, help="posts in the export")
    parser.add_argument("--feed-items", type=int, default=1000, help="entries in the feed")
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    started = time.perf_counter()
    reader = shipped_reader()
    print(f"reader fitted in {time.perf_counter() - started:.1f} s (once per process)")

    texts = posts(args.items + args.feed_items, seed=2026)
    now = datetime.now(UTC)
    lines = [
        json.dumps({"text": text, "time": (now - timedelta(minutes=n)).isoformat()})
        for n, text in enumerate(texts[: args.items])
    ]
    lines += lines[::10]  # repeated within the file: skipped
    payload = "\n".join(lines) + "\n"

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'pulse.db'}"
        engine = make_engine(url)
        migrate(url, engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            add_source(session, "export", "jsonl")
            add_source(session, "news", "rss", url="http://127.0.0.1/rss")
        for label in ("import", "import again"):
            started = time.perf_counter()
            report = import_export(engine, "export", payload, now, reader=reader)
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {len(lines)} lines in {elapsed:.2f} s = {len(lines) / elapsed:.0f} "
                f"items/s (created {report.created}, skipped {report.skipped}, "
                f"errors {len(report.errors)})"
            )
        server = FeedServer(entries("bench", texts[args.items :], now), [])
        settings = Settings(database_url=url, pulse_feeds_allow_private=True)
        with server.running():
            with transaction(factory) as session:
                find_source(session, "news").url = server.url("/rss")
            with factory() as session:
                source = find_source(session, "news")
                session.expunge(source)
            started = time.perf_counter()
            outcome = pull_source(engine, source, settings, now=now, reader=reader)
            elapsed = time.perf_counter() - started
        print(
            f"feed pull: {args.feed_items} entries in {elapsed:.2f} s = "
            f"{args.feed_items / elapsed:.0f} items/s ({outcome.status}, created "
            f"{outcome.report.created})"
        )
        with engine.connect() as connection:
            kept = connection.scalar(select(func.count()).select_from(PulseItem))
            counted = connection.scalar(select(func.sum(PulseDaily.items)))
            relevant = connection.scalar(
                select(func.count()).select_from(PulseItem).where(PulseItem.relevant.is_(True))
            )
        print(f"kept {kept} items, {relevant} relevant; daily counts sum to {counted}")
        engine.dispose()


if __name__ == "__main__":
    main()
