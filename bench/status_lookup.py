"""Status lookup latency over HTTP as the table grows from 10k to 1M tickets.

For each size: seed the database, start the real backend, ask the status of random existing
numbers (sequentially, one client, so the figure is the server's latency) and report p50/p95.

    .venv/bin/python bench/status_lookup.py --sizes 10000 1000000 --lookups 2000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seed import seed
from tests.support.processes import backend_service, running

TOKEN = "bench-service-token"


def measure(base: str, numbers: list[str], lookups: int) -> list[float]:
    rnd = random.Random(1)
    latencies = []
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for _ in range(100):  # warm-up
            client.get(f"/api/v1/tickets/{rnd.choice(numbers)}").raise_for_status()
        for _ in range(lookups):
            number = rnd.choice(numbers)
            started = time.perf_counter()
            response = client.get(
                f"/api/v1/tickets/{number}", params={"channel": "telegram", "channel_user_id": "1"}
            )
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'status.db'}"
            numbers = seed(url, size, datetime.now(UTC))
            service, base = backend_service(
                url, TOKEN, Path(tmp), LOAD_EMBEDDING_MODEL="false", LOG_LEVEL="WARNING"
            )
            with running(service.start()):
                service.wait(f"{base}/healthz")
                latencies = measure(base, numbers, args.lookups)
        q = statistics.quantiles(latencies, n=100)
        results[size] = q[94]
        print(f"{size:>9} tickets: p50 {q[49] * 1000:.2f} ms, p95 {q[94] * 1000:.2f} ms")
    smallest, largest = min(results), max(results)
    print(f"p95 ratio {largest} / {smallest}: {results[largest] / results[smallest]:.2f}x")


if __name__ == "__main__":
    main()
