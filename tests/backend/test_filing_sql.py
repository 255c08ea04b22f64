"""The filing's statements per driver (``backend/filing_sql.py``): named parameters as each
driver takes them, and values adapted the way the models' column types would."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from backend.filing_sql import FilingSql, filing_sql


def test_sqlite_keeps_named_parameters_postgresql_gets_pyformat() -> None:
    lite, postgres = FilingSql("sqlite"), FilingSql("postgresql")
    assert lite.by_key == "SELECT id, request_digest FROM tickets WHERE idempotency_key = :key"
    assert postgres.by_key == (
        "SELECT id, request_digest FROM tickets WHERE idempotency_key = %(key)s"
    )
    # A cast (::) is not a parameter; the attachments column is JSON on PostgreSQL.
    assert "CAST(%(attachments)s AS JSON)" in postgres.insert_ticket
    assert ":attachments" in lite.insert_ticket and "CAST" not in lite.insert_ticket
    assert "id" not in lite.ticket_columns and "number" in lite.ticket_columns


def test_values_are_stored_as_the_models_would_store_them() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    moment = datetime(2026, 11, 2, 15, 30, tzinfo=ist)
    assert FilingSql("sqlite").value(moment) == "2026-11-02 10:00:00.000000"
    assert FilingSql("postgresql").value(moment) == moment
    assert FilingSql("sqlite").value(["a.jpg"]) == '["a.jpg"]'
    assert FilingSql("sqlite").value(3) == 3


def test_statements_are_written_once_per_dialect() -> None:
    assert filing_sql("sqlite") is filing_sql("sqlite")
