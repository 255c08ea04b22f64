"""One SLA sweep pass over many open tickets (the worker runs one every minute).

Seeds N open tickets created over the last 10 days, escalated as earlier passes would have
left them, then times one pass at "now" (which raises what crossed a deadline in the last
minutes) and a second pass at the same time (which must change nothing).

    .venv/bin/python bench/sla_sweep.py --tickets 1000000
    .venv/bin/python bench/sla_sweep.py --tickets 1000000 \
        --database-url postgresql://postgres@127.0.0.1:5432/bench_sla
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.db import make_engine, make_session_factory
from backend.escalation import sweep
from bench.seed import seed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'sweep.db'}"
        now = datetime.now(UTC)
        started = time.perf_counter()
        seed(url, args.tickets, now)
        print(f"seeded {args.tickets} open tickets in {time.perf_counter() - started:.0f} s")
        factory = make_session_factory(make_engine(url))
        for label in ("first pass", "second pass (same time)"):
            started = time.perf_counter()
            result = sweep(factory, now)
            elapsed = time.perf_counter() - started
            print(
                f"{label}: {elapsed:.3f} s; examined {result.examined}, "
                f"to head {result.escalated_to_head}, "
                f"to leadership {result.escalated_to_leadership}"
            )


if __name__ == "__main__":
    main()
