"""Latency of one route preview: route() with the classifier, one encode of the text on CPU.

This is the pure call behind POST /api/v1/route/preview (no HTTP, no database). Texts are the
labelled test set (many long, multi-paragraph), in several passes after a warm-up.

    .venv/bin/python -m bench.route_preview [--passes 5] [--precision float32] [--torch-threads N]

The shipped encoder is int8 (backend/embeddings.py); ``--precision float32`` measures the float
model for comparison. ``--torch-threads`` overrides the one thread that get_encoder() sets.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from backend.embeddings import SHIPPED_PRECISION, get_encoder
from bench.routing_accuracy import load_testset
from routing.classifier import Classifier
from routing.rules import route


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument(
        "--torch-threads", type=int, help="torch intra-op threads (default: 1, as shipped)"
    )
    parser.add_argument("--precision", choices=("int8", "float32"), default=SHIPPED_PRECISION)
    args = parser.parse_args()

    encoder = get_encoder(args.precision)
    if args.torch_threads:  # after loading: get_encoder() sets one thread
        import torch

        torch.set_num_threads(args.torch_threads)
    classifier = Classifier.from_data(encoder.encode)
    items = load_testset()
    for item in items[:10]:  # warm-up: first calls allocate torch buffers
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
        f"encoder {encoder.model_id}, torch threads {torch_threads()}"
    )
    print(
        f"route() with classifier: p50 {np.percentile(ms, 50):.1f} ms, "
        f"p95 {np.percentile(ms, 95):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms, "
        f"max {ms.max():.1f} ms; CPU time per call {cpu_ms:.1f} ms (all threads)"
    )


def torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


if __name__ == "__main__":
    main()
