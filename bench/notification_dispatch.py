"""Notification dispatch to the fake Telegram Bot API, through the real senders.

Two figures:
- ``sender``: ``TelegramSender.send`` (PTB ``Bot`` -> HTTP -> fake Bot API) with N
  notifications in flight at once, each to its own chat;
- ``outbox``: the backend's outbox (``backend.outbox.deliver_batch``: claim rows, send, record
  the outcome) over a fresh SQLite database holding N pending notification rows.

Telegram's own limits (30 messages/s overall, 1/s per chat) are switched off for both, since
they measure how fast *we* can go; with the limits on (the default of ``build_senders``) the
sender paces itself to Telegram's 30/s, which a third, short run checks.

    .venv/bin/python -m bench.notification_dispatch --notifications 3000 --concurrency 100
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.senders import OutboundNotification, TelegramSender, make_telegram_bot
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


async def sender_run(base_url: str, count: int, concurrency: int, limited: bool) -> float:
    sender = TelegramSender(
        make_telegram_bot("123456:BENCH", base_url),
        messages_per_second=30.0 if limited else 0.0,
        seconds_per_chat=1.0 if limited else 0.0,
    )
    await sender.send(notification(-1))  # initialize (getMe) outside the clock
    semaphore = asyncio.Semaphore(concurrency)
    outcomes: list[str] = []

    async def one(index: int) -> None:
        async with semaphore:
            outcomes.append((await sender.send(notification(index))).outcome)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    elapsed = time.perf_counter() - started
    await sender.aclose()
    assert outcomes.count("sent") == count, f"not all sent: {set(outcomes)}"
    return count / elapsed


async def outbox_run(base_url: str, count: int, batch: int) -> float | None:
    try:
        from backend.config import Settings
        from backend.db import make_engine, make_session_factory
        from backend.migrate import migrate
        from backend.models import Notification
        from backend.outbox import deliver_batch
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
        make_telegram_bot("123456:BENCH", base_url), messages_per_second=0.0, seconds_per_chat=0.0
    )
    senders = {"telegram": sender}
    sent = 0
    started = time.perf_counter()
    while sent < count:
        report = await deliver_batch(factory, senders, limit=batch)  # type: ignore[arg-type]
        if report.claimed == 0:
            break
        sent += report.sent
    elapsed = time.perf_counter() - started
    await sender.aclose()
    assert sent == count, f"sent {sent} of {count}"
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--batch", type=int, default=200, help="outbox rows claimed at once")
    args = parser.parse_args()

    port = free_port()
    fake = start_process(
        ["python", "-m", "tests.support.fake_telegram", "--port", str(port)],
        f"http://127.0.0.1:{port}/_fake/sent",
    )
    base_url = f"http://127.0.0.1:{port}/bot"
    control = FakeTelegramControl(f"http://127.0.0.1:{port}")
    try:
        asyncio.run(sender_run(base_url, 200, args.concurrency, limited=False))  # warm-up
        rate = asyncio.run(
            sender_run(base_url, args.notifications, args.concurrency, limited=False)
        )
        print(f"sender: {args.notifications} notifications at {rate:.0f}/s")
        outbox = asyncio.run(outbox_run(base_url, args.notifications, args.batch))
        if outbox is not None:
            print(f"outbox: {args.notifications} notifications at {outbox:.0f}/s")
        limited = asyncio.run(sender_run(base_url, 90, args.concurrency, limited=True))
        print(f"with Telegram's limits on: 90 notifications at {limited:.1f}/s")
        control.reset()
    finally:
        stop_process(fake)


if __name__ == "__main__":
    main()
