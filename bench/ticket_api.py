"""Ticket creation through the HTTP API against the raw insert rate of the same database.

Starts the real backend (uvicorn, one process) on a fresh database, files N grievances with C
concurrent clients over HTTP, then measures plain one-row-per-transaction inserts into the
same table on the same database in the same run.

    .venv/bin/python bench/ticket_api.py --tickets 3000 --concurrency 16
    .venv/bin/python bench/ticket_api.py --database-url postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.db import make_engine
from backend.models import Ticket
from routing import ticket_number
from tests.support.processes import backend_service, migrate, running

TOKEN = "bench-service-token"
CATEGORIES = [
    "delayed_payment",
    "finance_credit",
    "raw_material",
    "labour",
    "pmegp_khadi",
    "udyam_registration",
    "regulation_licensing",
    "coir",
]
STATES = ["Maharashtra", "Gujarat", "Tamil Nadu", "Uttar Pradesh", "Karnataka", "Bihar"]
TEXTS = [
    "Buyer {n} has not paid our invoice for {d} days after delivery of goods.",
    "Bank branch {n} is sitting on my loan application for {d} days without reason.",
    "Steel supply from NSIC depot {n} stopped {d} days ago, production halted.",
    "Factory inspector visit {n}: they are asking for money to clear the licence in {d} days.",
    "PMEGP margin money claim {n} pending with the bank for {d} days.",
    "Udyam certificate {n} shows the wrong activity since {d} days, portal does not let me edit.",
]


def body(i: int) -> dict[str, object]:
    rnd = random.Random(i)
    return {
        "idempotency_key": f"bench-{i:08d}-{rnd.random():.6f}",
        "channel": "web",
        "channel_user_id": f"user{i}",
        "name": "Bench User",
        "mobile": "+919876543210",
        "enterprise_name": "Bench Works",
        "state": rnd.choice(STATES),
        "district": "District",
        "category": rnd.choice(CATEGORIES),
        "description": rnd.choice(TEXTS).format(n=i, d=rnd.randint(10, 200)),
        "language": "en",
    }


async def drive(base: str, tickets: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = iter(range(tickets))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=30
    ) as client:
        for i in range(20):  # warm-up (classifier, connections)
            (await client.post("/api/v1/tickets", json=body(10_000_000 + i))).raise_for_status()

        async def user() -> None:
            for i in queue:
                started = time.perf_counter()
                response = await client.post("/api/v1/tickets", json=body(i))
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return tickets / elapsed, latencies


def raw_insert_rate(database_url: str, rows: int) -> float:
    engine = make_engine(database_url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    for i in range(rows):
        with engine.begin() as connection:
            connection.execute(
                insert(Ticket).values(
                    number=ticket_number.generate(),
                    channel="web",
                    channel_user_id=f"raw{i}",
                    name="Raw",
                    enterprise_name="Raw",
                    state="Bihar",
                    district="Patna",
                    category="labour",
                    description="raw insert for the benchmark baseline",
                    language="en",
                    department_code="DCMSME",
                    status="routed",
                    escalation_level=0,
                    ack_due_at=now + timedelta(days=3),
                    resolve_due_at=now + timedelta(days=7),
                    attachments=[],
                    created_at=now,
                    updated_at=now,
                    route_confidence=1.0,
                    route_reason="",
                )
            )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--server-workers", type=int, default=1, help="uvicorn processes of the backend"
    )
    parser.add_argument(
        "--no-classifier",
        action="store_true",
        help="rules-only routing (LOAD_EMBEDDING_MODEL=false)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        url = args.database_url or f"sqlite:///{log_dir / 'bench.db'}"
        migrate(url, log_dir)
        env = {
            "LOAD_EMBEDDING_MODEL": "false" if args.no_classifier else "true",
            "LOG_LEVEL": "WARNING",
        }
        service, base = backend_service(url, TOKEN, log_dir, **env)
        service.command += ["--workers", str(args.server_workers)]
        with running(service.start()):
            service.wait(f"{base}/healthz")
            rate, latencies = asyncio.run(drive(base, args.tickets, args.concurrency))
        raw = raw_insert_rate(url, max(1000, args.tickets // 2))
    q = statistics.quantiles(latencies, n=100)
    print(
        f"database: {'sqlite' if url.startswith('sqlite') else 'postgresql'}; "
        f"classifier: {not args.no_classifier}; server processes: {args.server_workers}"
    )
    print(
        f"API creation: {rate:.0f} tickets/s at concurrency {args.concurrency} "
        f"(p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms)"
    )
    print(f"raw single-row insert transactions: {raw:.0f}/s")
    print(f"API / raw: {rate / raw:.0%}")


if __name__ == "__main__":
    main()
