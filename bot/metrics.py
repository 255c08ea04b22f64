"""Prometheus metrics of the gateway, served at ``GET /metrics``.

What an operator on call reads here, and where each figure comes from:
- messages in per channel and outcome (``accepted``, ``duplicate``, ``rate_limited``),
  counted when a webhook or the web chat hands a message over;
- messages out per channel and kind: ``reply`` (the assistant's replies handed to the
  channel) and ``notice`` (what the gateway says itself: outage, "too fast");
- turn latency per channel: from taking a recorded message to its replies having been sent
  (gateway -> Rasa -> actions -> backend -> replies), queueing behind the sender's earlier
  messages not included;
- Rasa failures by reason and failovers (a refused connection sent to the next server);
- the inbound backlog: messages recorded but not yet processed, and the age of the oldest,
  read from ``gateway_inbound_messages`` at scrape time so it survives a restart and counts
  messages held through an outage;
- HTTP latency per route (the backend's ``LatencyMiddleware``, same metric name).

Counters are per gateway process; labels never carry a sender or a text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.store import GatewayStore
from channels.tables import as_aware, inbound_messages, utcnow
from core.metrics import HTTP_LATENCY_BUCKETS as HTTP_BUCKETS

log = logging.getLogger(__name__)

# A turn runs NLU, policies and often an action calling the backend: seconds, not ms; the
# top bucket is the gateway's wait for Rasa (30 s).
TURN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0)


class BacklogCollector(Collector):
    """Recorded, not yet processed inbound messages, per channel, at scrape time."""

    def __init__(
        self,
        store: GatewayStore,
        assistant_up: Callable[[], bool],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.assistant_up = assistant_up
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "gateway_assistant_up", "0 while the gateway holds messages because Rasa is down"
        )
        up.add_metric([], 1 if self.assistant_up() else 0)
        yield up
        backlog = GaugeMetricFamily(
            "gateway_inbound_backlog",
            "Inbound messages recorded but not yet processed, by channel",
            labels=["channel"],
        )
        oldest = GaugeMetricFamily(
            "gateway_inbound_backlog_oldest_seconds",
            "Age of the oldest inbound message not yet processed (0 when none waits)",
        )
        try:
            with self.store.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(
                        inbound_messages.c.channel,
                        sa.func.count(),
                        sa.func.min(inbound_messages.c.received_at),
                    )
                    .where(inbound_messages.c.status == "pending")
                    .group_by(inbound_messages.c.channel)
                ).all()
        except Exception as error:  # a scrape must answer even when the database does not
            log.warning("metrics: gateway database unreadable: %s", type(error).__name__)
            return
        now = self.clock()
        age = 0.0
        for channel, count, first in rows:
            backlog.add_metric([channel], count)
            moment = _as_datetime(first)
            if moment is not None:
                age = max(age, (now - moment).total_seconds())
        yield backlog
        oldest.add_metric([], max(0.0, age))
        yield oldest


def _as_datetime(value: object) -> datetime | None:
    # SQLite's MIN() hands back the stored text rather than a datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_aware(value) if isinstance(value, datetime) else None


class GatewayMetrics:
    """The metrics one gateway exposes (one registry per gateway, so tests can build many)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages_in = Counter(
            "gateway_messages_in",
            "Inbound messages by channel and outcome (accepted, duplicate, rate_limited)",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.messages_out = Counter(
            "gateway_messages_out",
            "Messages to users by channel and kind (reply from the assistant, gateway notice)",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.turn_latency = Histogram(
            "gateway_turn_duration_seconds",
            "From taking a recorded message to its replies sent (Rasa, actions, backend)",
            ["channel"],
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self.rasa_failures = Counter(
            "gateway_rasa_failures",
            "Turns that could not be completed, by reason (unavailable: held and replayed; "
            "error: retried, then given up)",
            ["reason"],
            registry=self.registry,
        )
        self.rasa_failovers = Counter(
            "gateway_rasa_failovers",
            "Rasa servers that refused a connection, so the turn went to the next one",
            ["server"],
            registry=self.registry,
        )
        # Named like the backend's, so one dashboard panel serves both.
        self.latency = Histogram(
            "grievance_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status",
            ["method", "route", "status"],
            buckets=HTTP_BUCKETS,
            registry=self.registry,
        )

    def watch_backlog(self, store: GatewayStore, assistant_up: Callable[[], bool]) -> None:
        self.registry.register(BacklogCollector(store, assistant_up))

    def refused(self, server: str) -> None:
        self.rasa_failovers.labels(server).inc()

    def replies(self, channel: str, count: int) -> None:
        if count:
            self.messages_out.labels(channel, "reply").inc(count)
