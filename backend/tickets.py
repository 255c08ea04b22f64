"""The ticket service: creation, transitions, citizen messages and feedback.

Every function works inside the caller's transaction, so a change, its audit events and its
notifications commit together or not at all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, sessionmaker

from backend.duplicates import CANDIDATES as DUPLICATE_CANDIDATES
from backend.duplicates import THRESHOLD as DUPLICATE_THRESHOLD
from backend.duplicates import similarity
from backend.models import (
    OPEN_SQL,
    Department,
    Officer,
    Ticket,
    TicketEvent,
    TicketMessage,
    utcnow,
)
from backend.notifications import (
    LEVEL_NAMES,
    citizen_key,
    citizen_language,
    citizen_text,
    critical_officer_text,
    department_name,
    notify_citizen,
    notify_officers,
    officer_key,
    officer_text,
)
from backend.triage import Triage
from infra.channels import CHAT_CHANNELS
from routing import ticket_number
from routing.directory import Department as DirectoryDepartment
from routing.directory import load_directory
from routing.lifecycle import Action, Status, next_status
from routing.rules import RouteDecision
from routing.sla import MAX_LEVEL, Deadlines, deadlines, resumed_deadlines, urgent_deadlines
from routing.urgency import CRITICAL, NORMAL, Urgency


class TicketNotFound(Exception):
    pass


class MistypedNumber(Exception):
    pass


class NotOwner(Exception):
    pass


class InvalidRequest(ValueError):
    """A request the caller can fix, refused with a message written for them (422). Any other
    ValueError reaching the API is a fault whose text is not shown (``backend.api.errors``)."""


class IdempotencyConflict(Exception):
    """The caller's idempotency key was used before for another request body (409): the key
    names one filing, so a changed grievance needs a new key."""


class CitizenRefused(Exception):
    """A message or feedback the ticket's state does not take (nothing changes), with a
    stable ``code`` for clients: ``ticket_final`` (rejected or closed), ``not_resolved``
    (feedback on an open ticket), ``reopen_window_passed`` (resolved too long ago)."""

    def __init__(self, code: str, message: str, status: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Actor:
    """Who did something: shown in the audit trail."""

    label: str  # citizen | officer:<id> | system:sla | import:<source>
    officer: Officer | None = None

    @classmethod
    def for_officer(cls, officer: Officer) -> Actor:
        return cls(f"officer:{officer.id}", officer)


CITIZEN = Actor("citizen")
SYSTEM_SLA = Actor("system:sla")
SYSTEM_ROUTER = Actor("system:router")


# What a form or a client writes for "no answer": a skipped question, a serialised None.
# Never the value of a required field (``TicketCreate``, the CPGRAMS import).
PLACEHOLDERS = frozenset(
    {"none", "null", "nil", "n/a", "na", "n.a.", "-", "--", "undefined", "skip", "nan"}
)
REQUIRED_FIELDS = (
    "name",
    "mobile",
    "enterprise_name",
    "state",
    "district",
    "category",
    "description",
)


def is_placeholder(value: object) -> bool:
    """True for None, an empty or blank string, or a placeholder word in any case."""
    if value is None:
        return True
    return isinstance(value, str) and value.strip().casefold() in PLACEHOLDERS | {""}


@dataclass
class NewTicket:
    channel: str
    channel_user_id: str
    name: str
    enterprise_name: str
    state: str
    district: str
    category: str
    description: str
    language: str = "en"
    mobile: str | None = None
    udyam_number: str | None = None
    idempotency_key: str | None = None
    external_source: str | None = None
    external_ref: str | None = None
    attachments: list[str] = field(default_factory=list)
    created_at: datetime | None = None


def parse_number(text: str) -> str:
    """The canonical number, or MistypedNumber before any lookup."""
    number = ticket_number.normalize(text)
    if number is None:
        raise MistypedNumber(text)
    return number


def get_ticket(session: Session, text: str, *, for_update: bool = False) -> Ticket:
    number = parse_number(text)
    query = select(Ticket).where(Ticket.number == number)
    if for_update:
        query = query.with_for_update(of=Ticket)
    ticket = session.scalars(query).first()
    if ticket is None:
        raise TicketNotFound(number)
    return ticket


def scoped_key(data: NewTicket) -> str | None:
    """The stored form of an idempotency key: a hash of the caller's channel identity and the
    key, so one caller's key never finds (or reveals) another caller's ticket."""
    if not data.idempotency_key:
        return None
    scope = "\x00".join((data.channel, data.channel_user_id, data.idempotency_key))
    return hashlib.sha256(scope.encode()).hexdigest()


def request_digest(data: NewTicket) -> str:
    """A hash of what was asked (every field as validated): a replay must ask the same."""
    fields = {k: v for k, v in asdict(data).items() if k not in ("created_at",)}
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def find_by_external_ref(session: Session, source: str, ref: str) -> Ticket | None:
    return session.scalars(
        select(Ticket).where(Ticket.external_source == source, Ticket.external_ref == ref)
    ).first()


def least_loaded_officer(session: Session, department_code: str) -> int | None:
    open_statuses = [
        s.value for s in Status if s not in (Status.RESOLVED, Status.CLOSED, Status.REJECTED)
    ]
    load = (
        select(func.count(Ticket.id))
        .where(Ticket.officer_id == Officer.id, Ticket.status.in_(open_statuses))
        .correlate(Officer)
        .scalar_subquery()
    )
    row = session.execute(
        select(Officer.id)
        .where(
            Officer.department_code == department_code,
            Officer.role == "officer",
            Officer.active.is_(True),
        )
        .order_by(load, Officer.id)
        .limit(1)
    ).first()
    return int(row[0]) if row else None


def add_event(
    session: Session,
    ticket: Ticket,
    actor: Actor,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str,
    at: datetime,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        at=at,
        actor=actor.label,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    session.add(event)
    session.flush()
    return event


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
    duplicate_of = _repeated_ticket(data.description, cursor.fetchall())
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


def _repeated_ticket(description: str, candidates: list[Any]) -> int | None:
    """The group a new ticket joins (``backend.duplicates``: the first filing's id)."""
    best: tuple[float, int] | None = None
    for candidate_id, candidate_group, candidate_text in candidates:
        score = similarity(description, candidate_text)
        if score >= DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, int(candidate_group or candidate_id))
    return best[1] if best else None


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
            level_name=LEVEL_NAMES[language].get(0, ""),
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


def apply_officer_action(
    session: Session,
    ticket: Ticket,
    action: Action,
    actor: Actor,
    now: datetime,
    *,
    note: str = "",
    department_code: str | None = None,
) -> TicketEvent:
    """Run one officer action through the state machine (InvalidTransition changes nothing)."""
    current = Status(ticket.status)
    target = next_status(current, action)
    kind: str | None = None
    if action == Action.ACKNOWLEDGE:
        ticket.acknowledged_at = now
        kind = "acknowledged"
    elif action == Action.REPLY:
        session.add(TicketMessage(ticket_id=ticket.id, at=now, author=actor.label, text=note))
        kind = "reply"
    elif action == Action.REQUEST_INFO:
        ticket.paused_at = now
        kind = "request_info"
    elif action == Action.TRANSFER:
        if not department_code or department_code == ticket.department_code:
            raise InvalidRequest("transfer needs another department")
        if session.get(Department, department_code) is None:
            raise InvalidRequest(f"unknown department {department_code}")
        ticket.department = session.get(Department, department_code)  # type: ignore[assignment]
        ticket.officer_id = least_loaded_officer(session, department_code)
        kind = "transferred"
    elif action == Action.RESOLVE:
        ticket.resolution = note
        ticket.resolved_at = now
        _resume_clocks(ticket, now)
        kind = "resolved"
    elif action == Action.REJECT:
        ticket.rejection_reason = note
        _resume_clocks(ticket, now)
        kind = "rejected"
    elif action == Action.CLOSE:
        ticket.closed_at = now
    ticket.status = target.value
    ticket.updated_at = now
    event_note = f"{department_code}: {note}" if action == Action.TRANSFER else note
    event = add_event(
        session, ticket, actor, action.value, current.value, target.value, event_note, now
    )
    if kind is not None:
        notify_citizen(session, ticket, kind, event.id, note)
        if action == Action.TRANSFER:
            notify_officers(session, ticket, "assigned", event.id)
    return event


def _resume_clocks(ticket: Ticket, now: datetime) -> None:
    if ticket.paused_at is None:
        return
    resumed = resumed_deadlines(
        Deadlines(ticket.ack_due_at, ticket.resolve_due_at), now - ticket.paused_at
    )
    ticket.ack_due_at, ticket.resolve_due_at = resumed.ack_due_at, resumed.resolve_due_at
    ticket.paused_at = None


def officer_questions(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The latest request for information of each ticket (its event note), by ticket id."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.note)
        .where(
            TicketEvent.ticket_id.in_(ticket_ids),
            TicketEvent.action == Action.REQUEST_INFO.value,
        )
        .order_by(TicketEvent.id)
    )
    return {int(ticket_id): note for ticket_id, note in rows}  # the last one wins


def unanswered_replies(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """Each ticket whose latest message is an officer's reply (the citizen has not written
    since): that reply's text, by ticket id. The assistant sends the citizen's next message
    there, as it does with a request for information."""
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(TicketMessage.ticket_id, TicketMessage.author, TicketMessage.text)
        .where(TicketMessage.ticket_id.in_(ticket_ids))
        .order_by(TicketMessage.id)
    )
    latest: dict[int, tuple[str, str]] = {}
    for ticket_id, author, text in rows:
        latest[int(ticket_id)] = (author, text)  # the last one wins
    return {tid: text for tid, (author, text) in latest.items() if author.startswith("officer")}


def reopen_allowed(ticket: Ticket, now: datetime, reopen_window: timedelta) -> bool:
    """The citizen may still reopen: resolved, within the window after resolution."""
    if ticket.status != Status.RESOLVED.value:
        return False
    resolved_at = ticket.resolved_at or ticket.updated_at
    return now - resolved_at <= reopen_window


def is_owner(ticket: Ticket, channel: str | None, channel_user_id: str | None) -> bool:
    return bool(channel) and ticket.channel == channel and ticket.channel_user_id == channel_user_id


def follow_language(ticket: Ticket, language: str | None, *texts: str | None) -> None:
    """Later notifications of the ticket follow the conversation's language (when the caller
    says it) and the script the citizen writes in (``citizen_language``)."""
    ticket.language = citizen_language(language or ticket.language, *texts)


def add_citizen_message(
    session: Session,
    ticket: Ticket,
    channel: str,
    channel_user_id: str,
    text: str,
    now: datetime,
    language: str | None = None,
) -> TicketMessage:
    """The citizen writes on their ticket; an answer to a request for information restarts
    the clocks."""
    if not is_owner(ticket, channel, channel_user_id):
        raise NotOwner(ticket.number)
    current = Status(ticket.status)
    if current in (Status.CLOSED, Status.REJECTED):
        raise CitizenRefused(
            "ticket_final",
            f"ticket {ticket.number} is {current.value}: it takes no more messages",
            current.value,
        )
    follow_language(ticket, language, text)
    message = TicketMessage(ticket_id=ticket.id, at=now, author="citizen", text=text)
    session.add(message)
    to_status = current.value
    action = "message"
    if current == Status.AWAITING_INFO:
        to_status = next_status(current, Action.PROVIDE_INFO).value
        action = Action.PROVIDE_INFO.value
        _resume_clocks(ticket, now)
        ticket.status = to_status
    ticket.updated_at = now
    event = add_event(session, ticket, CITIZEN, action, current.value, to_status, text[:500], now)
    notify_officers(session, ticket, "citizen_message", event.id, text)
    return message


def give_feedback(
    session: Session,
    ticket: Ticket,
    channel: str,
    channel_user_id: str,
    rating: int | None,
    comment: str | None,
    reopen: bool,
    now: datetime,
    reopen_window: timedelta,
    sla_days: tuple[int, int],
    language: str | None = None,
) -> TicketEvent:
    if not is_owner(ticket, channel, channel_user_id):
        raise NotOwner(ticket.number)
    current = Status(ticket.status)
    if current in (Status.REJECTED, Status.CLOSED):
        raise CitizenRefused(
            "ticket_final",
            f"ticket {ticket.number} is {current.value}: it can no longer be rated or reopened",
            current.value,
        )
    if current != Status.RESOLVED:
        raise CitizenRefused(
            "not_resolved",
            f"ticket {ticket.number} is still open ({current.value}): rate or reopen it once "
            "it is resolved",
            current.value,
        )
    if reopen and not reopen_allowed(ticket, now, reopen_window):
        # Checked before anything changes: a refused reopening keeps no rating either.
        raise CitizenRefused(
            "reopen_window_passed",
            f"the reopening window of {reopen_window.days} days after resolution has passed",
            current.value,
        )
    follow_language(ticket, language, comment)
    if rating is not None:
        ticket.rating = rating
    if comment:
        ticket.feedback_comment = comment
    ticket.updated_at = now
    if not reopen:
        return add_event(
            session,
            ticket,
            CITIZEN,
            "feedback",
            current.value,
            current.value,
            f"rating {rating}: {comment or ''}".strip(),
            now,
        )
    ticket.status = next_status(current, Action.REOPEN).value
    ticket.escalation_level = min(MAX_LEVEL, ticket.escalation_level + 1)
    reason = (comment or "").strip()
    add_event(
        session,
        ticket,
        CITIZEN,
        Action.REOPEN.value,
        current.value,
        ticket.status,
        reason,
        now,
    )
    if reason:  # the officers' thread carries why the citizen reopened it
        session.add(TicketMessage(ticket_id=ticket.id, at=now, author="citizen", text=reason))
    due = deadlines(now, *sla_days)
    ticket.ack_due_at, ticket.resolve_due_at = due.ack_due_at, due.resolve_due_at
    ticket.resolved_at = None
    ticket.resolution = None
    routed = next_status(Status.REOPENED, Action.ROUTE).value
    event = add_event(
        session,
        ticket,
        SYSTEM_ROUTER,
        Action.ROUTE.value,
        ticket.status,
        routed,
        f"reopened, escalation level {ticket.escalation_level}",
        now,
    )
    ticket.status = routed
    notify_citizen(session, ticket, "reopened", event.id)
    notify_officers(session, ticket, "reopened", event.id, reason or "no reason given")
    return event
