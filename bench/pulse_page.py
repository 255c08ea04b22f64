"""The pulse page's latency with 1M public posts in PostgreSQL (issue 16: p95 <= 300 ms).

    .venv/bin/python bench/pulse_page.py --database test_page --items 1000000 --requests 60 --drop

Rows are generated in the database with set-based SQL (generate_series), not through the ORM:
two years of posts from twelve sources of every kind, about two thirds relevant, states and
categories skewed as in life (some unknown), half of them negative; then ``pulse_daily`` is
counted from the items in one statement, so it is consistent with them by construction (as
ingestion keeps it). Tickets come from ``bench/dashboard_load.py``'s generator (``--tickets``).
The backend is served by uvicorn on a free local port and driven over HTTP, one request at a
time, by a signed-in leadership officer, as ``bench/dashboard_load.py`` does; the embedding
model groups the emerging topics (``--no-topics`` leaves them out). The page keeps its figures
a minute per window and filter (as the analytics page does), so the script also times the
figures computed afresh, without HTTP, and each page's first (cold) request. ``--keep``
reuses the rows of an earlier run; ``--drop`` empties the pulse tables and tickets afterwards.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.api.app import create_app
from backend.auth import add_officer
from backend.clusters import EmergingIssues
from backend.dashboard.session import COOKIE, session_cookie
from backend.db import make_engine, make_session_factory, transaction
from backend.pulse_figures import pulse_figures, recent_posts
from bench.dashboard_load import SERVICE_TOKEN, ensure_database, generate, measure, report
from core.config import Settings
from routing.categories import CATEGORIES
from routing.states import STATES
from tests.support.local_server import LocalServer

GOAL_MS = 300.0
SOURCES = [
    ("Economic Times MSME", "rss", False),
    ("Business Standard SME", "rss", False),
    ("Hindu BusinessLine", "rss", False),
    ("Dainik Bhaskar Vyapar", "rss", False),
    ("SME Street blog", "rss", False),
    ("Udyam forum", "rss", False),
    ("X archive, MSME desk", "x", True),
    ("X archive, traders", "x", True),
    ("Facebook export", "facebook", True),
    ("Instagram export", "instagram", True),
    ("Chamber survey", "csv", False),
    ("Cluster WhatsApp digest", "jsonl", True),
]
# What posts say, so that recent posts form topics; each text is made unique by its number.
TOPICS = [
    "GST refund for textile exporters stuck for months in",
    "Power cuts stop small foundries for hours every day in",
    "Buyers delay payments to MSME suppliers beyond 45 days in",
    "Bank refuses collateral free loan to small unit in",
    "Steel and polymer prices hurt small manufacturers in",
    "Udyam registration portal errors frustrate traders in",
    "New cluster scheme brings hope to artisans in",
    "Government tenders favour large firms say MSMEs in",
    "Labour shortage after festival season slows units in",
    "Export orders rise for small engineering firms in",
]
# States and categories are skewed (power of a uniform draw): the first of each list most.
GENERATE_ITEMS = """
INSERT INTO pulse_items (
    source_id, url, text_hash, text, author, place, published_at, ingested_at, relevant,
    category, state, sentiment, emotion, language)
SELECT
    g.source_id,
    CASE WHEN g.source_id <= 6 THEN 'https://news.example/' || g.source_id || '/' || g.i END,
    md5('pulse-' || g.i),
    (CAST(:topics AS text[]))[1 + g.topic] || ' ' || COALESCE(g.state, 'India') || ' #' || g.i,
    '@writer' || (g.i % 20000),
    NULL,
    g.published,
    g.published + interval '10 minutes',
    g.relevant,
    CASE WHEN g.relevant AND random() > 0.08 THEN
        (CAST(:categories AS text[]))[1 + floor(power(random(), 1.6)
            * cardinality(CAST(:categories AS text[])))::int] END,
    g.state,
    CASE WHEN g.r < 0.5 THEN 'negative' WHEN g.r < 0.8 THEN 'neutral' ELSE 'positive' END,
    CASE WHEN g.r < 0.5 THEN 'anger' WHEN g.r < 0.8 THEN 'none' ELSE 'hope' END,
    CASE WHEN g.i % 5 = 0 THEN 'hi' WHEN g.i % 7 = 0 THEN 'hinglish' ELSE 'en' END
FROM (
    SELECT
        i,
        1 + (i * 7919) % :sources AS source_id,
        (i * 31) % cardinality(CAST(:topics AS text[])) AS topic,
        CAST(:now AS timestamptz) - random() * interval '730 days' AS published,
        random() < 0.65 AS relevant,
        random() AS r,
        CASE WHEN random() < 0.15 THEN NULL ELSE
            (CAST(:states AS text[]))[1 + floor(power(random(), 1.8)
                * cardinality(CAST(:states AS text[])))::int] END AS state
    FROM generate_series(CAST(1 AS bigint), :n) AS i
) AS g
"""
COUNT_DAILY = """
INSERT INTO pulse_daily (day, source_kind, category, state, sentiment, items)
SELECT (i.published_at AT TIME ZONE 'UTC')::date, s.kind, COALESCE(i.category, ''),
       COALESCE(i.state, ''), i.sentiment, count(*)
FROM pulse_items AS i JOIN pulse_sources AS s ON s.id = i.source_id
WHERE i.relevant
GROUP BY 1, 2, 3, 4, 5
"""
EMPTY = "TRUNCATE pulse_daily, pulse_items, pulse_sources RESTART IDENTITY CASCADE"


def generate_posts(url: str, items: int, now: datetime) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(EMPTY))
        for name, kind, hidden in SOURCES:
            connection.execute(
                text(
                    "INSERT INTO pulse_sources (name, kind, hide_handles, enabled, "
                    "interval_minutes, failures, last_pulled_at, created_at) "
                    "VALUES (:name, :kind, :hidden, true, 60, 0, :now, :now)"
                ),
                {"name": name, "kind": kind, "hidden": hidden, "now": now},
            )
        started = time.perf_counter()
        connection.execute(
            text(GENERATE_ITEMS),
            {
                "topics": TOPICS,
                "categories": list(CATEGORIES),
                "states": list(STATES),
                "sources": len(SOURCES),
                "now": now,
                "n": items,
            },
        )
        generated = time.perf_counter()
        connection.execute(text(COUNT_DAILY))
        print(
            f"generated {items} posts in {generated - started:.1f} s, "
            f"counted pulse_daily in {time.perf_counter() - generated:.1f} s"
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE pulse_items"))
        connection.execute(text("VACUUM ANALYZE pulse_daily"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="test_page")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse the rows of an earlier run")
    parser.add_argument("--drop", action="store_true", help="empty the tables afterwards")
    parser.add_argument("--no-topics", action="store_true", help="without the embedding model")
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    url = ensure_database(args.database)
    if not args.keep:
        generate(url, args.tickets, now)  # tickets (and the schema), as dashboard_load does
        generate_posts(url, args.items, now)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        boss, _ = add_officer(session, "bench director", "MINISTRY-LEADERSHIP", "leadership")
        cookie = session_cookie(SERVICE_TOKEN, boss, now)
    with factory() as session:
        counts = {
            name: session.scalar(text(f"SELECT count(*) FROM {name}"))
            for name in ("pulse_items", "pulse_daily", "tickets")
        }
        relevant = session.scalar(text("SELECT count(*) FROM pulse_items WHERE relevant"))
    print(f"{counts['pulse_items']} posts ({relevant} relevant), {counts['pulse_daily']} "
          f"pulse_daily rows, {counts['tickets']} tickets")  # fmt: skip

    # What the page's cache saves: the figures of posts computed afresh, without HTTP.
    for days in (90, 365):
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            with factory() as session:
                pulse_figures(session, now, days)
            timings.append((time.perf_counter() - started) * 1000)
        report(f"figures of posts computed, {days} days", timings)

    settings = Settings(
        database_url=url,
        service_token=SERVICE_TOKEN,
        load_embedding_model=False,  # no warm-up of triage and scheme search: only the page
        rate_limit_enabled=False,
    )
    app = create_app(settings)
    if not args.no_topics:
        from backend.embeddings import get_encoder

        app.state.pulse_topics = EmergingIssues(factory, get_encoder().encode, recent_posts)
    server = LocalServer(app).start()
    worst = 0.0
    try:
        with httpx.Client(base_url=server.url, cookies={COOKIE: cookie}, timeout=60) as client:
            pages = [
                ("/dashboard/pulse", "pulse page, 90 days (default)"),
                ("/dashboard/pulse?days=365", "pulse page, 365 days (weekly)"),
                ("/dashboard/pulse?days=90&state=Maharashtra", "pulse page, 90 days, one state"),
                (
                    "/dashboard/pulse?days=30&category=delayed_payment&shade=sentiment",
                    "pulse page, 30 days, one category",
                ),
                ("/dashboard/pulse/by_state.csv", "CSV of posts by state"),
            ]
            for path, name in pages:
                worst = max(worst, report(name, measure(client, path, args.requests)))
    finally:
        server.stop()
        engine.dispose()
    print(f"worst p95 {worst:.1f} ms (goal {GOAL_MS:.0f} ms)")
    if args.drop:
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text(EMPTY))
            connection.execute(
                text(
                    "TRUNCATE tickets, ticket_events, ticket_messages, notifications, officers "
                    "RESTART IDENTITY CASCADE"
                )
            )
        engine.dispose()
        print("dropped the generated rows")
    return 0 if worst <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
