"""Faults under load: the scale topology and its users (bench/scale.py), while one Rasa server,
one worker and the backend API are each killed with SIGKILL once and restarted.

Schedule (seconds after the load starts, adjustable): Rasa server 1 at --rasa-at, a worker at
--worker-at, the backend API at --backend-at; each is restarted --down seconds after its kill.
Checked at the end (after the outbox and the gateway's inbox drain): no ticket lost (tickets =
users, each user saw its number), no duplicate ticket, every notification sent, at most one
web chat push per delivery key, every inbound message answered.

    .venv/bin/python -m bench.faults [--users 200] [--concurrency 25]

A killed worker's claimed notifications are leased for 2 minutes (backend/outbox.py LEASE):
they are sent again only after the lease ends, so the drain can take that long.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scale import Topology, drive, report, settle_and_count


async def inject(
    topology: Topology, schedule: list[tuple[float, str]], down: float, log: list[dict[str, Any]]
) -> None:
    started = time.monotonic()
    for at, name in schedule:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
        topology.kill(name)
        killed = time.monotonic() - started
        await asyncio.sleep(down)
        restarted = time.monotonic()
        await asyncio.to_thread(topology.start, name, 300.0)
        log.append(
            {
                "process": name,
                "killed_at_s": round(killed, 1),
                "down_s": down,
                "ready_after_restart_s": round(time.monotonic() - restarted, 1),
            }
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=25)
    parser.add_argument("--rasa-at", type=float, default=20.0)
    parser.add_argument("--worker-at", type=float, default=80.0)
    parser.add_argument("--backend-at", type=float, default=120.0)
    parser.add_argument("--down", type=float, default=5.0)
    args = parser.parse_args(argv)
    schedule = sorted(
        [(args.rasa_at, "rasa-1"), (args.worker_at, "worker-1"), (args.backend_at, "backend")]
    )
    log_dir = Path(tempfile.mkdtemp(prefix="bench-faults-"))
    topology = Topology(log_dir)
    faults: list[dict[str, Any]] = []
    try:
        topology.start_all()
        results, elapsed = asyncio.run(
            drive(
                topology,
                args.users,
                args.concurrency,
                during=lambda: inject(topology, schedule, args.down, faults),
            )
        )
        figures = settle_and_count(topology, args.users, timeout=400.0)
    finally:
        topology.stop_all()
    outcome = report(results, elapsed, figures)
    outcome["faults"] = faults
    outcome["verdict"] = {
        "no_ticket_lost": figures["tickets"] == args.users and len(results.numbers) == args.users,
        "no_duplicate_ticket": figures["duplicate_tickets"] == 0,
        "every_notification_sent": figures["notifications_not_sent"] == 0
        and figures["web_pushes_received"] == figures["web_notifications"],
        "at_most_once_per_delivery_key": figures["max_pushes_per_delivery_key"] <= 1,
        "every_inbound_answered": figures["inbound_unanswered"] == 0,
    }
    print(json.dumps(outcome, indent=2, default=int))
    print(f"logs: {log_dir}", flush=True)


if __name__ == "__main__":
    main()
