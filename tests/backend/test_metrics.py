from __future__ import annotations

import asyncio

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from backend.api.app import create_app
from backend.outbox import OutboundNotification, SendResult, deliver_batch
from backend.triage import Triage
from core.config import Settings
from tests.backend.conftest import START, Clock, file


def scrape(
    client: TestClient, **headers: str
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_tickets_overdue_and_queue_lag_come_from_the_database(
    client: TestClient, service_headers: dict[str, str], clock: Clock
) -> None:
    before = scrape(client)
    assert value(before, "grievance_database_up") == 1
    assert value(before, "grievance_tickets_overdue") == 0
    assert value(before, "grievance_notification_queue_lag_seconds") == 0

    file(client, service_headers, channel_user_id="u1")
    file(client, service_headers, channel_user_id="u2")
    clock.advance(seconds=90)
    samples = scrape(client)
    assert value(samples, "grievance_tickets", status="routed") == 2
    # The citizen's "registered" messages (and officers' alerts) wait, 90 s old now.
    assert (value(samples, "grievance_notifications", status="pending") or 0) >= 2
    assert value(samples, "grievance_notification_queue_lag_seconds") == 90
    assert value(samples, "grievance_tickets_overdue") == 0

    clock.advance(days=4)  # past the 3-day acknowledgement deadline
    assert value(scrape(client), "grievance_tickets_overdue") == 2


def test_request_latency_is_labelled_by_route_template(
    client: TestClient, service_headers: dict[str, str]
) -> None:
    number = file(client, service_headers, channel_user_id="u1")
    owner = {"channel": "telegram", "channel_user_id": "u1"}
    assert client.get(f"/api/v1/tickets/{number}", params=owner, headers=service_headers).is_success
    assert client.get("/no/such/page/123").status_code == 404
    samples = scrape(client)
    count = "grievance_http_request_duration_seconds_count"
    assert value(samples, count, method="POST", route="/api/v1/tickets", status="201") == 1
    # One series for every ticket number, not one per number.
    assert value(samples, count, method="GET", route="/api/v1/tickets/{number}", status="200") == 1
    assert value(samples, count, method="GET", route="unmatched", status="404") == 1
    assert not any(number in name or number in str(labels) for name, labels in samples)


def test_metrics_can_require_a_token(
    settings: Settings, factory: sessionmaker[Session], clock: Clock
) -> None:
    guarded = settings.model_copy(update={"metrics_token": "scrape-secret-1"})
    app = create_app(guarded, clock=clock, triage=Triage(use_classifier=False))
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 401
        assert (
            client.get("/metrics", headers={"Authorization": "Bearer wrong-one"}).status_code == 401
        )
        assert scrape(client, Authorization="Bearer scrape-secret-1")


class ScriptedSender:
    def __init__(self, outcome: SendResult) -> None:
        self.outcome = outcome

    async def send(self, notification: OutboundNotification) -> SendResult:
        return self.outcome


def test_worker_counts_delivery_outcomes(
    client: TestClient, service_headers: dict[str, str], factory: sessionmaker[Session]
) -> None:
    file(client, service_headers, channel_user_id="u1")

    def attempts(outcome: str) -> float:
        return (
            REGISTRY.get_sample_value(
                "grievance_notification_attempts_total", {"channel": "telegram", "outcome": outcome}
            )
            or 0.0
        )

    sent, retried = attempts("sent"), attempts("retry")
    later = START.replace(year=2027)
    report = asyncio.run(
        deliver_batch(
            factory, {"telegram": ScriptedSender(SendResult("retry", error="busy"))}, now=later
        )
    )
    assert report.retried >= 1
    assert attempts("retry") == retried + report.retried
    report = asyncio.run(
        deliver_batch(
            factory, {"telegram": ScriptedSender(SendResult("sent"))}, now=later.replace(month=12)
        )
    )
    assert report.sent >= 1
    assert attempts("sent") == sent + report.sent
