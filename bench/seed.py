"""Fill a database with many realistic tickets fast (set-based, not through the ORM).

.venv/bin/python bench/seed.py --database-url sqlite:///var/bench.db --tickets 1000000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.db import make_engine
from backend.migrate import migrate
from backend.models import Ticket
from routing.ticket_number import ALPHABET, format_number

STATES = [
    "Maharashtra",
    "Gujarat",
    "Tamil Nadu",
    "Uttar Pradesh",
    "Karnataka",
    "Bihar",
    "West Bengal",
    "Rajasthan",
    "Punjab",
    "Kerala",
]
CATEGORIES = [
    "delayed_payment",
    "finance_credit",
    "raw_material",
    "labour",
    "pmegp_khadi",
    "udyam_registration",
    "regulation_licensing",
    "infrastructure_power",
]
DEPARTMENTS = ["MSEFC-MH", "CREDIT-CELL", "NSIC", "DFO-MUMBAI", "KVIC", "DCMSME"]


def number_for(i: int) -> str:
    """A distinct valid ticket number for each i (base-31 digits of a scrambled i)."""
    value = (i * 2_654_435_761 + 12_345) % (31**6)
    body = ""
    for _ in range(6):
        value, digit = divmod(value, 31)
        body += ALPHABET[digit]
    return format_number(body)


def seed(
    database_url: str, tickets: int, now: datetime, open_share: float = 1.0, batch: int = 20_000
) -> list[str]:
    """Insert ``tickets`` tickets created over the last 10 days; returns a sample of numbers.

    Tickets are escalated as a sweep running every minute would have left them, so that a
    pass at ``now`` finds only what crossed a deadline in the last minute or so.
    """
    engine = make_engine(database_url)
    migrate(database_url, engine)
    rnd = random.Random(42)
    sample: list[str] = []
    with engine.begin() as connection:
        rows = []
        for i in range(tickets):
            created = now - timedelta(seconds=rnd.uniform(0, 10 * 86400))
            ack_due, resolve_due = created + timedelta(days=3), created + timedelta(days=7)
            is_open = rnd.random() < open_share
            acknowledged = rnd.random() < 0.6
            if not is_open:
                status, level = "resolved", 0
            else:
                status = "in_progress" if acknowledged else "routed"
                # What earlier passes did; leave the last two minutes' breaches for this pass.
                settled = now - timedelta(minutes=2)
                level = 0
                if resolve_due <= settled:
                    level = 3
                elif not acknowledged and ack_due <= settled:
                    level = 2
            number = number_for(i)
            if i % max(1, tickets // 2000) == 0:
                sample.append(number)
            rows.append(
                {
                    "number": number,
                    "channel": "telegram",
                    "channel_user_id": str(10_000 + i),
                    "name": "Seed User",
                    "mobile": "+919800000000",
                    "enterprise_name": "Seed Works",
                    "state": rnd.choice(STATES),
                    "district": "District",
                    "category": rnd.choice(CATEGORIES),
                    "description": "Seeded grievance text.",
                    "language": "en",
                    "department_code": rnd.choice(DEPARTMENTS),
                    "status": status,
                    "escalation_level": level,
                    "ack_due_at": ack_due,
                    "resolve_due_at": resolve_due,
                    "acknowledged_at": created + timedelta(hours=5) if acknowledged else None,
                    "attachments": [],
                    "created_at": created,
                    "updated_at": created,
                    "route_confidence": 1.0,
                    "route_reason": "seed",
                }
            )
            if len(rows) >= batch:
                connection.execute(insert(Ticket), rows)
                rows = []
        if rows:
            connection.execute(insert(Ticket), rows)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE tickets")
    engine.dispose()
    return sample


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    seed(args.database_url, args.tickets, datetime.now(UTC))
    print(f"seeded {args.tickets} tickets in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
