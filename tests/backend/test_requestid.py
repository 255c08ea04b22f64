from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from core.logs import JsonFormatter, MaskPersonalData
from core.requestid import HEADER, RequestIdFilter


@pytest.fixture
def json_lines() -> list[str]:
    """Records of the app's loggers, formatted as configure_logging formats them in production."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(MaskPersonalData())
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    yield lines
    root.removeHandler(handler)
    root.setLevel(previous)


def test_a_callers_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={HEADER: "conv-tg-42.7"})
    assert response.headers[HEADER] == "conv-tg-42.7"


def test_a_missing_or_unusable_request_id_is_replaced(client: TestClient) -> None:
    made = client.get("/healthz").headers[HEADER]
    assert len(made) == 32 and made != client.get("/healthz").headers[HEADER]
    # Spaces, quotes and absurd lengths would corrupt log lines: replaced, not echoed.
    for bad in ("two words", 'x"y', "a" * 200):
        assert client.get("/healthz", headers={HEADER: bad}).headers[HEADER] != bad


def test_log_records_written_during_a_request_carry_its_id(
    client: TestClient, service_headers: dict[str, str], json_lines: list[str]
) -> None:
    # A throwaway sync route (run in the thread pool, like most routes) that logs.
    app = client.app

    @app.get("/test-logs")  # type: ignore[attr-defined]
    def write_a_log() -> dict[str, str]:
        logging.getLogger("backend.test").warning("called by name=Meena Kumari on 9876543210")
        return {"ok": "yes"}

    client.get("/test-logs", headers={HEADER: "req-abc-1"})
    entries = [json.loads(line) for line in json_lines if "backend.test" in line]
    assert len(entries) == 1
    assert entries[0]["request_id"] == "req-abc-1"
    assert "Meena" not in entries[0]["message"] and "9876543210" not in entries[0]["message"]
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "no request", None, None)
    RequestIdFilter().filter(outside)
    assert not hasattr(outside, "request_id")
