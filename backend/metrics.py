"""Prometheus metrics for the backend API and the worker.

Where each figure comes from, so that replicas never disagree:
- Tickets by status, the overdue count, notifications by status and the queue lag are read
  from the database on each scrape (a few grouped counts over indexed columns), so every API
  replica reports the same truth and nothing is lost when a process restarts.
- The HTTP latency histogram and rate-limit refusals are per API process (label by instance in
  Prometheus and sum).
- Delivery attempts by outcome and escalations are counted in the worker process that made
  them and served on ``WORKER_METRICS_PORT`` when it is set (the DB-derived
  ``grievance_notifications`` gauge on the API tells the same story across all workers).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.models import Notification, Ticket
from core.metrics import HTTP_LATENCY_BUCKETS

log = logging.getLogger(__name__)

# Worker-side counters live in the process-wide default registry (served by the worker's own
# metrics port); the API keeps per-app registries so that tests can build many apps.
NOTIFICATION_ATTEMPTS = Counter(
    "grievance_notification_attempts",
    "Notification delivery attempts by channel and outcome (sent, retry, dead, undeliverable)",
    ["channel", "outcome"],
)
ESCALATIONS = Counter(
    "grievance_escalations", "Tickets raised by the SLA sweep, by target level", ["level"]
)


class DatabaseCollector(Collector):
    """Gauges computed from the database at scrape time."""

    def __init__(self, factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.factory = factory
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        # Imported lazily: the worker imports this module for its counters, not the web routes.
        from backend.escalation import overdue_clause

        now = self.clock()
        tickets = GaugeMetricFamily("grievance_tickets", "Tickets by status", labels=["status"])
        notifications = GaugeMetricFamily(
            "grievance_notifications", "Outbox rows by status", labels=["status"]
        )
        up = GaugeMetricFamily("grievance_database_up", "1 when the scrape could read the database")
        try:
            with self.factory() as session:
                for status, count in session.execute(
                    select(Ticket.status, func.count()).group_by(Ticket.status)
                ):
                    tickets.add_metric([status], count)
                overdue = session.scalar(
                    select(func.count()).select_from(Ticket).where(overdue_clause(now))
                )
                for status, count in session.execute(
                    select(Notification.status, func.count()).group_by(Notification.status)
                ):
                    notifications.add_metric([status], count)
                oldest_due = session.scalar(
                    select(func.min(Notification.next_attempt_at)).where(
                        Notification.status == "pending", Notification.next_attempt_at <= now
                    )
                )
        except Exception as error:  # a scrape must answer even when the database does not
            log.warning("metrics: database unreadable: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield tickets
        yield GaugeMetricFamily(
            "grievance_tickets_overdue",
            "Open tickets past their acknowledge or resolve deadline (not awaiting info)",
            value=overdue or 0,
        )
        yield notifications
        lag = 0.0
        if oldest_due is not None:
            lag = max(0.0, (now - _aware(oldest_due, now)).total_seconds())
        yield GaugeMetricFamily(
            "grievance_notification_queue_lag_seconds",
            "Age of the oldest pending notification that is due (0 when none is waiting)",
            value=lag,
        )


def _aware(moment: datetime, reference: datetime) -> datetime:
    # SQLite's MIN() returns the stored text parsed without the UTC type decorator's help.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None and reference.tzinfo is not None:
        moment = moment.replace(tzinfo=reference.tzinfo)
    return moment


class ApiMetrics:
    """The metrics one API app exposes at ``/metrics``."""

    def __init__(self, factory: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "grievance_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status",
            ["method", "route", "status"],
            buckets=HTTP_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "grievance_http_rate_limited",
            "Requests refused with 429, by caller (service, officer, anonymous, auth_failures)",
            ["caller"],
            registry=self.registry,
        )
        self.registry.register(DatabaseCollector(factory, clock))
