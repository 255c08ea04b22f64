"""Dashboard and stats latency with 1M tickets in PostgreSQL.

    createdb -h 127.0.0.1 -U postgres bench_dashboard   # once; the script creates it if missing
    .venv/bin/python bench/dashboard_load.py --tickets 1000000 --requests 60

Rows are generated in the database with set-based SQL (generate_series), not through the ORM:
two years of grievances over every department, state and category, most of the old ones
concluded and a realistic open backlog. The backend is served by uvicorn on a free local port
and driven over HTTP, one request at a time, as an officer and as leadership would; the script
prints p50/p95/max per page. ``--keep`` reuses the rows of an earlier run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.api.app import create_app
from backend.auth import add_officer
from backend.dashboard.session import COOKIE, session_cookie
from backend.db import make_engine, make_session_factory, transaction
from backend.migrate import migrate
from core.config import Settings
from routing.categories import CATEGORIES
from routing.states import STATES
from tests.support.local_server import LocalServer

SERVER = "postgresql://postgres@127.0.0.1:5432"
SERVICE_TOKEN = "bench-service-token"

# One statement: every ticket from one row of generate_series, spread over every department;
# one busy unit (MSEFC Maharashtra, the officer measured) gets a tenth of all tickets.
GENERATE = """
INSERT INTO tickets (
    number, channel, channel_user_id, name, enterprise_name, state, district, category,
    description, language, department_code, status, escalation_level, ack_due_at,
    resolve_due_at, acknowledged_at, resolved_at, created_at, updated_at, route_confidence,
    route_reason, attachments)
SELECT
    'B-' || g.i,
    'telegram', (g.i % 400000)::text, 'Bench', 'Bench Enterprise ' || (g.i % 5000),
    (CAST(:states AS text[]))[1 + (g.i * 7) % cardinality(CAST(:states AS text[]))],
    'District',
    (CAST(:categories AS text[]))[1 + (g.i * 13) % cardinality(CAST(:categories AS text[]))],
    'Generated grievance ' || g.i, 'en',
    CASE WHEN g.i % 10 = 0 THEN 'MSEFC-MH'
         ELSE (CAST(:departments AS text[]))[
             1 + (g.i * 31) % cardinality(CAST(:departments AS text[]))] END,
    s.status,
    CASE WHEN s.status = 'routed' AND g.created < CAST(:now AS timestamptz) - interval '3 days'
         THEN 2
         WHEN s.late THEN 3 ELSE 0 END,
    g.created + interval '3 days', g.created + interval '7 days',
    CASE WHEN s.status <> 'routed' THEN g.created + (random() * interval '5 days') END,
    CASE WHEN s.status IN ('resolved', 'closed')
         THEN g.created + (CASE WHEN s.late THEN interval '9 days' ELSE interval '2 days' END)
              + random() * interval '4 days' END,
    g.created, g.created + interval '2 days', 1.0, 'bench', '[]'
FROM (
    SELECT i, CAST(:now AS timestamptz) - (random() * interval '730 days') AS created
    FROM generate_series(1, :n) AS i
) AS g
CROSS JOIN LATERAL (
    SELECT
        CASE
            WHEN g.created > CAST(:now AS timestamptz) - interval '30 days' THEN
                (ARRAY['routed','acknowledged','in_progress','awaiting_info','resolved',
                       'closed'])[1 + floor(random() * 6)::int]
            WHEN random() < 0.03 THEN
                (ARRAY['routed','in_progress','awaiting_info'])[1 + floor(random() * 3)::int]
            WHEN random() < 0.06 THEN 'rejected'
            ELSE (ARRAY['resolved','closed'])[1 + floor(random() * 2)::int]
        END AS status,
        random() < 0.2 AS late
) AS s
"""


def ensure_database(name: str) -> str:
    admin = create_engine(
        SERVER.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{SERVER}/{name}"


def generate(url: str, tickets: int, now: datetime) -> None:
    engine = make_engine(url)
    migrate(url, engine)
    with engine.begin() as connection:
        departments = [r[0] for r in connection.execute(text("SELECT code FROM departments"))]
        connection.execute(
            text(
                "TRUNCATE tickets, ticket_events, ticket_messages, notifications, "
                "officers RESTART IDENTITY CASCADE"
            )
        )
        started = time.perf_counter()
        connection.execute(
            text(GENERATE),
            {
                "states": list(STATES),
                "categories": list(CATEGORIES),
                "departments": departments,
                "now": now,
                "n": tickets,
            },
        )
        print(f"generated {tickets} tickets in {time.perf_counter() - started:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE tickets"))
    engine.dispose()


def measure(client: httpx.Client, path: str, requests: int, **kwargs: object) -> list[float]:
    started = time.perf_counter()
    client.get(path, **kwargs)  # type: ignore[arg-type]  # warm: plans, pools, caches
    print(f"  first request (cold) {path}: {(time.perf_counter() - started) * 1000:.0f} ms")
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path, **kwargs)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return timings


def report(name: str, timings: list[float]) -> float:
    ordered = sorted(timings)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{name:<48} p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   "
        f"max {ordered[-1]:7.1f} ms"
    )
    return p95


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="bench_dashboard")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="reuse the rows of an earlier run")
    args = parser.parse_args()

    now = datetime.now(UTC).replace(microsecond=0)
    url = ensure_database(args.database)
    if not args.keep:
        generate(url, args.tickets, now)
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        officer, _ = add_officer(session, "bench officer", "MSEFC-MH", "officer")
        boss, _ = add_officer(session, "bench director", "MINISTRY-LEADERSHIP", "leadership")
        cookies = {
            "officer": session_cookie(SERVICE_TOKEN, officer, now),
            "leadership": session_cookie(SERVICE_TOKEN, boss, now),
        }
    with factory() as session:
        total = session.scalar(text("SELECT count(*) FROM tickets"))
        mine = session.scalar(
            text("SELECT count(*) FROM tickets WHERE department_code = 'MSEFC-MH'")
        )
    print(f"{total} tickets; {mine} in MSEFC-MH")

    settings = Settings(
        database_url=url,
        service_token=SERVICE_TOKEN,
        load_embedding_model=False,
        rate_limit_enabled=False,
    )
    server = LocalServer(create_app(settings)).start()
    worst = 0.0
    try:
        for role in ("officer", "leadership"):
            with httpx.Client(
                base_url=server.url, cookies={COOKIE: cookies[role]}, timeout=60
            ) as client:
                pages = [
                    ("/dashboard/", "queue page"),
                    ("/dashboard/?state=Maharashtra&overdue=1", "queue, state + overdue"),
                    ("/dashboard/?status=routed&category=delayed_payment", "queue, status + cat."),
                    ("/dashboard/leadership", "escalated and overdue"),
                ]
                for path, name in pages:
                    worst = max(
                        worst, report(f"{role}: {name}", measure(client, path, args.requests))
                    )
            token_client = httpx.Client(base_url=server.url, timeout=60)
            with token_client:
                # The stats endpoint with a bearer token (same scope rules as the cookie).
                with factory() as session, session.begin():
                    _, token = add_officer(
                        session,
                        f"bench {role} api",
                        "MSEFC-MH" if role == "officer" else "MINISTRY-LEADERSHIP",
                        role,
                    )
                headers = {"Authorization": f"Bearer {token}"}
                worst = max(
                    worst,
                    report(
                        f"{role}: GET /admin/v1/stats",
                        measure(token_client, "/admin/v1/stats", args.requests, headers=headers),
                    ),
                )
    finally:
        server.stop()
    print(f"worst p95 {worst:.1f} ms (target 200 ms)")
    return 0 if worst <= 200 else 1


if __name__ == "__main__":
    sys.exit(main())
