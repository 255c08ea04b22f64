"""Notification dispatch to the fake Telegram Bot API, through the real senders.

Figures, each notification to a chat of its own (the shape of a dispatch: many citizens, one
message each):
- ``fake alone``: bare aiohttp POSTs of ``sendMessage`` to the fake, to show that the fake
  Bot API is not what limits the runs below (its CPU per request is printed);
- ``sender``: ``TelegramSender.send`` (PTB ``Bot`` over ``channels.telegram_request.AiohttpRequest``
  -> HTTP -> fake Bot API), N notifications handed over at once;
- ``outbox``: the backend's outbox (``backend.outbox.deliver_batch``: claim rows, send, record
  the outcome, as ``python -m backend worker`` runs it) over a fresh SQLite database holding N
  pending notification rows.
For each, the CPU time of this process per notification is printed too.

Telegram's own limits are switched off for the ``sender`` and ``outbox`` runs, since they
measure how fast *we* can go. They are on by default: ``build_senders`` (what the worker runs)
paces Telegram to 30 messages/s overall (Telegram's limit for bulk notifications without paid
broadcasts) and 1/s per chat; they are arguments of ``build_senders``, not environment
settings. A last, short run with them on checks the 30/s.

    .venv/bin/python -m bench.notification_dispatch --notifications 3000 --concurrency 100
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp

from channels.clients import make_telegram_bot
from channels.outbound import OutboundNotification
from channels.senders import TelegramSender
from tests.support.fake_telegram import FakeTelegramControl
from tests.support.local_server import free_port, start_process, stop_process

TEXT = (
    "Grievance MS-7K3Q-9: reply from the officer:\nThe payment of your invoice has been "
    "taken up with the buyer. Reply here if you have more to add."
)


def notification(index: int) -> OutboundNotification:
    return OutboundNotification(
        id=index,
        channel="telegram",
        channel_user_id=str(20_000_000 + index),
        text=TEXT,
        language="en",
        ticket_number="MS-7K3Q-9",
        status="in_progress",
        delivery_key=f"bench:{index}",
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Span:
    """Wall time, this process's CPU and the fake's CPU over the measured part of a run."""

    def __init__(self, fake_pid: int | None = None) -> None:
        self.fake_pid = fake_pid
        self.wall = self.cpu = self.fake_cpu = 0.0

    def start(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.fake_cpu = cpu_seconds(self.fake_pid) if self.fake_pid else 0.0

    def stop(self) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.fake_cpu = (cpu_seconds(self.fake_pid) if self.fake_pid else 0.0) - self.fake_cpu


async def fake_alone_run(base_url: str, count: int, concurrency: int, span: Span) -> float:
    """Bare aiohttp ``sendMessage`` POSTs, as PTB sends them (form-encoded)."""
    semaphore = asyncio.Semaphore(concurrency)
    url = f"{base_url}123456:BENCH/sendMessage"
    async with aiohttp.ClientSession() as session:

        async def one(index: int) -> None:
            async with semaphore:
                data = {"chat_id": str(20_000_000 + index), "text": TEXT, "parse_mode": "HTML"}
                async with session.post(url, data=data) as response:
                    assert (await response.json())["ok"]

        span.start()
        await asyncio.gather(*(one(i) for i in range(count)))
        span.stop()
        return count / span.wall


async def sender_run(
    base_url: str,
    count: int,
    concurrency: int,
    limited: bool,
    in_flight: int = 32,
    span: Span | None = None,
) -> float:
    span = span or Span()
    sender = TelegramSender(
        make_telegram_bot("123456:BENCH", base_url),
        messages_per_second=30.0 if limited else 0.0,
        seconds_per_chat=1.0 if limited else 0.0,
        max_in_flight=in_flight,
    )
    await sender.send(notification(-1))  # initialize (getMe) outside the clock
    semaphore = asyncio.Semaphore(concurrency)
    outcomes: list[str] = []

    async def one(index: int) -> None:
        async with semaphore:
            outcomes.append((await sender.send(notification(index))).outcome)

    span.start()
    await asyncio.gather(*(one(i) for i in range(count)))
    span.stop()
    elapsed = span.wall
    await sender.aclose()
    assert outcomes.count("sent") == count, f"not all sent: {set(outcomes)}"
    return count / elapsed


async def outbox_run(
    base_url: str, count: int, batch: int, in_flight: int, span: Span
) -> float | None:
    try:
        from backend.db import make_engine, make_session_factory
        from backend.migrate import migrate
        from backend.models import Notification
        from backend.outbox import deliver_batch
        from core.config import Settings
    except ImportError as error:  # the backend is not there yet
        print(f"outbox: skipped ({error})")
        return None
    workdir = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    url = f"sqlite:///{workdir / 'app.db'}"
    settings = Settings(database_url=url)
    engine = make_engine(settings.database_url)
    migrate(url, engine)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        session.add_all(
            Notification(
                delivery_key=f"MS-7K3Q-9:bench:{i}",
                recipient="citizen",
                channel="telegram",
                channel_user_id=str(30_000_000 + i),
                language="en",
                kind="officer_reply",
                text=TEXT,
                ticket_status="in_progress",
            )
            for i in range(count)
        )
    sender = TelegramSender(
        make_telegram_bot("123456:BENCH", base_url),
        messages_per_second=0.0,
        seconds_per_chat=0.0,
        max_in_flight=in_flight,
    )
    senders = {"telegram": sender}
    sent = 0
    span.start()
    while sent < count:
        report = await deliver_batch(factory, senders, limit=batch)
        if report.claimed == 0:
            break
        sent += report.sent
    span.stop()
    elapsed = span.wall
    await sender.aclose()
    assert sent == count, f"sent {sent} of {count}"
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument(
        "--batch", type=int, default=100, help="outbox rows claimed at once (the worker's default)"
    )
    parser.add_argument(
        "--in-flight", type=int, default=32, help="requests in flight per sender (its default)"
    )
    args = parser.parse_args()
    count = args.notifications

    port = free_port()
    fake = start_process(
        ["python", "-m", "tests.support.fake_telegram", "--port", str(port)],
        f"http://127.0.0.1:{port}/_fake/sent",
    )
    base_url = f"http://127.0.0.1:{port}/bot"
    control = FakeTelegramControl(f"http://127.0.0.1:{port}")

    def measured(label: str, run: Callable[[Span], Coroutine[Any, Any, float | None]]) -> None:
        span = Span(fake.pid)
        rate = asyncio.run(run(span))
        control.reset()
        if rate is None:
            return
        print(
            f"{label}: {count} notifications at {rate:.0f}/s "
            f"(CPU per notification: this process {span.cpu / count * 1000:.2f} ms, "
            f"fake Bot API {span.fake_cpu / count * 1000:.2f} ms)"
        )

    try:
        asyncio.run(sender_run(base_url, 200, args.concurrency, limited=False))  # warm-up
        control.reset()
        measured("fake alone", lambda span: fake_alone_run(base_url, count, args.concurrency, span))
        measured(
            "sender",
            lambda span: sender_run(base_url, count, args.concurrency, False, args.in_flight, span),
        )
        measured(
            "outbox", lambda span: outbox_run(base_url, count, args.batch, args.in_flight, span)
        )
        limited = asyncio.run(sender_run(base_url, 90, args.concurrency, limited=True))
        print(f"with Telegram's limits on: 90 notifications at {limited:.1f}/s")
        control.reset()
    finally:
        stop_process(fake)


if __name__ == "__main__":
    main()
