"""The assistant under conversation-shaped load, against the stock `rasa init` assistant.

Each simulated user is a fresh sender for a whole conversation (ours: a 10-turn filing, from
"hello" to the ticket number and its status; the stock bot: 12 turns of its own intents), so
trackers stay conversation-sized. Measured in one run, same machine, same load shape:

- training time of our model from a cold cache, and of the stock assistant (`rasa init`);
- single user: per-turn p50/p95 and turns/s;
- 20 concurrent users: turns/s and p50/p95;
- RSS of the Rasa server + action server after warm-up;
- optionally (``--with-ted``) our assistant with TEDPolicy and UnexpecTEDIntentPolicy added, to
  price those policies per turn.

Our assistant runs as shipped: real backend (SQLite in a temp dir), real action server, the
server started through rasa_runtime/speedups.py with the memory-first SQLite tracker store of
endpoints.yml. The stock assistant runs as `rasa init` ships it (plain `rasa run`, in-memory
store).

    .venv/bin/python -m bench.rasa_turns [--conversations 15] [--users 20] [--seconds 40]
        [--with-ted] [--skip-train]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

from rasa_runtime.contract import SECRET_HEADER, WEBHOOK_PATH
from tests.support.processes import (
    RASA,
    RASA_SERVER,
    RASA_SHARED_SECRET,
    ROOT,
    Service,
    action_server_command,
    action_server_env,
    backend_service,
    free_port,
    migrate,
    rasa_ready_url,
    write_endpoints,
)

TOKEN = "bench-service-token"
# Every turn as the gateway sends it (stock Rasa's REST channel ignores the header).
GATEWAY_HEADERS = {SECRET_HEADER: RASA_SHARED_SECRET}

OUR_CONVERSATION = [
    "hello",
    "I want to file a complaint",
    "Ramesh Kumar",
    "+91 98765 43210",
    "Shree Ganesh Textiles",  # asked with the Udyam number (optional)
    "Pune, maharastra",  # the district, and the state it names
    "A central PSU has not paid our invoices worth 4 lakh since March",
    "/affirm",  # Submit at the summary, which shows the category proposed from the story
    "my complaints",
    "thanks",
]
STOCK_CONVERSATION = [
    "hello",
    "I am feeling great",
    "bye",
    "hi there",
    "I am sad",
    "yes",
    "are you a bot?",
    "hey",
    "very bad",
    "no",
    "good morning",
    "goodbye",
]


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    turns: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)

        def pick(fraction: float) -> float:
            return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000

        return {
            "turns": self.turns,
            "turns_per_s": round(self.turns / self.seconds, 1),
            "p50_ms": round(pick(0.50), 1),
            "p95_ms": round(pick(0.95), 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
        }


async def converse(
    client: httpx.AsyncClient, url: str, sender: str, turns: list[str], load: Load
) -> None:
    for text in turns:
        started = time.perf_counter()
        response = await client.post(url, json={"sender": sender, "message": text})
        response.raise_for_status()
        load.latencies.append(time.perf_counter() - started)
        load.turns += 1


async def single_user(url: str, turns: list[str], conversations: int, tag: str) -> Load:
    load = Load()
    async with httpx.AsyncClient(headers=GATEWAY_HEADERS, timeout=60) as client:
        started = time.perf_counter()
        for index in range(conversations):
            await converse(client, url, f"web:{tag}-single-{index}", turns, load)
        load.seconds = time.perf_counter() - started
    return load


async def concurrent_users(url: str, turns: list[str], users: int, seconds: float, tag: str):
    load = Load()
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(headers=GATEWAY_HEADERS, timeout=120, limits=limits) as client:
        deadline = time.perf_counter() + seconds

        async def user(number: int) -> None:
            conversation = 0
            while time.perf_counter() < deadline:
                await converse(client, url, f"web:{tag}-u{number}-c{conversation}", turns, load)
                conversation += 1

        started = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(users)))
        load.seconds = time.perf_counter() - started
    return load


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("VmRSS:")))  # fmt: skip
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
        stack.extend(int(child) for child in children)
    return round(total / 1024, 1)


def timed(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> float:
    started = time.perf_counter()
    with log.open("ab") as handle:
        subprocess.run(command, cwd=cwd, env={**os.environ, **env}, check=True,
                       stdout=handle, stderr=subprocess.STDOUT)  # fmt: skip
    return round(time.perf_counter() - started, 1)


def train_ours(tmp: Path, config: Path, name: str) -> tuple[Path, float]:
    """A cold-cache training of our assistant (the cache dir is fresh)."""
    cache = tmp / f"cache-{name}"
    seconds = timed(
        [str(RASA), "train", "--data", "nlu", "--config", str(config), "--domain", "domain.yml",
         "--out", str(tmp), "--fixed-model-name", name],
        ROOT, {"RASA_CACHE_DIRECTORY": str(cache)}, tmp / f"train-{name}.log",
    )  # fmt: skip
    return tmp / f"{name}.tar.gz", seconds


def ted_config(tmp: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["policies"] += [
        {"name": "TEDPolicy", "max_history": 5, "epochs": 50, "constrain_similarities": True},
        {"name": "UnexpecTEDIntentPolicy", "max_history": 5, "epochs": 50},
    ]
    path = tmp / "config-ted.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def measure(name: str, url: str, turns: list[str], pids: list[int], args) -> dict[str, object]:
    asyncio.run(single_user(url, turns, 2, f"{name}-warm"))  # warm-up: graph, JIT, pools
    single = asyncio.run(single_user(url, turns, args.conversations, name))
    memory = round(sum(rss_mb(pid) for pid in pids), 1)
    concurrent = asyncio.run(concurrent_users(url, turns, args.users, args.seconds, name))
    result = {"single_user": single.summary(), f"{args.users}_concurrent": concurrent.summary(),
              "rss_mb_after_warmup": memory}  # fmt: skip
    print(name, json.dumps(result), flush=True)
    return result


def run_ours(tmp: Path, model: Path, backend_url: str, name: str, args) -> dict[str, object]:
    actions_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(
        tmp / f"endpoints-{name}.yml", actions_port, tmp / f"tracker-{name}.db"
    )
    actions = Service(f"actions-{name}", action_server_command(actions_port),
                      {"BACKEND_URL": backend_url, "SERVICE_TOKEN": TOKEN, **action_server_env()},
                      tmp)  # fmt: skip
    rasa = Service(f"rasa-{name}", [*RASA_SERVER, "run", "-i", "127.0.0.1",
                   "-m", str(model), "--port", str(rasa_port), "--endpoints", str(endpoints),
                   "--credentials", str(ROOT / "credentials.yml")], {}, tmp)  # fmt: skip
    try:
        actions.start().wait(f"http://127.0.0.1:{actions_port}/health", 180)
        rasa.start().wait(rasa_ready_url(rasa_port), 300)
        assert actions.process is not None and rasa.process is not None
        return measure(name, f"http://127.0.0.1:{rasa_port}{WEBHOOK_PATH}", OUR_CONVERSATION,
                       [rasa.process.pid, actions.process.pid], args)  # fmt: skip
    finally:
        rasa.stop()
        actions.stop()


def run_stock(tmp: Path, args) -> dict[str, object]:
    project = tmp / "stock"
    project.mkdir()  # `rasa init --init-dir` wants it to exist
    seconds = timed(
        [str(RASA), "init", "--no-prompt", "--init-dir", str(project)],
        tmp,
        {"RASA_CACHE_DIRECTORY": str(tmp / "cache-stock")},
        tmp / "stock-init.log",
    )
    model = next((project / "models").glob("*.tar.gz"))
    port = free_port()
    rasa = Service("rasa-stock", [str(RASA), "run", "--enable-api", "-i", "127.0.0.1", "-m",
                   str(model), "--port", str(port)], {}, tmp, cwd=project)  # fmt: skip
    try:
        rasa.start().wait(f"http://127.0.0.1:{port}/status", 300)
        assert rasa.process is not None
        webhook = f"http://127.0.0.1:{port}/webhooks/rest/webhook"  # stock: Rasa's REST channel
        result = measure("stock", webhook, STOCK_CONVERSATION, [rasa.process.pid], args)
    finally:
        rasa.stop()
    return {"init_and_train_s": seconds, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=15, help="single-user conversations")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=40, help="duration of the concurrent run")
    parser.add_argument("--with-ted", action="store_true", help="also price TED policies")
    parser.add_argument("--skip-train", action="store_true", help="use models/grievance.tar.gz")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rasa-bench-") as name:
        tmp = Path(name)
        print(f"load before: {os.getloadavg()}", flush=True)
        report: dict[str, object] = {}
        if args.skip_train:
            model = ROOT / "models" / "grievance.tar.gz"
        else:
            model, seconds = train_ours(tmp, ROOT / "config.yml", "grievance")
            report["our_training_s"] = seconds
            print(f"our training (cold cache): {seconds} s", flush=True)

        database_url = f"sqlite:///{tmp / 'app.db'}"
        migrate(database_url, tmp)
        backend, backend_url = backend_service(database_url, TOKEN, tmp)
        backend.start().wait(f"{backend_url}/healthz", 120)
        try:
            report["ours"] = run_ours(tmp, model, backend_url, "ours", args)
            if args.with_ted:
                ted_model, ted_seconds = train_ours(tmp, ted_config(tmp), "grievance-ted")
                report["ours_with_ted"] = {
                    "training_s": ted_seconds,
                    **run_ours(tmp, ted_model, backend_url, "ours-ted", args),
                }
        finally:
            backend.stop()
        report["stock"] = run_stock(tmp, args)
        report["load_after"] = os.getloadavg()
        print(json.dumps(report, indent=2))
        if os.environ.get("KEEP_BENCH_LOGS"):
            shutil.copytree(tmp, os.environ["KEEP_BENCH_LOGS"], dirs_exist_ok=True)


if __name__ == "__main__":
    main()
