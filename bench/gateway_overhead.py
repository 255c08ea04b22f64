"""Gateway overhead per inbound Telegram message, the assistant excluded.

Three processes: the gateway (``python -m bot serve``), the fake Telegram Bot API and a stand-in
for Rasa's REST channel that answers at once. Messages are POSTed to the webhook at a steady
rate (open loop, each from its own chat); for each one we take the time from the webhook POST
to the reply arriving at the fake Telegram, and subtract nothing: the figure is an upper bound
of the gateway's own cost (recording, ordering, the HTTP hop to Rasa, rendering, PTB's send).
The webhook answer time (what Telegram waits for) is reported too.

    .venv/bin/python -m bench.gateway_overhead --messages 600 --rate 50
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.fake_telegram import FakeTelegramControl, telegram_text_update
from tests.support.local_server import free_port, start_process, stop_process

SECRET = "bench-webhook-secret"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def drive(
    gateway_url: str, messages: int, rate: float, first: int = 0
) -> dict[int, tuple[float, float]]:
    """POST ``messages`` updates at ``rate``/s; chat id -> (sent at, webhook answer seconds)."""
    sent: dict[int, tuple[float, float]] = {}
    interval = 1.0 / rate
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:

        async def one(index: int) -> None:
            chat = 10_000_000 + first + index
            update = telegram_text_update(chat, f"message {index}", update_id=first + index + 1)
            started = time.time()
            clock = time.perf_counter()
            response = await client.post(
                "/telegram/webhook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            response.raise_for_status()
            sent[chat] = (started, time.perf_counter() - clock)

        tasks = []
        begin = time.perf_counter()
        for index in range(messages):
            delay = begin + index * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index)))
        await asyncio.gather(*tasks)
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second")
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    telegram_port, rasa_port, gateway_port = free_port(), free_port(), free_port()
    telegram = start_process(
        ["python", "-m", "tests.support.fake_telegram", "--port", str(telegram_port)],
        f"http://127.0.0.1:{telegram_port}/_fake/sent",
    )
    rasa = start_process(
        ["python", "-m", "tests.support.rasa_stand_in", "--port", str(rasa_port)],
        f"http://127.0.0.1:{rasa_port}/",
    )
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'gateway.db'}",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "BACKEND_URL": f"http://127.0.0.1:{rasa_port}",
        "TELEGRAM_BOT_TOKEN": "123456:BENCH",
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{telegram_port}/bot",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{gateway_port}",
        "LOG_LEVEL": "WARNING",
    }
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    gateway = start_process(
        ["python", "-m", "bot", "serve", "--port", str(gateway_port)], f"{gateway_url}/healthz", env
    )
    control = FakeTelegramControl(f"http://127.0.0.1:{telegram_port}")
    try:
        asyncio.run(drive(gateway_url, args.warmup, args.rate))
        control.wait_for(args.warmup, timeout=60)
        control.reset()
        sent = asyncio.run(drive(gateway_url, args.messages, args.rate, first=args.warmup))
        control.wait_for(args.messages, timeout=120)
        replies = {
            int(call["params"]["chat_id"]): float(call["at"])
            for call in control.calls()
            if call["method"] == "sendMessage"
        }
    finally:
        for process in (gateway, rasa, telegram):
            stop_process(process)

    end_to_end = [(replies[chat] - started) * 1000 for chat, (started, _) in sent.items()]
    acks = [ack * 1000 for _, ack in sent.values()]
    print(f"messages: {len(end_to_end)} at {args.rate:.0f}/s (after {args.warmup} warm-up)")
    print(
        "webhook -> reply at fake Telegram (ms): "
        f"p50 {statistics.median(end_to_end):.2f}  p95 {percentile(end_to_end, 0.95):.2f}  "
        f"p99 {percentile(end_to_end, 0.99):.2f}"
    )
    print(
        "webhook answered (ms): "
        f"p50 {statistics.median(acks):.2f}  p95 {percentile(acks, 0.95):.2f}"
    )


if __name__ == "__main__":
    main()
