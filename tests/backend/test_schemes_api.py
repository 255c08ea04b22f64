"""GET /api/v1/schemes/search: validation, auth and the response shape (fake encoder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.deps import ServiceAuth
from backend.api.routes import schemes
from backend.schemes.search import LazySchemeSearch, SchemeSearch
from core.config import Settings

pytest_plugins = ["tests.backend.conftest_schemes"]

if TYPE_CHECKING:
    from tests.backend.conftest_schemes import HashingEncoder

TOKEN = "scheme-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "/api/v1/schemes/search"


def service_app(engine: object) -> FastAPI:
    """The router wired as create_app wires service routers: behind the service token."""
    app = FastAPI()
    app.state.settings = Settings(service_token=TOKEN, load_embedding_model=False)
    app.state.scheme_search = engine
    app.include_router(schemes.router, dependencies=[ServiceAuth])
    return app


@pytest.fixture
def client(small_engine: SchemeSearch) -> Iterator[TestClient]:
    with TestClient(service_app(small_engine)) as test_client:
        yield test_client


def test_answers_with_the_contract_shape(client: TestClient) -> None:
    response = client.get(URL, params={"q": "how much mudra loan"}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is True
    assert len(body["results"]) == 3  # k defaults to 3
    first = body["results"][0]
    assert set(first) == {"scheme_id", "title", "answer", "url", "score"}
    assert first["scheme_id"] == "mudra"
    assert first["answer"] == "Up to Rs 20 lakh."
    assert first["url"].startswith("https://")


def test_out_of_scope_question_is_not_answered(client: TestClient) -> None:
    response = client.get(URL, params={"q": "passport renewal appointment"}, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"answered": False, "results": []}


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "x" * 2000, "x" * 501])
def test_empty_or_overlong_questions_are_refused(client: TestClient, query: str) -> None:
    response = client.get(URL, params={"q": query}, headers=AUTH)
    assert response.status_code == 422


def test_missing_question_is_refused(client: TestClient) -> None:
    assert client.get(URL, headers=AUTH).status_code == 422


def test_question_of_exactly_the_limit_is_accepted(client: TestClient) -> None:
    query = ("mudra loan " * 50)[: schemes.MAX_QUERY_CHARS]
    response = client.get(URL, params={"q": query}, headers=AUTH)
    assert response.status_code == 200


@pytest.mark.parametrize(("k", "status"), [(0, 422), (1, 200), (10, 200), (11, 422), (-1, 422)])
def test_k_must_be_between_1_and_10(client: TestClient, k: int, status: int) -> None:
    response = client.get(URL, params={"q": "udyam certificate", "k": k}, headers=AUTH)
    assert response.status_code == status
    if status == 200:
        assert 1 <= len(response.json()["results"]) <= k


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic abc"}]
)
def test_service_token_is_required(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get(URL, params={"q": "udyam"}, headers=headers)
    assert response.status_code == 401


def test_lazy_engine_is_built_once_on_first_use(
    small_kb: Path, make_encoder: type[HashingEncoder], tmp_path: Path
) -> None:
    builds: list[SchemeSearch] = []

    def build() -> SchemeSearch:
        engine = SchemeSearch.from_directory(small_kb, make_encoder(), tmp_path / "cache")
        builds.append(engine)
        return engine

    with TestClient(service_app(LazySchemeSearch(build))) as client:
        assert builds == []  # nothing is loaded until a question comes
        for _ in range(3):
            assert client.get(URL, params={"q": "udyam"}, headers=AUTH).status_code == 200
    assert len(builds) == 1


def test_unconfigured_engine_is_a_503() -> None:
    with TestClient(service_app(None)) as client:
        response = client.get(URL, params={"q": "udyam"}, headers=AUTH)
    assert response.status_code == 503
