"""The pulse's sources through the admin API (leadership only) and the command line:
configure, upload exports (raw or multipart, bounded), pull feeds, remove with their items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.__main__ import main
from backend.db import make_engine
from core.config import Settings
from tests.backend.conftest import START, Officers
from tests.support.feed_server import FeedServer, entries
from tests.support.pulse_checks import assert_consistent, items
from tests.support.pulse_posts import posts

SOURCES = "/admin/v1/pulse/sources"
IMPORTS = "/admin/v1/pulse/imports"
PULL = "/admin/v1/pulse/pull"
UPLOAD_LIMIT = 64 * 1024
TEXTS = posts(40, seed=5)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "pulse_feeds_allow_private": True,
            "pulse_feed_timeout_seconds": 0.5,
            "pulse_max_upload_bytes": UPLOAD_LIMIT,
            # Many refused tokens on purpose; the limits are tested apart.
            "rate_limit_enabled": False,
        }
    )


@pytest.fixture
def engine(settings: Settings, client: TestClient) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def leader(officers: Officers) -> dict[str, str]:
    return officers.add("director", "MINISTRY-LEADERSHIP", role="leadership")


def jsonl(texts: list[str]) -> str:
    return "".join(
        json.dumps({"text": text, "time": (START - timedelta(hours=n + 1)).isoformat()}) + "\n"
        for n, text in enumerate(texts)
    )


def add(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(SOURCES, json=body, headers=headers)


def test_no_token_is_401_and_other_roles_403(client: TestClient, officers: Officers) -> None:
    calls = [
        ("GET", SOURCES, {}),
        ("POST", SOURCES, {"json": {"name": "news", "kind": "csv"}}),
        ("PATCH", f"{SOURCES}/news", {"json": {"enabled": False}}),
        ("DELETE", f"{SOURCES}/news", {}),
        ("POST", f"{IMPORTS}?source=news", {"content": jsonl(TEXTS[:2])}),
        ("POST", PULL, {}),
    ]
    roles = {role: officers.add(f"{role}-1", "MSEFC-MH", role=role) for role in ("officer", "head")}
    for method, url, extra in calls:
        assert client.request(method, url, **extra).status_code == 401, url
        bad = {"Authorization": "Bearer ofc_not-a-token"}
        assert client.request(method, url, headers=bad, **extra).status_code == 401, url
        for role, headers in roles.items():
            response = client.request(method, url, headers=headers, **extra)
            assert response.status_code == 403, (url, role)


def test_leadership_configures_sources(client: TestClient, leader: dict[str, str]) -> None:
    made = add(client, leader, name="PIB MSME", kind="rss", url="https://pib.example/rss.xml")
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "rss" and made.json()["items"] == 0
    assert (
        add(client, leader, name="PIB MSME", kind="rss", url="https://x.example/").status_code
        == 409
    )
    refused = {
        "ftp": {"name": "a", "kind": "rss", "url": "ftp://pib.example/rss"},
        "script": {"name": "b", "kind": "rss", "url": "javascript:alert(1)"},
        "no host": {"name": "c", "kind": "rss", "url": "http://"},
        "no url": {"name": "d", "kind": "rss"},
        "kind": {"name": "e", "kind": "myspace"},
        "name": {"name": "../etc", "kind": "csv"},
        "interval": {
            "name": "f",
            "kind": "rss",
            "url": "https://a.example/",
            "interval_minutes": 1,
        },
    }
    for why, body in refused.items():
        response = add(client, leader, **body)
        assert response.status_code == 422, why
        assert response.json()["detail"], why
    assert add(client, leader, name="tweets", kind="x", hide_handles=True).status_code == 201
    listed = client.get(SOURCES, headers=leader).json()["sources"]
    assert [(s["name"], s["kind"], s["hide_handles"]) for s in listed] == [
        ("PIB MSME", "rss", False),
        ("tweets", "x", True),
    ]
    changed = client.patch(
        f"{SOURCES}/PIB MSME",
        json={"hide_handles": True, "interval_minutes": 15, "enabled": False},
        headers=leader,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["interval_minutes"], changed.json()["enabled"]) == (15, False)
    assert client.patch(f"{SOURCES}/nobody", json={}, headers=leader).status_code == 404
    bad_url = client.patch(f"{SOURCES}/PIB MSME", json={"url": "file:///etc"}, headers=leader)
    assert bad_url.status_code == 422


def test_uploads_raw_or_multipart_bounded_and_idempotent(
    client: TestClient, leader: dict[str, str], engine: Engine
) -> None:
    assert add(client, leader, name="forum", kind="jsonl").status_code == 201
    assert add(client, leader, name="feed", kind="rss", url="https://a.example/").status_code == 201
    payload = jsonl(TEXTS[:20]) + "not json\n" + jsonl(TEXTS[:3])
    first = client.post(f"{IMPORTS}?source=forum", content=payload.encode(), headers=leader)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "created": 20,
        "skipped": 3,
        "errors": [{"line": 21, "error": "not valid JSON: Expecting value"}],
    }
    files = {"file": ("posts.jsonl", payload.encode(), "application/x-ndjson")}
    again = client.post(f"{IMPORTS}?source=forum", files=files, headers=leader)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["skipped"]) == (0, 23)
    assert len(items(engine)) == 20
    assert_consistent(engine)

    def upload(source: str, body: bytes) -> int:
        return client.post(f"{IMPORTS}?source={source}", content=body, headers=leader).status_code

    assert upload("feed", payload.encode()) == 409  # a feed is pulled
    assert upload("nobody", payload.encode()) == 404
    assert upload("forum", "नमस्ते".encode("utf-16")) == 422
    assert upload("forum", b"  \n") == 422
    assert upload("forum", b"x" * (UPLOAD_LIMIT + 1)) == 413
    assert client.post(IMPORTS, content=b"{}", headers=leader).status_code == 422  # no source
    client.patch(f"{SOURCES}/forum", json={"enabled": False}, headers=leader)
    assert upload("forum", payload.encode()) == 409

    listed = client.get(SOURCES, headers=leader).json()["sources"]
    assert {s["name"]: s["items"] for s in listed} == {"feed": 0, "forum": 20}
    removed = client.delete(f"{SOURCES}/forum", headers=leader)
    assert removed.json() == {"removed_items": 20}
    assert items(engine) == []
    assert_consistent(engine)  # the daily counts went with the items
    assert client.delete(f"{SOURCES}/forum", headers=leader).status_code == 404


def test_pull_named_or_due_feeds(
    client: TestClient, leader: dict[str, str], engine: Engine
) -> None:
    server = FeedServer(rss_entries=entries("n", TEXTS[:12], START), atom_entries=[])
    with server.running():
        assert (
            add(client, leader, name="news", kind="rss", url=server.url("/rss")).status_code == 201
        )
        assert (
            add(client, leader, name="down", kind="rss", url=server.url("/flaky")).status_code
            == 201
        )
        assert add(client, leader, name="csv", kind="csv").status_code == 201
        named = client.post(f"{PULL}?source=news", headers=leader)
        assert named.status_code == 200, named.text
        assert named.json()["pulls"] == [
            {
                "source": "news",
                "status": "new",
                "error": None,
                "created": 12,
                "skipped": 0,
                "errors": [],
            }
        ]
        due = client.post(PULL, headers=leader).json()["pulls"]  # news is not due again yet
        assert [(p["source"], p["status"], p["error"]) for p in due] == [
            ("down", "failed", "HTTP 500")
        ]
        assert client.post(f"{PULL}?source=csv", headers=leader).status_code == 409
    listed = {s["name"]: s for s in client.get(SOURCES, headers=leader).json()["sources"]}
    assert (listed["down"]["failures"], listed["down"]["last_error"]) == (1, "HTTP 500")
    assert listed["news"]["items"] == 12
    assert_consistent(engine)


def test_command_line(
    settings: Settings, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    export = tmp_path / "posts.jsonl"
    export.write_text(jsonl(TEXTS[20:30]) + "{broken\n", encoding="utf-8")
    assert main(["pulse", "source", "add", "--name", "forum", "--kind", "jsonl"]) == 0
    assert main(["pulse", "source", "add", "--name", "forum", "--kind", "jsonl"]) == 2
    assert main(["pulse", "source", "add", "--name", "n", "--kind", "rss", "--url", "ftp://a"]) == 2
    assert main(["pulse", "import", "--source", "forum", str(export)]) == 1  # one bad line
    out = capsys.readouterr()
    assert "created 10, skipped 0" in out.out and "line 11: not valid JSON" in out.err
    assert main(["pulse", "source", "list"]) == 0
    assert "forum\tjsonl\tyes\t10\t0" in capsys.readouterr().out
    assert main(["pulse", "source", "disable", "forum"]) == 0
    assert main(["pulse", "import", "--source", "forum", str(export)]) == 2
    assert main(["pulse", "pull"]) == 0
    assert "no feed is due" in capsys.readouterr().out
    assert main(["pulse", "source", "remove", "forum"]) == 0
    assert items(engine) == []
    assert_consistent(engine)
