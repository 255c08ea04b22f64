from __future__ import annotations

import asyncio
import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from backend.api.app import create_app
from backend.triage import Triage
from core.config import Settings
from core.ratelimit import Limit, MemoryBuckets, RedisBuckets
from tests.backend.conftest import Clock, Officers
from tests.support.processes import free_port


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock)
    limit = Limit(per_second=2.0, burst=3)
    assert [buckets.take_now("a", limit) for _ in range(3)] == [0, 0, 0]
    assert buckets.take_now("a", limit) == pytest.approx(0.5)
    assert buckets.take_now("b", limit) == 0  # buckets are per key
    clock.now += 0.5
    assert buckets.take_now("a", limit) == 0
    assert buckets.take_now("a", limit) > 0
    clock.now += 60  # refills to the burst, never beyond it
    assert [buckets.take_now("a", limit) for _ in range(4)][-1] > 0


def test_bucket_memory_is_bounded() -> None:
    clock = FakeClock()
    buckets = MemoryBuckets(clock, max_keys=10)
    limit = Limit(per_second=1.0, burst=1)
    for i in range(50):
        buckets.take_now(f"caller-{i}", limit)
        clock.now += 2  # each earlier bucket has refilled: forgettable
    assert len(buckets._state) <= 10


def limited_app(
    settings: Settings, clock: Clock, buckets: MemoryBuckets | None = None, **overrides: object
) -> TestClient:
    tight = settings.model_copy(
        update={
            "rate_limit_officer_per_second": 0.5,
            "rate_limit_officer_burst": 2,
            "rate_limit_anonymous_per_second": 0.25,
            "rate_limit_anonymous_burst": 3,
            "rate_limit_service_per_second": 1.0,
            "rate_limit_service_burst": 4,
            **overrides,
        }
    )
    return TestClient(
        create_app(tight, clock=clock, triage=Triage(use_classifier=False), buckets=buckets)
    )


def test_each_officer_token_has_its_own_bucket(
    settings: Settings, factory: sessionmaker[Session], clock: Clock, officers: Officers
) -> None:
    asha = officers.add("asha", "MSEFC-MH")
    ravi = officers.add("ravi", "MSEFC-MH")
    # The buckets' time stands still: no token comes back however long the requests take
    # (on a busy machine three requests took over a second, and Retry-After said 1).
    with limited_app(settings, clock, MemoryBuckets(lambda: 0.0)) as client:
        assert [client.get("/admin/v1/tickets", headers=asha).status_code for _ in range(2)] == [
            200,
            200,
        ]
        refused = client.get("/admin/v1/tickets", headers=asha)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "2"
        assert refused.json()["code"] == "rate_limited"
        # Another officer is not held up by the first; health checks are never limited.
        assert client.get("/admin/v1/tickets", headers=ravi).status_code == 200
        assert all(client.get("/healthz").status_code == 200 for _ in range(10))
        metrics = client.get("/metrics").text
        assert 'grievance_http_rate_limited_total{caller="officer"} 1.0' in metrics


def test_made_up_tokens_share_the_callers_anonymous_bucket(
    settings: Settings,
    factory: sessionmaker[Session],
    clock: Clock,
    service_headers: dict[str, str],
) -> None:
    with limited_app(settings, clock) as client:
        codes = [
            client.get(
                "/admin/v1/tickets", headers={"Authorization": f"Bearer guess-{i}"}
            ).status_code
            for i in range(5)
        ]
        assert codes == [401, 401, 401, 429, 429]
        # The service token has its own, larger bucket.
        assert (
            client.get(
                "/api/v1/tickets",
                params={"channel": "web", "channel_user_id": "x"},
                headers=service_headers,
            ).status_code
            == 200
        )


def test_limits_can_be_switched_off(
    settings: Settings, factory: sessionmaker[Session], clock: Clock
) -> None:
    with limited_app(settings, clock, rate_limit_enabled=False) as client:
        assert {client.get("/admin/v1/tickets").status_code for _ in range(8)} == {401}


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        pytest.skip("Redis tests need TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15); not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except Exception as error:
        pytest.skip(f"Redis tests need TEST_REDIS_URL; no server answered ({type(error).__name__})")
    return url


@pytest.mark.redis
def test_replicas_share_buckets_through_redis(
    settings: Settings, factory: sessionmaker[Session], clock: Clock, officers: Officers
) -> None:
    shared = redis_url()
    asha = officers.add("asha", "MSEFC-MH")
    with (
        limited_app(settings, clock, redis_url=shared) as one,
        limited_app(settings, clock, redis_url=shared) as two,
    ):
        codes = [
            one.get("/admin/v1/tickets", headers=asha).status_code,
            two.get("/admin/v1/tickets", headers=asha).status_code,
            one.get("/admin/v1/tickets", headers=asha).status_code,
            two.get("/admin/v1/tickets", headers=asha).status_code,
        ]
    assert codes == [200, 200, 429, 429]


def test_redis_outage_falls_back_to_per_process_buckets() -> None:
    dead = RedisBuckets(f"redis://127.0.0.1:{free_port()}/0")
    limit = Limit(per_second=0.1, burst=2)

    async def three() -> list[float]:
        return [await dead.take("officer:x", limit) for _ in range(3)]

    waits = asyncio.run(three())
    assert waits[:2] == [0, 0] and waits[2] > 0
