"""Latency of one route preview: route() with the classifier, one encode of the text on CPU.

By default this times the pure call behind POST /api/v1/route/preview (no HTTP, no database),
over the labelled test set (many long, multi-paragraph texts), in several passes after a
warm-up. ``--http`` times the endpoint itself on a real ``python -m backend serve`` (temporary
SQLite database, loopback): one pass of distinct texts, every one a miss of the service's
prediction cache, then the same texts again (hits: a filing after its preview).

    .venv/bin/python -m bench.route_preview [--passes 5] [--precision float32]
    .venv/bin/python -m bench.route_preview --http

The route classifier's encoder is int8 (``backend.embeddings.get_route_encoder``);
``--precision float32`` measures the float model for comparison. Both run on one onnxruntime
thread, as shipped.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from backend.embeddings import ROUTE_PRECISION, get_encoder
from bench.routing_accuracy import load_testset
from routing.classifier import Classifier
from routing.rules import route


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--precision", choices=("int8", "float32"), default=ROUTE_PRECISION)
    parser.add_argument("--http", action="store_true", help="time the endpoint of a real server")
    args = parser.parse_args()
    if args.http:
        over_http()
        return

    encoder = get_encoder(args.precision)
    classifier = Classifier.from_data(encoder.encode)
    items = load_testset()
    for item in items[:10]:  # warm-up: first calls load the classifier's caches
        route(None, item["state"], item["text"], classifier)

    timings: list[float] = []
    cpu_started = time.process_time()
    for _ in range(args.passes):
        for item in items:
            started = time.perf_counter()
            route(None, item["state"], item["text"], classifier)
            timings.append(time.perf_counter() - started)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / len(timings)
    ms = np.array(timings) * 1000
    chars = [len(item["text"]) for item in items]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f}; {len(items)} texts ({min(chars)}-{max(chars)} chars, "
        f"median {int(np.median(chars))}), {args.passes} passes, {len(ms)} calls; "
        f"encoder {encoder.model_id}"
    )
    print(
        f"route() with classifier: p50 {np.percentile(ms, 50):.1f} ms, "
        f"p95 {np.percentile(ms, 95):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
        f"max {ms.max():.1f} ms; CPU time per call {cpu_ms:.1f} ms (all threads)"
    )


def over_http() -> None:
    """POST /api/v1/route/preview on a real backend process, as the action server calls it."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    import httpx

    from tests.support.local_server import free_port, start_process, stop_process

    workdir = Path(tempfile.mkdtemp(prefix="bench-route-preview-"))
    port, token = free_port(), "bench-route-preview-token"
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
        "SERVICE_TOKEN": token,
        "CACHE_DIR": str(workdir / "cache"),
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run(
        [sys.executable, "-m", "backend", "migrate"],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    url = f"http://127.0.0.1:{port}"
    server = start_process(["python", "-m", "backend", "serve", "--port", str(port)], url, env)
    items = load_testset()
    try:
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            deadline = time.monotonic() + 300
            while client.get("/readyz").status_code != 200:  # model, classifier, scheme index
                if time.monotonic() > deadline:
                    raise RuntimeError("the backend did not get ready")
                time.sleep(0.5)
            warm = ["The buyer has not paid us", "Loan rejected by the bank", "Coir fibre"]
            for text in warm:  # warm-up; not in the test set
                client.post("/api/v1/route/preview", json={"description": text}).raise_for_status()
            rounds = {}
            for name in ("misses", "hits"):
                timings = []
                cpu_before = _cpu_seconds(server.pid)
                for item in items:
                    body = {"description": item["text"], "state": item["state"]}
                    started = time.perf_counter()
                    client.post("/api/v1/route/preview", json=body).raise_for_status()
                    timings.append((time.perf_counter() - started) * 1000)
                cpu_ms = (_cpu_seconds(server.pid) - cpu_before) * 1000 / len(items)
                rounds[name] = (np.array(timings), cpu_ms)
            rss_mb = _rss_mb(server.pid)
    finally:
        stop_process(server)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.2f}; POST /api/v1/route/preview on 127.0.0.1, "
        f"{len(items)} texts; server RSS {rss_mb:.0f} MB after the run"
    )
    for name, (ms, cpu_ms) in rounds.items():
        print(
            f"{name:<6} (prediction cache): p50 {np.percentile(ms, 50):.1f} ms, "
            f"p95 {np.percentile(ms, 95):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
            f"max {ms.max():.1f} ms; server CPU per call {cpu_ms:.1f} ms"
        )


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat", encoding="ascii").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
