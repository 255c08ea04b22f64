"""The statements of a filing as driver SQL, in one place (``backend/filing.py`` runs them).

The rows they write are those the ORM path would write: ``tests/backend/test_filing_parity.py``.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import UTC, datetime
from typing import Any

from backend.duplicates import CANDIDATES as DUPLICATE_CANDIDATES
from backend.models import OPEN_SQL, Ticket


class FilingSql:
    """The statements of a filing as driver SQL, written once per dialect.

    Filing is the hot path: through SQLAlchemy each of its statements cost about 0.4 ms of
    Python (statement building, cache keys, result processing); straight on the driver's
    cursor the whole filing is a fraction of that. Values are adapted here the way the
    models' column types would (UTC datetimes, JSON), so the rows read back the same.
    """

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.integrity_error: type[Exception]
        if dialect == "sqlite":
            import sqlite3

            self.integrity_error = sqlite3.IntegrityError
        else:
            import psycopg

            self.integrity_error = psycopg.IntegrityError
        self.by_key = self._sql(
            "SELECT id, request_digest FROM tickets WHERE idempotency_key = :key"
        )
        self.by_external = self._sql(
            "SELECT id FROM tickets WHERE external_source = :source AND external_ref = :ref"
        )
        # Open tickets per active officer of the department: the least loaded gets the next.
        self.officer_loads = self._sql(
            "SELECT o.id, (SELECT count(*) FROM tickets t WHERE t.officer_id = o.id"  # noqa: S608
            f" AND t.status IN ({OPEN_SQL})) FROM officers o"
            " WHERE o.department_code = :department AND o.role = 'officer'"
            " AND o.active = :active"
        )
        self.number_of = self._sql("SELECT number FROM tickets WHERE id = :id")
        # Who hears of a critical grievance at once: the department's heads and leadership.
        self.urgent_officers = self._sql(
            "SELECT id FROM officers WHERE active = :active AND ((role = 'head'"
            " AND department_code = :department) OR role = 'leadership') ORDER BY id"
        )
        self.duplicate_candidates = self._sql(
            "SELECT id, duplicate_of_id, description FROM tickets"  # noqa: S608
            " WHERE channel = :channel AND channel_user_id = :user"
            f" AND status IN ({OPEN_SQL}) ORDER BY id DESC LIMIT {DUPLICATE_CANDIDATES}"
        )
        ticket_columns = [column.key for column in Ticket.__table__.columns if column.key != "id"]
        values = ", ".join(
            f"CAST(:{key} AS JSON)" if key == "attachments" and dialect != "sqlite" else f":{key}"
            for key in ticket_columns
        )
        self.ticket_columns = tuple(ticket_columns)
        self.insert_ticket = self._sql(
            # Column names come from the model, values are all parameters.
            f"INSERT INTO tickets ({', '.join(ticket_columns)}) VALUES ({values}) RETURNING id"  # noqa: S608
        )
        self.insert_events = self._sql(
            "INSERT INTO ticket_events (ticket_id, at, actor, action, from_status, to_status,"
            " note) VALUES (:ticket_id, :at, :filer, :action1, :from1, :to1, :note1),"
            " (:ticket_id, :at, :router, :action2, :from2, :to2, :note2) RETURNING id"
        )
        self.insert_notification = self._sql(
            "INSERT INTO notifications (ticket_id, delivery_key, recipient, channel,"
            " channel_user_id, language, kind, text, ticket_status, status, attempts,"
            " next_attempt_at, created_at) VALUES (:ticket_id, :delivery_key, :recipient,"
            " :channel, :channel_user_id, :language, :kind, :text, :ticket_status, 'pending', 0,"
            " :next_attempt_at, :created_at)"
        )

    def _sql(self, text: str) -> str:
        # SQLite's driver takes :name; psycopg takes %(name)s.
        if self.dialect == "sqlite":
            return text
        return re.sub(r"(?<!:):([a-z_0-9]+)", r"%(\1)s", text)

    def value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            value = value.astimezone(UTC)
            # SQLAlchemy's SQLite DateTime storage format, so the ORM reads these rows.
            return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.dialect == "sqlite" else value
        if isinstance(value, list):
            return json.dumps(value)
        return value


@functools.cache
def filing_sql(dialect: str) -> FilingSql:
    return FilingSql(dialect)
