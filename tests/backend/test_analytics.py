"""Analytics figures against a hand-computed fixture of seven tickets (see each expectation)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.analytics import compute_stats
from backend.models import Ticket
from routing import ticket_number
from tests.backend.conftest import Clock, Officers

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ticket(
    department: str,
    state: str,
    category: str,
    created: str,
    status: str,
    *,
    ack: str | None = None,
    resolved: str | None = None,
    updated: str | None = None,
    level: int = 0,
) -> Ticket:
    created_at = at(created)
    return Ticket(
        number=ticket_number.generate(),
        channel="telegram",
        channel_user_id="1",
        name="N",
        enterprise_name="E",
        state=state,
        district="D",
        category=category,
        description="fixture",
        department_code=department,
        status=status,
        escalation_level=level,
        ack_due_at=created_at + timedelta(days=3),
        resolve_due_at=created_at + timedelta(days=7),
        acknowledged_at=at(ack) if ack else None,
        resolved_at=at(resolved) if resolved else None,
        created_at=created_at,
        updated_at=at(updated) if updated else created_at,
    )


FIXTURE = [
    # T1 acknowledged after 24 h, resolved after 96 h: both on time.
    (
        "MSEFC-MH",
        "Maharashtra",
        "delayed_payment",
        "2026-10-01 10:00",
        "resolved",
        {"ack": "2026-10-02 10:00", "resolved": "2026-10-05 10:00"},
    ),
    # T2 acknowledged after 120 h, resolved after 240 h: both late; escalated to leadership.
    (
        "MSEFC-MH",
        "Maharashtra",
        "delayed_payment",
        "2026-10-10 10:00",
        "closed",
        {"ack": "2026-10-15 10:00", "resolved": "2026-10-20 10:00", "level": 3},
    ),
    # T3 never acknowledged, both deadlines passed: late twice; escalated to the head; 19 days old.
    ("MSEFC-MH", "Maharashtra", "finance_credit", "2026-11-01 10:00", "routed", {"level": 2}),
    # T4 two days old: no deadline passed yet, counted nowhere in SLA.
    ("CREDIT-CELL", "Gujarat", "finance_credit", "2026-11-18 12:00", "routed", {}),
    # T5 rejected after 24 h: attended and concluded on time.
    (
        "CREDIT-CELL",
        "Gujarat",
        "finance_credit",
        "2026-10-05 12:00",
        "rejected",
        {"updated": "2026-10-06 12:00"},
    ),
    # T6 acknowledged after 24 h, awaiting the citizen: its paused resolution is not counted.
    (
        "CREDIT-CELL",
        "Maharashtra",
        "finance_credit",
        "2026-11-12 12:00",
        "awaiting_info",
        {"ack": "2026-11-13 12:00"},
    ),
    # T7 acknowledged after 12 h, resolved after 48 h.
    (
        "KVIC",
        "Gujarat",
        "pmegp_khadi",
        "2026-11-14 12:00",
        "resolved",
        {"ack": "2026-11-15 00:00", "resolved": "2026-11-16 12:00"},
    ),
]


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    with factory() as session, session.begin():
        for department, state, category, created, status, extra in FIXTURE:
            session.add(ticket(department, state, category, created, status, **extra))
    return factory


def test_every_table_matches_the_hand_computed_figures(seeded: sessionmaker[Session]) -> None:
    with seeded() as session:
        stats = compute_stats(session, NOW)
    tables = {name: table.rows for name, table in stats.tables.items()}
    assert tables["by_state_category"] == [
        ["Gujarat", "finance_credit", 2],
        ["Gujarat", "pmegp_khadi", 1],
        ["Maharashtra", "delayed_payment", 2],
        ["Maharashtra", "finance_credit", 2],
    ]
    assert tables["by_department_status"] == [
        ["CREDIT-CELL", "awaiting_info", 1],
        ["CREDIT-CELL", "rejected", 1],
        ["CREDIT-CELL", "routed", 1],
        ["KVIC", "resolved", 1],
        ["MSEFC-MH", "closed", 1],
        ["MSEFC-MH", "resolved", 1],
        ["MSEFC-MH", "routed", 1],
    ]
    assert tables["sla_by_department_month"] == [
        ["CREDIT-CELL", "2026-10", 1, 1, 1.0, 1, 1, 1.0],
        ["CREDIT-CELL", "2026-11", 1, 1, 1.0, 0, 0, None],
        ["KVIC", "2026-11", 1, 1, 1.0, 1, 1, 1.0],
        ["MSEFC-MH", "2026-10", 2, 1, 0.5, 2, 1, 0.5],
        ["MSEFC-MH", "2026-11", 1, 0, 0.0, 1, 0, 0.0],
    ]
    # Acknowledged after 24, 120, 24, 12 hours; resolved after 96, 240, 48 hours.
    assert tables["time_to_act"] == [
        ["CREDIT-CELL", 24.0, None],
        ["KVIC", 12.0, 48.0],
        ["MSEFC-MH", 72.0, 168.0],
        ["all", 24.0, 96.0],
    ]
    assert tables["backlog_ageing"] == [
        ["0-3 days", 1, 0],
        ["3-7 days", 0, 0],
        ["7-15 days", 1, 0],
        ["15-30 days", 1, 1],
        ["over 30 days", 0, 0],
    ]
    assert tables["resolution_by_month"] == [
        ["2026-10", 3, 2, 1, 0, 0.6667],
        ["2026-11", 4, 1, 0, 3, 0.25],
    ]
    assert tables["escalations"] == [["MSEFC-MH", 1, 1, 1]]
    assert stats.summary == {
        "tickets": 7,
        "open": 3,
        "ack_compliance": 0.6667,  # 4 of 6 counted
        "conclusion_compliance": 0.6,  # 3 of 5 counted
        "median_hours_to_acknowledge": 24.0,
        "median_hours_to_resolve": 96.0,
        "escalated_open": 1,
    }


def test_stats_endpoint_is_scoped_like_the_queue(
    client: TestClient, seeded: sessionmaker[Session], officers: Officers, clock: Clock
) -> None:
    clock.now = NOW
    asha = officers.add("asha", "MSEFC-MH")
    head = officers.add("head", "MSEFC-MH", role="head")
    boss = officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    assert client.get("/admin/v1/stats").status_code == 401
    own: dict[str, Any] = client.get("/admin/v1/stats", headers=asha).json()
    assert own["department"] == "MSEFC-MH" and own["summary"]["tickets"] == 3
    assert {r[0] for r in own["tables"]["by_department_status"]["rows"]} == {"MSEFC-MH"}
    assert client.get("/admin/v1/stats", headers=head).json()["summary"]["tickets"] == 3
    assert client.get("/admin/v1/stats?department=KVIC", headers=asha).status_code == 403
    everything = client.get("/admin/v1/stats", headers=boss).json()
    assert everything["department"] is None and everything["summary"]["tickets"] == 7
    kvic = client.get("/admin/v1/stats?department=KVIC", headers=boss).json()
    assert kvic["summary"]["tickets"] == 1


def test_every_table_exports_as_csv(
    client: TestClient, seeded: sessionmaker[Session], officers: Officers, clock: Clock
) -> None:
    clock.now = NOW
    boss = officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")
    stats = client.get("/admin/v1/stats", headers=boss).json()
    for name, table in stats["tables"].items():
        response = client.get(f"/admin/v1/stats/{name}.csv", headers=boss)
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/csv"
        )
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == table["columns"]
        expected = [["" if v is None else str(v) for v in row] for row in table["rows"]]
        assert rows[1:] == expected
    assert client.get("/admin/v1/stats/nope.csv", headers=boss).status_code == 404


def test_stats_cache_serves_the_last_figures_while_it_refreshes(
    seeded: sessionmaker[Session],
) -> None:
    import time

    from backend.stats_cache import StatsCache

    cache = StatsCache(seeded, ttl=3600)
    first = cache.get(NOW, None)
    assert first.summary["tickets"] == 7
    with seeded() as session, session.begin():
        session.add(ticket("KVIC", "Goa", "coir", "2026-11-19 12:00", "routed"))
    assert cache.get(NOW, None) is first  # within the time to live
    assert cache.get(NOW, "KVIC").summary["tickets"] == 2  # another scope computes its own
    cache.ttl = 0
    assert cache.get(NOW, None) is first  # stale, served at once; a refresh starts
    deadline = time.monotonic() + 10
    while cache.get(NOW, None).summary["tickets"] != 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get(NOW, None).summary["tickets"] == 8


def test_refreshing_cache_keeps_at_most_its_entries(seeded: sessionmaker[Session]) -> None:
    from backend.stats_cache import RefreshingCache

    computed: list[int] = []

    def compute(_session: Session, _now: datetime, key: int) -> int:
        computed.append(key)
        return key * 10

    cache: RefreshingCache[int, int] = RefreshingCache(seeded, compute, ttl=3600, max_entries=2)
    assert [cache.get(NOW, k) for k in (1, 2, 1)] == [10, 20, 10] and computed == [1, 2]
    cache.get(NOW, 3)  # the oldest, 1, is forgotten
    assert cache.get(NOW, 2) == 20 and computed == [1, 2, 3]
    assert cache.get(NOW, 1) == 10 and computed == [1, 2, 3, 1]
