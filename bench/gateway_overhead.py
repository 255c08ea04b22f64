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
import json
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx

from tests.support.fake_telegram import FakeTelegramControl, telegram_text_update
from tests.support.local_server import free_port, start_process, stop_process

SECRET = "bench-webhook-secret"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def drive(
    gateway_url: str, messages: int, rate: float, first: int = 0, client: str = "aiohttp"
) -> dict[int, tuple[float, float]]:
    """POST ``messages`` updates at ``rate``/s; chat id -> (sent at, webhook answer seconds).

    ``client`` is this driver's HTTP client (it plays Telegram's servers): its own CPU per
    request is inside every figure, about 0.8 ms with httpx and 0.2-0.5 ms with aiohttp on
    this machine, so aiohttp by default; httpx for comparison with the earlier figures."""
    sent: dict[int, tuple[float, float]] = {}
    interval = 1.0 / rate
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    url = f"{gateway_url}/telegram/webhook"
    session = aiohttp.ClientSession() if client == "aiohttp" else None
    http = httpx.AsyncClient(timeout=30) if client == "httpx" else None

    async def one(index: int) -> None:
        chat = 10_000_000 + first + index
        update = telegram_text_update(chat, f"message {index}", update_id=first + index + 1)
        body = json.dumps(update).encode()
        started = time.time()
        clock = time.perf_counter()
        if session is not None:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 200, response.status
        else:
            assert http is not None
            (await http.post(url, content=body, headers=headers)).raise_for_status()
        sent[chat] = (started, time.perf_counter() - clock)

    try:
        tasks = []
        begin = time.perf_counter()
        for index in range(messages):
            delay = begin + index * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(index)))
        await asyncio.gather(*tasks)
    finally:
        if session is not None:
            await session.close()
        if http is not None:
            await http.aclose()
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=50.0, help="messages per second")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--client", choices=["aiohttp", "httpx"], default="aiohttp")
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
        # The shipped default; nothing is logged per message at INFO.
        "LOG_LEVEL": "INFO",
    }
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    gateway = start_process(
        ["python", "-m", "bot", "serve", "--port", str(gateway_port)], f"{gateway_url}/healthz", env
    )
    control = FakeTelegramControl(f"http://127.0.0.1:{telegram_port}")
    try:
        asyncio.run(drive(gateway_url, args.warmup, args.rate, client=args.client))
        control.wait_for(args.warmup, timeout=60)
        control.reset()
        sent = asyncio.run(
            drive(gateway_url, args.messages, args.rate, first=args.warmup, client=args.client)
        )
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
    print(
        f"messages: {len(end_to_end)} at {args.rate:.0f}/s (after {args.warmup} warm-up), "
        f"driver client {args.client}"
    )
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
