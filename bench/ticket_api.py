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
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.auth import add_officer
from backend.db import make_engine, make_session_factory, transaction
from backend.filing_sql import filing_sql
from backend.models import Notification, Ticket, TicketEvent
from routing import ticket_number
from routing.rules import route
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


class RawConnection:
    """A keep-alive HTTP/1.1 connection that writes requests and parses responses by hand.

    httpx spends about 2 ms of CPU per request, and client and server share the two cores, so
    with httpx the client is the ceiling (432 requests/s from ``GET /healthz``). This client
    does the least a client can: one prepared header block, Content-Length framing only.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, payload: bytes | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {TOKEN}\r\n"
        if payload is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (payload or b""))
        header = await self.reader.readuntil(b"\r\n\r\n")
        status = int(header[9:12])
        length = 0
        for line in header.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def drive_raw(
    base: str, tickets: int, concurrency: int, path: str = "/api/v1/tickets"
) -> tuple[float, list[float]]:
    """Like ``drive`` with ``RawConnection``s; ``path`` /healthz measures the ceiling."""
    host, port = base.removeprefix("http://").split(":")
    connections = [RawConnection(host, int(port)) for _ in range(concurrency)]
    latencies: list[float] = []
    queue = iter(range(tickets))

    async def one(connection: RawConnection, i: int) -> None:
        if path == "/healthz":
            status, payload = await connection.request("GET", path)
            expected = 200
        else:
            status, payload = await connection.request("POST", path, json.dumps(body(i)).encode())
            expected = 201
        if status != expected:
            raise RuntimeError(f"{path} answered {status}: {payload[:300]!r}")

    for i in range(20):  # warm-up (classifier, connections)
        await one(connections[i % concurrency], 10_000_000 + i)

    async def user(connection: RawConnection) -> None:
        for i in queue:
            started = time.perf_counter()
            await one(connection, i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(user(c) for c in connections))
    elapsed = time.perf_counter() - started
    for connection in connections:
        await connection.close()
    return tickets / elapsed, latencies


async def preview_all(base: str, tickets: int, concurrency: int) -> None:
    """Preview the route of every grievance first, as the assistant does before filing."""
    host, port = base.removeprefix("http://").split(":")
    queue = iter(range(tickets))

    async def user() -> None:
        connection = RawConnection(host, int(port))
        for i in queue:
            grievance = body(i)
            keys = ("description", "category", "state")
            preview = json.dumps({key: grievance[key] for key in keys}).encode()
            status, payload = await connection.request("POST", "/api/v1/route/preview", preview)
            if status != 200:
                raise RuntimeError(f"preview answered {status}: {payload[:300]!r}")
        await connection.close()

    await asyncio.gather(*(user() for _ in range(concurrency)))


async def drive_healthz(base: str, requests: int, concurrency: int) -> float:
    """The same httpx client against ``GET /healthz``: the ceiling of client + HTTP stack."""
    queue = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def user() -> None:
            for _ in queue:
                (await client.get("/healthz")).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(concurrency)))
        return requests / (time.perf_counter() - started)


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


def seed_officers(database_url: str, per_department: int) -> None:
    """Officers in every department the benchmark files into, so that filing does the real
    least-loaded choice and writes the officer's notification too."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    codes = {
        route(category, state, "").department_code for category in CATEGORIES for state in STATES
    }
    with transaction(factory) as session:
        for code in sorted(codes):
            for n in range(per_department):
                add_officer(session, f"Officer {n} of {code}", code, "officer")
    engine.dispose()


def filing_rows(i: int, now: datetime, officer: bool) -> tuple[dict[str, Any], ...]:
    """The rows one filing writes: the ticket, its two audit events, its notifications."""
    ticket: dict[str, Any] = {
        "number": ticket_number.generate(),
        "idempotency_key": f"raw-{i:08d}",
        "channel": "web",
        "channel_user_id": f"raw{i}",
        "name": "Raw",
        "enterprise_name": "Raw",
        "state": "Bihar",
        "district": "Patna",
        "category": "labour",
        "description": "raw insert for the benchmark baseline",
        "language": "en",
        "department_code": "DCMSME",
        "status": "routed",
        "escalation_level": 0,
        "ack_due_at": now + timedelta(days=3),
        "resolve_due_at": now + timedelta(days=7),
        "attachments": [],
        "created_at": now,
        "updated_at": now,
        "route_confidence": 1.0,
        "route_reason": "labour -> DCMSME",
    }
    event = {"at": now, "actor": "citizen", "action": "create", "to_status": "new", "note": ""}
    routed = {**event, "actor": "system:router", "action": "route", "from_status": "new"}
    routed["to_status"] = "routed"
    notes = [("citizen", "web", f"raw{i}")] + ([("officer", "officer", "1")] if officer else [])
    notifications = [
        {
            "delivery_key": f"{ticket['number']}:created:{i}:{recipient}",
            "recipient": recipient,
            "channel": channel,
            "channel_user_id": user,
            "language": "en",
            "kind": "created",
            "text": "Your grievance is registered.",
            "ticket_status": "routed",
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for recipient, channel, user in notes
    ]
    return ticket, {"from_status": None, **event}, routed, *notifications


def raw_insert_rate(database_url: str, rows: int, officer: bool) -> float:
    """Filings written straight through SQLAlchemy Core: one transaction per filing holding
    the same rows as an API filing (ticket, two events, one notification per recipient), on
    the same engine set-up (pragmas, BEGIN IMMEDIATE), without the reads, routing or HTTP."""
    engine = make_engine(database_url)
    tickets, events, notifications = (
        Ticket.__table__,
        TicketEvent.__table__,
        Notification.__table__,
    )
    now = datetime.now(UTC)
    started = time.perf_counter()
    for i in range(rows):
        ticket, *others = filing_rows(i, now, officer)
        with engine.begin() as connection:
            ticket_id = connection.execute(
                insert(tickets).returning(tickets.c.id), ticket
            ).scalar_one()
            connection.execute(insert(events), [{**e, "ticket_id": ticket_id} for e in others[:2]])
            connection.execute(
                insert(notifications), [{**n, "ticket_id": ticket_id} for n in others[2:]]
            )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return rows / elapsed


def raw_driver_rate(database_url: str, rows: int, officer: bool) -> float:
    """The same filings' rows written straight on the driver (sqlite3 / psycopg) with the
    statements the filing itself uses: one transaction per filing, no SQLAlchemy at all."""
    engine = make_engine(database_url)
    sql = filing_sql(engine.dialect.name)
    connection: Any = engine.raw_connection()
    cursor = connection.cursor()
    sqlite = engine.dialect.name == "sqlite"
    now = datetime.now(UTC)
    events = ("action", "from_status", "to_status", "note")
    started = time.perf_counter()
    for i in range(rows):
        ticket, create, route_event, *notifications = filing_rows(i + rows, now, officer)
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(
            sql.insert_ticket, {key: sql.value(ticket.get(key)) for key in sql.ticket_columns}
        )
        ticket_id = cursor.fetchone()[0]
        params = {"ticket_id": ticket_id, "at": sql.value(now)}
        params |= {"filer": create["actor"], "router": route_event["actor"]}
        for n, event in ((1, create), (2, route_event)):
            params |= {f"{key.split('_')[0]}{n}": event.get(key) for key in events}
        cursor.execute(sql.insert_events, params)
        cursor.fetchall()
        for note in notifications:
            note = {key: sql.value(value) for key, value in note.items()}
            cursor.execute(sql.insert_notification, {**note, "ticket_id": ticket_id})
        if sqlite:
            cursor.execute("COMMIT")
        else:
            connection.commit()
    elapsed = time.perf_counter() - started
    connection.close()
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
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: hand-written keep-alive HTTP/1.1 client (light); httpx: AsyncClient",
    )
    parser.add_argument("--officers", type=int, default=2, help="officers per department")
    parser.add_argument(
        "--preview-first",
        action="store_true",
        help="preview every grievance's route before the timed filing (the assistant's flow)",
    )
    parser.add_argument(
        "--env", action="append", default=[], help="NAME=value for the backend (repeatable)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp)
        url = args.database_url or f"sqlite:///{log_dir / 'bench.db'}"
        migrate(url, log_dir)
        if args.officers:
            seed_officers(url, args.officers)
        env = {
            "LOAD_EMBEDDING_MODEL": "false" if args.no_classifier else "true",
            "LOG_LEVEL": "WARNING",
            # The service token's limit (500/s) would answer 429 before the API's ceiling.
            "RATE_LIMIT_SERVICE_PER_SECOND": "100000",
            "RATE_LIMIT_SERVICE_BURST": "100000",
            **dict(item.split("=", 1) for item in args.env),
        }
        service, base = backend_service(url, TOKEN, log_dir, **env)
        service.command += ["--workers", str(args.server_workers)]
        with running(service.start()):
            service.wait(f"{base}/readyz", timeout=180)
            if args.preview_first:
                asyncio.run(preview_all(base, args.tickets, args.concurrency))
            if args.client == "raw":
                ceiling, _ = asyncio.run(drive_raw(base, 3000, args.concurrency, "/healthz"))
                rate, latencies = asyncio.run(drive_raw(base, args.tickets, args.concurrency))
            else:
                ceiling = asyncio.run(drive_healthz(base, 3000, args.concurrency))
                rate, latencies = asyncio.run(drive(base, args.tickets, args.concurrency))
        raw = raw_insert_rate(url, max(1000, args.tickets // 2), officer=args.officers > 0)
        driver = raw_driver_rate(url, max(1000, args.tickets // 2), officer=args.officers > 0)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"database: {'sqlite' if url.startswith('sqlite') else 'postgresql'}; "
        f"classifier: {not args.no_classifier}; server processes: {args.server_workers}; "
        f"client: {args.client}; officers per department: {args.officers}; "
        f"routes previewed first: {args.preview_first}"
    )
    print(f"GET /healthz with the same client: {ceiling:.0f}/s")
    print(
        f"API creation: {rate:.0f} tickets/s at concurrency {args.concurrency} "
        f"(p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms)"
    )
    print(f"raw filings (same rows, one transaction each, SQLAlchemy Core): {raw:.0f}/s")
    print(f"API / raw: {rate / raw:.0%}")
    print(f"raw filings on the driver itself (same rows, one transaction each): {driver:.0f}/s")
    print(f"API / driver raw: {rate / driver:.0%}")


if __name__ == "__main__":
    main()
