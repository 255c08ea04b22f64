"""Filing a grievance: route it (outside any transaction), then write the ticket, its two
audit events and its notifications in one savepoint of the caller's transaction, as raw SQL on
the driver's cursor (one statement per row; the statements are ``backend/filing_sql.py``).
The rows are those the ORM path would write: ``tests/backend/test_filing_parity.py`` checks
the notifications against ``backend.notifications``. Group commit
(``backend.db.GroupCommit``) runs several filings in one transaction through ``filing_unit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from backend.duplicates import repeated_ticket
from backend.filing_sql import FilingSql, filing_sql
from backend.models import (
    Department,
    Ticket,
    utcnow,
)
from backend.notifications import (
    citizen_key,
    citizen_language,
    citizen_text,
    critical_officer_text,
    department_name,
    level_name,
    officer_key,
    officer_text,
)
from backend.tickets import (
    CITIZEN,
    SYSTEM_ROUTER,
    Actor,
    IdempotencyConflict,
    NewTicket,
    TicketNotFound,
    request_digest,
    scoped_key,
)
from backend.triage import Triage
from infra.channels import CHAT_CHANNELS
from routing import ticket_number
from routing.directory import Department as DirectoryDepartment
from routing.directory import load_directory
from routing.lifecycle import Action, Status, next_status
from routing.rules import RouteDecision
from routing.sla import Deadlines, deadlines, urgent_deadlines
from routing.urgency import CRITICAL, NORMAL, Urgency


@dataclass
class Filed:
    """What filing returns: the created ticket's answer, or the id of an earlier filing with
    the same idempotency key (or external reference) that this one repeats."""

    created: bool
    ticket_id: int
    number: str = ""
    status: str = ""
    department_code: str = ""
    department_name: str = ""
    department_name_hi: str = ""
    ack_due_at: datetime | None = None
    resolve_due_at: datetime | None = None
    duplicate_of: str | None = None  # the number of the open ticket this one repeats
    urgency: str = NORMAL
    urgency_reasons: str = ""  # reason codes joined by commas, as stored


NOT_URGENT: Final = Urgency(NORMAL, ())


@dataclass(frozen=True)
class Routed:
    """A grievance with its route decided (outside any transaction: routing may encode)."""

    data: NewTicket
    decision: RouteDecision
    ack_days: int
    resolve_days: int
    now: datetime
    urgency: Urgency = NOT_URGENT
    critical_ack_hours: float = 4.0


def route_filing(data: NewTicket, triage: Triage, now: datetime) -> Routed:
    decision = triage.route(data.category, data.state, data.description)
    return Routed(
        data,
        decision,
        *triage.sla_for(decision.category),
        now,
        urgency=triage.urgency(data.description),
        critical_ack_hours=triage.directory.critical_ack_hours,
    )


def create_ticket(
    factory: sessionmaker[Session], data: NewTicket, triage: Triage, now: datetime
) -> tuple[Ticket, bool]:
    """Create and route a ticket; the same idempotency key returns the first ticket.

    Returns (ticket, created). Safe under concurrent retries: the filing reads the key inside
    its write transaction, and where a concurrent transaction (PostgreSQL) wins the unique
    constraint anyway, the loser reads the winner's ticket.
    """
    routed = route_filing(data, triage, now)
    with factory() as session, session.begin():
        filed = run_filing(session.connection(), routed)
    return ticket_for(factory, filed), filed.created


def ticket_for(factory: sessionmaker[Session], filed: Filed) -> Ticket:
    """A detached Ticket carrying what callers read (number, status, department, deadlines).

    A new filing is answered from what it wrote; a repeated one reads the earlier ticket (and
    sets ``filed.duplicate_of`` from it, so a replay answers as the first filing did).
    """
    if not filed.created:
        with factory() as session:
            ticket = session.get(Ticket, filed.ticket_id)
            if ticket is None:  # pragma: no cover - the id came from this database
                raise TicketNotFound(filed.ticket_id)
            if ticket.duplicate_of_id is not None:
                filed.duplicate_of = session.scalar(
                    select(Ticket.number).where(Ticket.id == ticket.duplicate_of_id)
                )
            session.expunge(ticket)
            return ticket
    assert filed.ack_due_at is not None and filed.resolve_due_at is not None
    ticket = Ticket(
        id=filed.ticket_id,
        number=filed.number,
        status=filed.status,
        department_code=filed.department_code,
        ack_due_at=filed.ack_due_at,
        resolve_due_at=filed.resolve_due_at,
        urgency=filed.urgency,
        urgency_reasons=filed.urgency_reasons,
    )
    ticket.department = Department(
        code=filed.department_code, name=filed.department_name, name_hi=filed.department_name_hi
    )
    return ticket


def run_filing(connection: Connection, routed: Routed, cache: FilingCache | None = None) -> Filed:
    """File one routed grievance on ``connection``, inside its (open) transaction."""
    sql = filing_sql(connection.dialect.name)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        return file_on_cursor(cursor, sql, routed, cache or FilingCache())
    finally:
        cursor.close()


def filing_unit(routed: Routed) -> Callable[[Connection, dict[str, Any]], Filed]:
    """The filing as a unit for ``backend.db.GroupCommit``: the filings of one batch share
    their transaction's officer loads."""

    def unit(connection: Connection, shared: dict[str, Any]) -> Filed:
        cache = shared.setdefault("filing", FilingCache())
        return run_filing(connection, routed, cache)

    return unit


class FilingCache:
    """What filings in one transaction may share: the open-ticket count of each officer.

    Loads are read from the database once per department per transaction and kept up to date
    as this transaction assigns tickets; no other writer can change them meanwhile on SQLite
    (the transaction holds the write lock), and on PostgreSQL the once-per-statement read saw
    no more than this (other transactions' uncommitted assignments are invisible to both).
    """

    def __init__(self) -> None:
        self.loads: dict[str, dict[int, int]] = {}


def file_on_cursor(cursor: Any, sql: FilingSql, routed: Routed, cache: FilingCache) -> Filed:
    """The filing's statements on a driver cursor, inside a savepoint of the caller's
    transaction: a failed filing leaves no row behind and does not spoil the transaction
    (group commit runs several filings in one)."""
    data = routed.data
    for _attempt in range(5):
        cursor.execute("SAVEPOINT filing")
        try:
            filed = _file_rows(cursor, sql, routed, cache)
            cursor.execute("RELEASE SAVEPOINT filing")
            return filed
        except sql.integrity_error as error:
            cursor.execute("ROLLBACK TO SAVEPOINT filing")
            cursor.execute("RELEASE SAVEPOINT filing")
            cache.loads.clear()  # the rolled-back assignment must not count
            # A concurrent filing (PostgreSQL) with the same key or reference won the race.
            earlier = _earlier_filing(cursor, sql, data)
            if earlier is not None:
                return Filed(created=False, ticket_id=earlier)
            if "number" not in str(error).lower():
                raise
            # A random number collided with an existing one: draw another.
        except BaseException:
            cursor.execute("ROLLBACK TO SAVEPOINT filing")
            cursor.execute("RELEASE SAVEPOINT filing")
            cache.loads.clear()
            raise
    raise RuntimeError("could not allocate a ticket number")


def _replayed(cursor: Any, sql: FilingSql, data: NewTicket) -> int | None:
    """The id of the caller's earlier filing with this idempotency key, if any; the same key
    with another body is refused (tickets filed before the digest was kept have none)."""
    key = scoped_key(data)
    if key is None:
        return None
    cursor.execute(sql.by_key, {"key": key})
    row = cursor.fetchone()
    if row is None:
        return None
    if row[1] is not None and row[1] != request_digest(data):
        raise IdempotencyConflict
    return int(row[0])


def _earlier_filing(cursor: Any, sql: FilingSql, data: NewTicket) -> int | None:
    earlier = _replayed(cursor, sql, data)
    if earlier is not None:
        return earlier
    if data.external_source and data.external_ref:
        cursor.execute(sql.by_external, {"source": data.external_source, "ref": data.external_ref})
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
    return None


def _file_rows(cursor: Any, sql: FilingSql, routed: Routed, cache: FilingCache) -> Filed:
    """Insert a filed-and-routed ticket, its two audit events and its notifications.

    The same rows, in the same transaction, as the ORM would write: the ticket (assigned to
    the department's least-loaded officer and linked to an open ticket it repeats), the
    ``create`` and ``route`` events, the citizen's notification and the officer's.
    """
    data, decision, now = routed.data, routed.decision, routed.now
    # Inside the write transaction: the replay check and the insert see the same state.
    earlier = _replayed(cursor, sql, data)
    if earlier is not None:
        return Filed(created=False, ticket_id=earlier)
    created_at = data.created_at or now
    due: Deadlines = deadlines(created_at, routed.ack_days, routed.resolve_days)
    urgency = routed.urgency
    if urgency.level == CRITICAL:
        due = urgent_deadlines(created_at, due, routed.critical_ack_hours)
    department_code = decision.department_code
    known = load_directory().departments.get(department_code)
    if known is None:
        raise LookupError(f"department {department_code} is not in the directory")
    loads = cache.loads.get(department_code)
    if loads is None:
        cursor.execute(sql.officer_loads, {"department": department_code, "active": True})
        loads = cache.loads[department_code] = {int(i): int(n) for i, n in cursor.fetchall()}
    officer_id = min(loads, key=lambda i: (loads[i], i)) if loads else None
    cursor.execute(
        sql.duplicate_candidates, {"channel": data.channel, "user": data.channel_user_id}
    )
    duplicate_of = repeated_ticket(data.description, cursor.fetchall())
    duplicate_number = None
    if duplicate_of is not None:  # rare: told to the citizen by number
        cursor.execute(sql.number_of, {"id": duplicate_of})
        duplicate_number = str(cursor.fetchone()[0])
    number = ticket_number.generate()
    routed_status = next_status(Status.NEW, Action.ROUTE).value
    language = citizen_language(data.language, data.description, data.name, data.enterprise_name)
    ticket = {
        "number": number,
        "idempotency_key": scoped_key(data),
        "request_digest": request_digest(data) if data.idempotency_key else None,
        "channel": data.channel,
        "channel_user_id": data.channel_user_id,
        "name": data.name,
        "mobile": data.mobile,
        "enterprise_name": data.enterprise_name,
        "udyam_number": data.udyam_number,
        "state": data.state,
        "district": data.district,
        "category": decision.category,
        "description": data.description,
        "language": language,
        "department_code": department_code,
        "officer_id": officer_id,
        "status": routed_status,
        "escalation_level": 0,
        "ack_due_at": due.ack_due_at,
        "resolve_due_at": due.resolve_due_at,
        "route_confidence": float(decision.confidence),
        "route_reason": str(decision.reason)[:300],
        "urgency": urgency.level,
        "urgency_reasons": ",".join(urgency.reasons)[:200],
        "external_source": data.external_source,
        "external_ref": data.external_ref,
        "duplicate_of_id": duplicate_of,
        "attachments": list(data.attachments),
        "created_at": created_at,
        "updated_at": now,
    }
    cursor.execute(
        sql.insert_ticket, {key: sql.value(ticket.get(key)) for key in sql.ticket_columns}
    )
    ticket_id = int(cursor.fetchone()[0])
    filer = CITIZEN if not data.external_source else Actor(f"import:{data.external_source}")
    at = sql.value(now)
    cursor.execute(
        sql.insert_events,
        {
            "ticket_id": ticket_id,
            "at": at,
            "filer": filer.label,
            "router": SYSTEM_ROUTER.label,
            "action1": "create",
            "from1": None,
            "to1": Status.NEW.value,
            "note1": f"filed over {data.channel}",
            "action2": Action.ROUTE.value,
            "from2": Status.NEW.value,
            "to2": routed_status,
            "note2": f"{department_code}: {decision.reason}",
        },
    )
    # The route event is the second row, so it has the larger id.
    route_event = max(int(row[0]) for row in cursor.fetchall())
    for note in _filing_notifications(
        data, language, number, decision.category, known, officer_id, route_event
    ):
        note.update(
            ticket_id=ticket_id,
            ticket_status=routed_status,
            next_attempt_at=at,
            created_at=sql.value(utcnow()),
        )
        cursor.execute(sql.insert_notification, note)
    if urgency.level == CRITICAL:
        # At once, not at the first escalation: the department's heads and leadership.
        cursor.execute(sql.urgent_officers, {"department": department_code, "active": True})
        text = critical_officer_text(number, decision.category, data.state, urgency.reasons)
        for (urgent_officer,) in cursor.fetchall():
            cursor.execute(
                sql.insert_notification,
                {
                    "ticket_id": ticket_id,
                    "delivery_key": officer_key(number, "critical", route_event, urgent_officer),
                    "recipient": "officer",
                    "channel": "officer",
                    "channel_user_id": str(urgent_officer),
                    "language": "en",
                    "kind": "critical",
                    "text": text,
                    "ticket_status": routed_status,
                    "next_attempt_at": at,
                    "created_at": sql.value(utcnow()),
                },
            )
    if officer_id is not None:
        loads[officer_id] += 1
    return Filed(
        created=True,
        ticket_id=ticket_id,
        number=number,
        status=routed_status,
        department_code=department_code,
        department_name=known.name,
        department_name_hi=known.name_hi,
        ack_due_at=due.ack_due_at,
        resolve_due_at=due.resolve_due_at,
        duplicate_of=duplicate_number,
        urgency=urgency.level,
        urgency_reasons=",".join(urgency.reasons)[:200],
    )


def _filing_notifications(
    data: NewTicket,
    language: str,
    number: str,
    category: str,
    department: DirectoryDepartment,
    officer_id: int | None,
    route_event: int,
) -> list[dict[str, Any]]:
    """The outbox rows of a filing: ``notify_citizen(created)`` and ``notify_officers(assigned)``
    as they come out for a new ticket (level 0: the assigned officer only)."""
    rows: list[dict[str, Any]] = []
    if data.channel in CHAT_CHANNELS:
        text = citizen_text(
            "created",
            language,
            number=number,
            department=department_name(department, language),
            note="",
            level_name=level_name(0, language),
        )
        rows.append(
            {
                "delivery_key": citizen_key(number, "created", route_event),
                "recipient": "citizen",
                "channel": data.channel,
                "channel_user_id": data.channel_user_id,
                "language": language,
                "kind": "created",
                "text": text,
            }
        )
    if officer_id is not None:
        rows.append(
            {
                "delivery_key": officer_key(number, "assigned", route_event, officer_id),
                "recipient": "officer",
                "channel": "officer",
                "channel_user_id": str(officer_id),
                "language": "en",
                "kind": "assigned",
                "text": officer_text(
                    "assigned", number=number, category=category, state=data.state, level=0, note=""
                ),
            }
        )
    return rows
