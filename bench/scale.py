"""The scale-out topology as processes, under simulated users; counts that prove nothing is lost.

Topology (PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379, fresh databases each run):
backend API, two workers (SKIP LOCKED), the action server, two Rasa servers with the SQL tracker
store on PostgreSQL and the Redis lock store (``endpoints.scale.yml``), and the gateway with
``RASA_URL`` listing both Rasa servers (a stable server per sender, failover).

Each simulated user talks to the gateway's web chat as a fresh sender: files a grievance
(10 turns, from "hello" to the ticket number) and asks its status by number. A turn whose
message the gateway held (Rasa or backend down) waits until the gateway has answered it.
At the end: tickets created = users, no user with two tickets, every notification sent and
pushed to the web chat at most once per delivery key, every inbound message answered.

    .venv/bin/python -m bench.scale [--users 200] [--concurrency 25]

``bench/faults.py`` runs the same load while killing processes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.rasa_turns import OUR_CONVERSATION
from tests.support.processes import (
    APP_PYTHON,
    RASA_SERVER,
    ROOT,
    Service,
    action_server_command,
    action_server_env,
    free_port,
    migrate,
)

TOKEN = "bench-scale-service-token"
PG = "postgresql://postgres@127.0.0.1:5432"
APP_DB, RASA_DB = "bench_scale_app", "bench_scale_rasa"
TICKET = re.compile(r"\bMS-[A-Z0-9]{4,6}-?[A-Z0-9]\b")


def recreate_databases() -> None:
    engine = sa.create_engine(
        PG.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with engine.connect() as connection:
        for name in (APP_DB, RASA_DB):
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {APP_DB}"))
    engine.dispose()


class Topology:
    """Every process of the scale-out, started and restartable by name."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.database_url = f"{PG}/{APP_DB}"
        ports = {name: free_port() for name in ("backend", "actions", "rasa-1", "rasa-2", "gw")}
        self.ports = ports
        self.backend_url = f"http://127.0.0.1:{ports['backend']}"
        self.gateway_url = f"http://127.0.0.1:{ports['gw']}"
        rasa_urls = [f"http://127.0.0.1:{ports[n]}" for n in ("rasa-1", "rasa-2")]
        app_env = {
            "DATABASE_URL": self.database_url,
            "SERVICE_TOKEN": TOKEN,
            "BACKEND_URL": self.backend_url,
            "GATEWAY_URL": self.gateway_url,
            "RASA_URL": ",".join(rasa_urls),
            "REDIS_URL": "redis://127.0.0.1:6379/3",
            "LOAD_EMBEDDING_MODEL": "false",  # rules route the bench's category; spare the CPU
            "TELEGRAM_BOT_TOKEN": "",
            "TWILIO_ACCOUNT_SID": "",
            "WORKER_POLL_SECONDS": "0.2",
            "NOTIFICATION_BACKOFF_SECONDS": "1",
            "LOG_JSON": "true",
        }
        rasa_env = {
            **action_server_env(),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
            "RASA_TRACKER_DB_HOST": "127.0.0.1",
            "RASA_TRACKER_DB_PORT": "5432",
            "RASA_TRACKER_DB_NAME": RASA_DB,
            "RASA_TRACKER_DB_USER": "postgres",
            "RASA_TRACKER_DB_PASSWORD": "",
            "RASA_TRACKER_DB_LOGIN_DB": "postgres",
            "RASA_LOCK_REDIS_HOST": "127.0.0.1",
            "RASA_LOCK_REDIS_PORT": "6379",
            "RASA_LOCK_REDIS_DB": "2",
            "RASA_TELEMETRY_ENABLED": "false",
        }
        py = str(APP_PYTHON)
        self.services: dict[str, tuple[Service, str | None]] = {
            "backend": (
                Service(
                    "backend",
                    [py, "-m", "backend", "serve", "--port", str(ports["backend"])],
                    app_env,
                    log_dir,
                ),
                f"{self.backend_url}/readyz",
            ),
            "worker-1": (
                Service("worker-1", [py, "-m", "backend", "worker"], app_env, log_dir),
                None,
            ),
            "worker-2": (
                Service("worker-2", [py, "-m", "backend", "worker"], app_env, log_dir),
                None,
            ),
            "actions": (
                Service(
                    "actions",
                    action_server_command(ports["actions"]),
                    {
                        "BACKEND_URL": self.backend_url,
                        "SERVICE_TOKEN": TOKEN,
                        **action_server_env(),
                    },
                    log_dir,
                ),
                f"http://127.0.0.1:{ports['actions']}/health",
            ),
            "gateway": (
                Service(
                    "gateway",
                    [py, "-m", "bot", "serve", "--port", str(ports["gw"])],
                    app_env,
                    log_dir,
                ),
                f"{self.gateway_url}/healthz",
            ),
        }
        for name, url in zip(("rasa-1", "rasa-2"), rasa_urls, strict=True):
            command = [
                *RASA_SERVER, "run", "-i", "127.0.0.1", "--port", str(ports[name]),
                "-m", str(ROOT / "models" / "grievance.tar.gz"),
                "--endpoints", str(ROOT / "endpoints.scale.yml"),
                "--credentials", str(ROOT / "credentials.yml"),
            ]  # fmt: skip
            self.services[name] = (Service(name, command, rasa_env, log_dir), f"{url}/")

    def start(self, name: str, timeout: float = 180.0) -> None:
        service, url = self.services[name]
        service.start()
        if url:
            service.wait(url, timeout)

    def start_all(self) -> None:
        recreate_databases()
        migrate(self.database_url, self.log_dir)
        self.start("backend")
        # The Rasa servers load in parallel (about a minute each on 2 cores).
        for name in ("rasa-1", "rasa-2", "actions"):
            self.services[name][0].start()
        for name in ("actions", "rasa-1", "rasa-2"):
            service, url = self.services[name]
            assert url is not None
            service.wait(url, 300)
        self.start("worker-1")
        self.start("worker-2")
        self.start("gateway")

    def kill(self, name: str) -> None:
        self.services[name][0].kill()

    def stop_all(self) -> None:
        for service, _url in reversed(list(self.services.values())):
            service.stop()


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    held_turns: int = 0
    turns: int = 0
    numbers: dict[str, str] = field(default_factory=dict)  # sender -> ticket number
    status_answered: int = 0
    errors: list[str] = field(default_factory=list)


class Users:
    def __init__(self, topology: Topology, results: Results) -> None:
        self.topology = topology
        self.results = results
        self.engine = sa.create_engine(
            topology.database_url.replace("postgresql://", "postgresql+psycopg://"),
            pool_size=5,
        )

    def answered(self, dedup_key: str) -> bool:
        with self.engine.connect() as connection:
            status = connection.scalar(
                sa.text("SELECT status FROM gateway_inbound_messages WHERE dedup_key = :k"),
                {"k": dedup_key},
            )
        return status == "done"

    async def turn(self, client: httpx.AsyncClient, web_id: str, text: str) -> list[str]:
        message_id = uuid.uuid4().hex
        started = time.perf_counter()
        for attempt in range(60):  # the gateway itself may be restarting
            try:
                response = await client.post(
                    f"{self.topology.gateway_url}/webchat/messages",
                    json={"sender": f"web:{web_id}", "text": text, "message_id": message_id},
                    timeout=60,
                )
                if response.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(min(0.5 * (attempt + 1), 3))
        else:
            self.results.errors.append(f"{web_id}: gateway never accepted {text!r}")
            return []
        body = response.json()
        self.results.turns += 1
        texts = [m.get("text", "") for m in body.get("messages", [])]
        held = body.get("pending") or not texts or _is_held_text(texts)
        if not held:
            self.results.latencies.append(time.perf_counter() - started)
            return texts
        # Held (or slow): wait until the gateway has answered it, then read the pushed replies.
        self.results.held_turns += 1
        key = f"web:{web_id}:{message_id}"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if await asyncio.to_thread(self.answered, key):
                return await self.pushed(client, web_id)
            await asyncio.sleep(1.0)
        self.results.errors.append(f"{web_id}: {text!r} not answered in 240 s")
        return []

    async def pushed(self, client: httpx.AsyncClient, web_id: str) -> list[str]:
        response = await client.get(
            f"{self.topology.gateway_url}/webchat/updates",
            params={"sender": f"web:{web_id}", "after": 0},
            timeout=30,
        )
        return [m.get("text", "") for m in response.json().get("messages", [])]

    async def user(self, client: httpx.AsyncClient, index: int) -> None:
        web_id = f"bench{index:04d}{uuid.uuid4().hex[:8]}"
        seen: list[str] = []
        for text in OUR_CONVERSATION:
            seen += await self.turn(client, web_id, text)
        number = next((m.group(0) for t in seen for m in TICKET.finditer(t)), None)
        if number is None:
            seen += await self.pushed(client, web_id)
            number = next((m.group(0) for t in seen for m in TICKET.finditer(t)), None)
        if number is None:
            self.results.errors.append(f"{web_id}: no ticket number in the replies")
            return
        self.results.numbers[web_id] = number
        status = await self.turn(client, web_id, f"status {number}")
        if any(number in t for t in status):
            self.results.status_answered += 1


def _is_held_text(texts: list[str]) -> bool:
    from channels.texts import gateway_text

    held = {
        gateway_text(k, lang)
        for k in ("assistant_unavailable", "message_saved")
        for lang in ("en", "hi")
    }
    return all(t in held for t in texts)


async def drive(
    topology: Topology,
    users: int,
    concurrency: int,
    during: Callable[[], Awaitable[None]] | None = None,
) -> tuple[Results, float]:
    results = Results()
    driver = Users(topology, results)
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency * 2)

    async with httpx.AsyncClient(limits=limits) as client:

        async def one(index: int) -> None:
            async with gate:
                try:
                    await driver.user(client, index)
                except Exception as error:  # count it, keep the others going
                    results.errors.append(f"user {index}: {type(error).__name__}: {error}")

        started = time.perf_counter()
        load = asyncio.gather(*(one(i) for i in range(users)))
        if during is not None:
            await asyncio.gather(load, during())
        else:
            await load
        elapsed = time.perf_counter() - started
    driver.engine.dispose()
    return results, elapsed


def settle_and_count(topology: Topology, users: int, timeout: float = 300.0) -> dict[str, Any]:
    """Wait for the outbox and the gateway's inbox to drain, then count."""
    engine = sa.create_engine(
        topology.database_url.replace("postgresql://", "postgresql+psycopg://")
    )
    q = {
        "open_notifications": (
            "SELECT count(*) FROM notifications WHERE status IN ('pending', 'sending')"
        ),
        "open_inbound": "SELECT count(*) FROM gateway_inbound_messages WHERE status <> 'done'",
    }
    deadline = time.monotonic() + timeout
    waited = 0.0
    started = time.monotonic()
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            counts = {k: connection.scalar(sa.text(v)) for k, v in q.items()}
            connection.commit()
            if not any(counts.values()):
                break
            time.sleep(1.0)
        waited = time.monotonic() - started
        one = connection.scalar
        figures: dict[str, Any] = {
            "users": users,
            "tickets": one(sa.text("SELECT count(*) FROM tickets WHERE channel = 'web'")),
            "senders_with_a_ticket": one(
                sa.text("SELECT count(DISTINCT channel_user_id) FROM tickets WHERE channel = 'web'")
            ),
            "duplicate_tickets": one(
                sa.text(
                    "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM tickets "
                    "WHERE channel = 'web' GROUP BY channel_user_id) AS per_sender"
                )
            ),
            "notifications": one(sa.text("SELECT count(*) FROM notifications")),
            "notifications_sent": one(
                sa.text("SELECT count(*) FROM notifications WHERE status = 'sent'")
            ),
            "notifications_not_sent": one(
                sa.text("SELECT count(*) FROM notifications WHERE status <> 'sent'")
            ),
            "web_notifications": one(
                sa.text("SELECT count(*) FROM notifications WHERE channel = 'web'")
            ),
            "web_pushes_received": one(
                sa.text(
                    "SELECT count(*) FROM gateway_webchat_outbox o JOIN notifications n "
                    "ON n.delivery_key = o.delivery_key"
                )
            ),
            "max_pushes_per_delivery_key": one(
                sa.text(
                    "SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM "
                    "gateway_webchat_outbox WHERE delivery_key IS NOT NULL GROUP BY delivery_key) x"
                )
            ),
            "inbound_messages": one(sa.text("SELECT count(*) FROM gateway_inbound_messages")),
            "inbound_unanswered": one(
                sa.text("SELECT count(*) FROM gateway_inbound_messages WHERE status <> 'done'")
            ),
            "settle_seconds": round(waited, 1),
        }
    engine.dispose()
    return figures


def report(results: Results, elapsed: float, figures: dict[str, Any]) -> dict[str, Any]:
    ordered = sorted(results.latencies)

    def pick(fraction: float) -> float:
        return (
            round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 1)
            if ordered
            else 0.0
        )

    return {
        "seconds": round(elapsed, 1),
        "turns": results.turns,
        "turns_per_second": round(results.turns / elapsed, 1),
        "turn_p50_ms": pick(0.5),
        "turn_p95_ms": pick(0.95),
        "turn_mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0.0,
        "held_turns": results.held_turns,
        "numbers_seen_by_users": len(results.numbers),
        "status_answers_with_the_number": results.status_answered,
        "errors": results.errors[:10],
        "error_count": len(results.errors),
        **figures,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=25)
    args = parser.parse_args(argv)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    topology = Topology(log_dir)
    try:
        topology.start_all()
        results, elapsed = asyncio.run(drive(topology, args.users, args.concurrency))
        figures = settle_and_count(topology, args.users)
    finally:
        topology.stop_all()
    print(json.dumps(report(results, elapsed, figures), indent=2, default=int))
    print(f"logs: {log_dir}", flush=True)


if __name__ == "__main__":
    main()
