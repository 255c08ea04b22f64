"""schemathesis over the service and admin OpenAPI specs: no 500s, every answer as declared.

The app is the real one from ``create_app`` on a temporary SQLite database, called in process
(ASGI). Service operations get the service token, admin operations a leadership officer's
token (leadership sees every department, so the most code runs). Generation is derandomized:
the same cases every run, so a failure here is reproducible, not flaky.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend.api.app import create_app
from backend.auth import add_officer
from backend.db import make_engine, make_session_factory, transaction
from backend.migrate import migrate
from backend.triage import Triage
from core.config import Settings
from tests.backend.conftest import grievance

SERVICE_TOKEN = "fuzz-service-token"
# Examples per operation and generation mode; 14 operations x 2 modes x 38 = 1,064.
EXAMPLES = 38
MINIMUM_CASES = 1000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class FuzzTarget:
    app: Any
    service: dict[str, str]
    leadership: dict[str, str]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    directory: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{directory / 'fuzz.db'}"
    engine = make_engine(url)
    migrate(url, engine)
    with transaction(make_session_factory(engine)) as session:
        _, token = add_officer(session, "director", "MINISTRY-LEADERSHIP", "leadership")
    engine.dispose()
    app_settings = Settings(
        database_url=url,
        service_token=SERVICE_TOKEN,
        load_embedding_model=False,
        cache_dir=directory / "cache",
        rate_limit_enabled=False,  # the fuzzer is one very fast caller; limits have own tests
    )
    app = create_app(app_settings, triage=Triage(use_classifier=False))
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    with TestClient(app) as client:  # a few real tickets, so some lookups find something
        for user in ("9001", "9002", "9003"):
            body = grievance(channel_user_id=user)
            assert client.post("/api/v1/tickets", json=body, headers=service).status_code == 201
        # Scheme search loads its model and index on first use (10-20 s on a busy machine):
        # done here, so that the fuzzer's 10 s read timeout meets a warm service.
        warm = client.get("/api/v1/schemes/search", params={"q": "pmegp"}, headers=service)
        assert warm.status_code == 200
    yield FuzzTarget(app, service, {"Authorization": f"Bearer {token}"})


def test_service_and_admin_specs_hold_under_generated_input(target: FuzzTarget) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", target.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = [op for op in operations if re.match(r"^/(api|admin)/", op.path)]
    assert len(fuzzed) >= 12, [op.label for op in operations]
    cases: Counter[str] = Counter()
    answered: Counter[tuple[str, int]] = Counter()  # (api or admin, status class)
    failures: list[str] = []

    for operation in fuzzed:
        headers = target.service if operation.path.startswith("/api/") else target.leadership
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                cases[operation.label] += 1
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                answered[(operation.path.split("/")[1], response.status_code // 100)] += 1

            try:
                run()
            except (Exception, FailureGroup) as error:  # gather all, then report
                failures.append(f"{operation.label} ({mode.value}): {error}"[:3000])

    assert not failures, "\n\n".join(failures)
    assert sum(cases.values()) >= MINIMUM_CASES, cases
    # The tokens worked: both specs were exercised past authentication, not only refused.
    assert answered[("api", 2)] > 50 and answered[("admin", 2)] > 50, answered
    print(f"\n{sum(cases.values())} cases over {len(cases)} operations; answers: {answered}")
