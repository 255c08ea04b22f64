"""Memory of the app's own processes after warm-up: backend API, worker, gateway.

Each process is started as the Procfile starts it (``.venv/bin/python -m backend serve``,
``-m backend worker``, ``-m bot serve``), on a fresh SQLite database, with a fake Telegram Bot
API (tests/support/fake_telegram.py) so that the worker and the gateway run their Telegram
paths, and a stand-in for Rasa's REST channel (the gateway's upstream; Rasa and the action
server are not measured here, see bench/pipeline.py for all five).

Warm-up, as in a day of use:
- backend: ``/readyz`` (model, route classifier, scheme index), then every text of
  bench/data/routing_testset.yaml through ``POST /api/v1/route/preview``, every question of
  bench/data/schemes_devset.yaml through ``GET /api/v1/schemes/search``, and some filings;
- worker: delivers the filings' notifications to the fake Telegram and runs SLA sweeps (every
  2 s here instead of 60 s) during the ``--rest`` seconds before the reading;
- gateway: Telegram updates through its webhook and web chat messages, answered by the stand-in.

Then, after ``--rest`` seconds, per process (with its children): VmRSS, RssAnon, RssFile,
RssShmem from /proc/<pid>/status, and Pss from smaps_rollup. With ``--restart-backend`` the
backend is stopped and started again on the same (now warm) scheme-embedding cache and
measured again:
the first start encodes the scheme passages (cold cache), a restart reads them from disk.

    flock /tmp/bench.lock .venv/bin/python -m bench.memory [--restart-backend]
        [--env MALLOC_ARENA_MAX=2 ...] [--json out.json]

``--env NAME=VALUE`` is added to the three processes' environment (to compare settings).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.support.fake_telegram import FakeTelegram, telegram_text_update
from tests.support.processes import (
    APP_PYTHON,
    ROOT,
    Service,
    free_port,
    migrate,
)
from tests.support.rasa_stand_in import RasaStandIn

TOKEN = "bench-memory-service-token"
GATEWAY_BOT_TOKEN = "111111:BENCH-memory-gateway"
WORKER_BOT_TOKEN = "222222:BENCH-memory-worker"
SECRET = "bench-memory-webhook-secret"
FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem")


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        stack.extend(int(child) for child in children)
    return found


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS, RssAnon, RssFile, RssShmem and Pss in MB, summed over ``pid`` and its children."""
    totals = dict.fromkeys((*FIELDS, "Pss"), 0)
    for current in _descendants(pid):
        try:
            status = Path(f"/proc/{current}/status").read_text()
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in (*status.splitlines(), *rollup.splitlines()):
            name, _, rest = line.partition(":")
            if name in totals and rest.strip().endswith("kB"):
                totals[name] += int(rest.split()[0])
    return {name: round(kb / 1024, 1) for name, kb in totals.items()}


def _routing_texts() -> list[dict[str, Any]]:
    data = yaml.safe_load((ROOT / "bench" / "data" / "routing_testset.yaml").read_text("utf-8"))
    return list(data["items"])


def _scheme_questions() -> list[str]:
    data = yaml.safe_load((ROOT / "bench" / "data" / "schemes_devset.yaml").read_text("utf-8"))
    return [item["q"] for key in ("in_scope", "out_of_scope") for item in data.get(key, [])]


def _filing(number: int) -> dict[str, Any]:
    return {
        "idempotency_key": f"bench-memory-{number:06d}",
        "channel": "telegram",
        "channel_user_id": str(7_000_000 + number),
        "name": "Meena Kumari",
        "mobile": "+91 98765 43210",
        "enterprise_name": "Meena Textiles",
        "state": "Maharashtra",
        "district": "Pune",
        "category": "delayed_payment",
        "description": f"A buyer in Mumbai has not paid invoice {100 + number} for 90 days.",
        "language": "en",
    }


def wait_ready(url: str, timeout: float = 600.0) -> float:
    started = time.monotonic()
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{url} not ready after {timeout}s")
        time.sleep(0.5)


def warm_backend(url: str, filings: range) -> dict[str, float]:
    """Route previews, scheme searches and filings; returns mean wall time per call (ms)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    timings: dict[str, float] = {}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        items = _routing_texts()
        started = time.perf_counter()
        for item in items:
            body = {"description": item["text"], "state": item["state"]}
            client.post("/api/v1/route/preview", json=body).raise_for_status()
        timings["route_preview_ms"] = (time.perf_counter() - started) * 1000 / len(items)
        questions = _scheme_questions()
        started = time.perf_counter()
        for question in questions:
            client.get("/api/v1/schemes/search", params={"q": question}).raise_for_status()
        timings["scheme_search_ms"] = (time.perf_counter() - started) * 1000 / len(questions)
        for number in filings:
            client.post("/api/v1/tickets", json=_filing(number)).raise_for_status()
    return timings


def warm_gateway(url: str, telegram: FakeTelegram, chats: int, turns: int) -> None:
    updates = itertools.count(1)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    with httpx.Client(base_url=url, timeout=60) as client:
        for turn, chat in itertools.product(range(turns), range(chats)):
            chat_id, update_id = 9_000_000 + chat, next(updates)
            update = telegram_text_update(chat_id, f"hello {turn}", update_id=update_id)
            client.post("/telegram/webhook", json=update, headers=headers).raise_for_status()
            web = {"sender": f"bench-memory-web-{chat}", "text": f"hi {turn}"}
            client.post("/webchat/messages", json=web).raise_for_status()
    expected = chats * turns
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = [c for c in telegram.sent() if int(c["chat_id"]) >= 9_000_000]
        if len(replies) >= expected:
            return
        time.sleep(0.2)
    raise RuntimeError("the gateway did not answer every Telegram update")


def wait_notifications(telegram: FakeTelegram, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = [c for c in telegram.sent() if 7_000_000 <= int(c["chat_id"]) < 8_000_000]
        if len(sent) >= count:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the worker did not deliver {count} notifications")


def run(args: argparse.Namespace) -> dict[str, Any]:
    extra: Mapping[str, str] = dict(item.split("=", 1) for item in args.env)
    tmp = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    database_url = f"sqlite:///{tmp / 'app.db'}"
    migrate(database_url, tmp)
    telegram = FakeTelegram().start()
    rasa = RasaStandIn().start()
    backend_port, gateway_port = free_port(), free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    common = {
        "DATABASE_URL": database_url,
        "SERVICE_TOKEN": TOKEN,
        "CACHE_DIR": str(args.cache_dir or tmp / "cache"),
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_ENABLED": "false",
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "GATEWAY_URL": gateway_url,
        **extra,
    }
    python = str(APP_PYTHON)

    def backend() -> Service:
        command = [python, "-m", "backend", "serve", "--port", str(backend_port)]
        return Service("backend", command, common, tmp)

    services = {
        "backend": backend(),
        "worker": Service(
            "worker",
            [python, "-m", "backend", "worker"],
            {**common, "TELEGRAM_BOT_TOKEN": WORKER_BOT_TOKEN, "SLA_SWEEP_INTERVAL_SECONDS": "2"},
            tmp,
        ),
        "gateway": Service(
            "gateway",
            [python, "-m", "bot", "serve", "--port", str(gateway_port)],
            {
                **common,
                "TELEGRAM_BOT_TOKEN": GATEWAY_BOT_TOKEN,
                "PUBLIC_BASE_URL": gateway_url,
                "RASA_URL": rasa.url,
                "BACKEND_URL": backend_url,
            },
            tmp,
        ),
    }
    result: dict[str, Any] = {
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "load_before": os.getloadavg(),
        "env": dict(extra),
    }
    try:
        for service in services.values():
            service.start()
        services["gateway"].wait(f"{gateway_url}/healthz", 120)
        result["backend_ready_s"] = round(wait_ready(backend_url), 1)
        result["backend_calls"] = warm_backend(backend_url, range(args.filings))
        warm_gateway(gateway_url, telegram, args.chats, args.turns)
        wait_notifications(telegram, args.filings)
        time.sleep(args.rest)  # a few SLA sweeps and idle polls; the backend trims its heap
        result["rss_mb"] = {
            name: memory_mb(service.process.pid)  # type: ignore[union-attr]
            for name, service in services.items()
        }
        if args.restart_backend:
            services["backend"].stop()
            services["backend"] = backend().start()
            result["backend_restart_ready_s"] = round(wait_ready(backend_url), 1)
            more = range(args.filings, 2 * args.filings)
            result["backend_restart_calls"] = warm_backend(backend_url, more)
            time.sleep(args.rest)
            pid = services["backend"].process.pid  # type: ignore[union-attr]
            result["backend_restart_rss_mb"] = memory_mb(pid)
    finally:
        for service in reversed(services.values()):
            service.stop()
        rasa.stop()
        telegram.stop()
    result["load_after"] = os.getloadavg()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: a fresh one")
    parser.add_argument("--restart-backend", action="store_true")
    parser.add_argument("--filings", type=int, default=20)
    parser.add_argument("--chats", type=int, default=10)
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument(
        "--rest",
        type=float,
        default=12.0,
        help="seconds between the last warm-up call and the reading (the backend gives freed "
        "heap back within 10 s of its last encode: backend/embeddings.py)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    args = parser.parse_args()
    result = run(args)
    print(f"{result['started_utc']} UTC, load {result['load_before']} -> {result['load_after']}")
    print(f"env: {result['env'] or '(none added)'}")
    print(f"backend ready after {result['backend_ready_s']} s; calls {result['backend_calls']}")
    rows = dict(result["rss_mb"])
    if "backend_restart_rss_mb" in result:
        rows["backend (restart)"] = result["backend_restart_rss_mb"]
        print(
            f"restart ready after {result['backend_restart_ready_s']} s; "
            f"calls {result['backend_restart_calls']}"
        )
    print(f"{'process':<18}" + "".join(f"{name:>10}" for name in (*FIELDS, "Pss")) + "  (MB)")
    for name, figures in rows.items():
        print(f"{name:<18}" + "".join(f"{figures[f]:>10.1f}" for f in (*FIELDS, "Pss")))
    total = sum(result["rss_mb"][name]["VmRSS"] for name in ("backend", "worker", "gateway"))
    print(f"{'total VmRSS':<18}{total:>10.1f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
