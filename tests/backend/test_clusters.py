"""Emerging issues: one buyer delaying many units' payments stands out as a group."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from backend.clusters import EmergingIssues, Grievance, find_clusters, recent_grievances
from backend.models import Ticket
from routing import ticket_number

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

BUYER = [
    "Sharma Automotive Ltd has not paid our invoices for 120 days after delivery of brake parts.",
    "Payment from Sharma Automotive pending for four months, invoices for castings unpaid.",
    "Sharma Automotive Limited is delaying payment of our bills for supplied forgings.",
    "Our dues from Sharma Automotive are unpaid since July despite delivery and acceptance.",
    "Sharma Automotive has withheld payment for auto components we delivered in August.",
]
OTHERS = [
    "The electricity board has cut power to our unit for three days without notice.",
    "Bank refused a collateral-free loan under the credit guarantee scheme.",
    "Udyam registration portal shows an error when updating the PAN details.",
    "PMEGP margin money subsidy not credited to the loan account for a year.",
    "Coir Board training programme certificate has not been issued to us.",
]


def grievances() -> list[Grievance]:
    texts = BUYER + OTHERS
    return [
        Grievance(
            i,
            f"MS-T{i:03d}",
            text,
            "Maharashtra" if i < 5 else "Kerala",
            "MSEFC-MH",
            NOW - timedelta(days=i),
        )
        for i, text in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def encode():  # type: ignore[no-untyped-def]
    from backend.embeddings import get_encoder

    return get_encoder().encode


def test_one_buyer_delaying_many_units_is_one_cluster(encode) -> None:  # type: ignore[no-untyped-def]
    items = grievances()
    clusters = find_clusters(items, encode([g.text for g in items]), NOW)
    assert len(clusters) == 1
    cluster = clusters[0]
    assert sorted(g.number for g in cluster.members) == [f"MS-T{i:03d}" for i in range(5)]
    assert cluster.size == 5 and cluster.recent == 5
    assert "sharma" in cluster.label and "automotive" in cluster.label
    assert cluster.states == [("Maharashtra", 5)]
    assert cluster.top("department_code") == [("MSEFC-MH", 5)]


def test_unrelated_grievances_make_no_cluster(encode) -> None:  # type: ignore[no-untyped-def]
    items = grievances()[5:]
    assert find_clusters(items, encode([g.text for g in items]), NOW) == []


def test_recent_window_and_cache(factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        for i, text in enumerate(BUYER + OTHERS):
            created = NOW - timedelta(days=2 * i + (40 if i == 4 else 0))
            session.add(
                Ticket(
                    number=ticket_number.generate(),
                    channel="web",
                    channel_user_id=str(i),
                    name="N",
                    enterprise_name="E",
                    state="Maharashtra",
                    district="Pune",
                    category="other",
                    description=text,
                    department_code="MSEFC-MH",
                    status="routed",
                    ack_due_at=created,
                    resolve_due_at=created,
                    created_at=created,
                    updated_at=created,
                )
            )
    with factory() as session:
        recent = recent_grievances(session, NOW, days=30)
    # The fifth buyer complaint is 48 days old: outside the window.
    assert len(recent) == 9 and BUYER[4] not in [g.text for g in recent]

    calls: list[int] = []

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        # Buyer complaints share one direction, the others are orthogonal to it and each other.
        vectors = np.zeros((len(texts), 16), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row, 0 if "Sharma" in text else 1 + row % 15] = 1.0
        return vectors

    service = EmergingIssues(factory, counting, recent_grievances, ttl=300)
    first = service.clusters(NOW, None)
    assert [c.size for c in first] == [4] and calls == [9]
    assert service.clusters(NOW, None) is first and calls == [9]  # cached
