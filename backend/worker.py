"""The worker: delivers the outbox continuously, runs an SLA sweep every minute, pulls the
pulse's due feeds (``PULSE_PULL_INTERVAL_SECONDS``) and, when configured, CPGRAMS
(``backend/cpgrams_pull.py``)."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Mapping

from sqlalchemy import Engine

from backend.cpgrams_pull import CpgramsIntake
from backend.db import make_engine, make_session_factory
from backend.escalation import sweep
from backend.metrics import ESCALATIONS
from backend.models import utcnow
from backend.outbox import OfficerLogSender, deliver_batch
from channels.outbound import Sender
from channels.senders import build_senders as build_channel_senders
from channels.tables import LastInboundReader
from core.config import Settings

log = logging.getLogger(__name__)


def build_senders(settings: Settings, engine: Engine) -> Mapping[str, Sender]:
    """The channels' senders (``channels``), plus the officers' log. The WhatsApp sender reads
    when each chat last wrote to us from the channels' table, on the worker's own engine
    (read-only: on SQLite no write lock is taken for it)."""
    last_inbound = LastInboundReader(engine.execution_options(read_only=True))
    senders = build_channel_senders(settings, last_inbound)
    senders["officer"] = OfficerLogSender()
    return senders


async def run_worker(settings: Settings, *, once: bool = False) -> None:
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    senders = build_senders(settings, engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    last_sweep = last_pulse_pull = 0.0
    pulse_pass: asyncio.Task[None] | None = None
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        # Every interface: in containers Prometheus scrapes from outside the worker.
        start_http_server(settings.worker_metrics_port, addr="0.0.0.0")
    log.info("worker started; channels: %s", ", ".join(sorted(senders)))
    # CPGRAMS, automatically (issue 16): None unless CPGRAMS_PULL_URL or CPGRAMS_WATCH_DIR.
    cpgrams = CpgramsIntake.from_settings(settings, factory)
    while not stop.is_set():
        if cpgrams is not None:
            await cpgrams.run_due()
        if time.monotonic() - last_sweep >= settings.sla_sweep_interval_seconds or once:
            result = await asyncio.to_thread(sweep, factory, utcnow())
            last_sweep = time.monotonic()
            ESCALATIONS.labels("2").inc(result.escalated_to_head)
            ESCALATIONS.labels("3").inc(result.escalated_to_leadership)
            if result.escalated:
                log.info("escalated %d tickets", result.escalated)
        pulse_due = time.monotonic() - last_pulse_pull >= settings.pulse_pull_interval_seconds
        if (pulse_due or once) and (pulse_pass is None or pulse_pass.done()):
            # The pulse's due feeds, beside deliveries (a slow feed must not hold them up).
            pulse_pass = asyncio.create_task(asyncio.to_thread(_pull_pulse_feeds, engine, settings))
            last_pulse_pull = time.monotonic()
        report = await deliver_batch(
            factory,
            senders,
            limit=settings.worker_batch_size,
            max_attempts=settings.notification_max_attempts,
            backoff_seconds=settings.notification_backoff_seconds,
        )
        if once:
            break
        if report.claimed < settings.worker_batch_size:
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_seconds)
            except TimeoutError:
                pass
    if cpgrams is not None:
        await cpgrams.aclose()
    if pulse_pass is not None and not pulse_pass.done():
        await pulse_pass  # a pull under way finishes (bounded by the feed timeout)
    log.info("worker stopped")


def _pull_pulse_feeds(engine: Engine, settings: Settings) -> None:
    """One pass over the pulse's due feeds (``backend/pulse_feeds.py``); a failed pass is
    logged and the next one retries."""
    from backend.pulse_feeds import pull_due

    try:
        pull_due(engine, settings)
    except Exception:
        log.exception("pulse pull pass failed")
