"""Tables of the ticket service. Events are an append-only audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# SQLite has no 64-bit autoincrement under BIGINT; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Department(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_hi: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(40))
    parent_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)


class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    role: Mapped[str] = mapped_column(String(20))  # officer | head | leadership
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Signed into every dashboard cookie: raising it (sign-out, revocation) ends all of the
    # officer's sessions on every replica at once (migration 0007_officer_session_version).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


OPEN_SQL = "'new', 'routed', 'acknowledged', 'in_progress', 'awaiting_info', 'reopened'"
# Columns the queue filters, counts and pages on, carried in the open-ticket indexes
# (PostgreSQL), so that counting the backlog and finding a page's ids need no table reads.
OPEN_INCLUDE = (
    "id",
    "status",
    "escalation_level",
    "ack_due_at",
    "acknowledged_at",
    "state",
    "category",
    "department_code",
)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("external_source", "external_ref", name="uq_tickets_external"),
        Index("ix_tickets_owner", "channel", "channel_user_id"),
        Index("ix_tickets_queue", "department_code", "status", "resolve_due_at"),
        Index("ix_tickets_ack_sweep", "status", "escalation_level", "ack_due_at"),
        Index("ix_tickets_resolve_sweep", "status", "escalation_level", "resolve_due_at"),
        Index("ix_tickets_officer_status", "officer_id", "status"),
        Index("ix_tickets_urgency_status", "urgency", "status"),  # urgent first (0006)
        # The dashboard's queues list open tickets by due time; partial indexes keep that to
        # the open backlog however many concluded tickets pile up (migration 0003_dashboard).
        Index(
            "ix_tickets_open_due",
            "resolve_due_at",
            postgresql_where=text(f"status IN ({OPEN_SQL})"),
            sqlite_where=text(f"status IN ({OPEN_SQL})"),
            postgresql_include=list(OPEN_INCLUDE),
        ),
        Index(
            "ix_tickets_open_department_due",
            "department_code",
            "resolve_due_at",
            postgresql_where=text(f"status IN ({OPEN_SQL})"),
            sqlite_where=text(f"status IN ({OPEN_SQL})"),
            postgresql_include=list(OPEN_INCLUDE),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    # A hash of the caller's channel identity and their key (backend.tickets.scoped_key), and
    # of the request it filed, to refuse a replay with another body (0008_idempotency_scope).
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    request_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    mobile: Mapped[str | None] = mapped_column(String(16), nullable=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    udyam_number: Mapped[str | None] = mapped_column(String(19), nullable=True)
    state: Mapped[str] = mapped_column(String(60))
    district: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="en")
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    ack_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolve_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    route_confidence: Mapped[float] = mapped_column(default=1.0)
    route_reason: Mapped[str] = mapped_column(String(300), default="")
    # routing/urgency.py: critical | high | normal, and its reason codes joined by commas.
    urgency: Mapped[str] = mapped_column(String(8), default="normal", server_default="normal")
    urgency_reasons: Mapped[str] = mapped_column(String(200), default="", server_default="")
    external_source: Mapped[str | None] = mapped_column(String(20), nullable=True)
    external_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    events: Mapped[list[TicketEvent]] = relationship(
        order_by="TicketEvent.id", back_populates="ticket", lazy="raise"
    )
    messages: Mapped[list[TicketMessage]] = relationship(
        order_by="TicketMessage.id", back_populates="ticket", lazy="raise"
    )


class TicketEvent(Base):
    """One row per transition, message or refused action. Never updated or deleted."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class TicketMessage(Base):
    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author: Mapped[str] = mapped_column(String(60))  # citizen | officer:<id>
    text: Mapped[str] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(back_populates="messages")


# Notification rows not yet delivered nor given up on.
UNSENT_SQL = "'pending', 'sending'"


class Notification(Base):
    """The transactional outbox: written with the change, delivered by the worker."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),
        # The unsent rows of a ticket per recipient: the claim's ordering rule looks for an
        # earlier one (backend.outbox.claim; migration 0005_notification_order).
        Index(
            "ix_notifications_unsent_ticket",
            "ticket_id",
            "channel_user_id",
            "id",
            postgresql_where=text(f"status IN ({UNSENT_SQL})"),
            sqlite_where=text(f"status IN ({UNSENT_SQL})"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True)
    delivery_key: Mapped[str] = mapped_column(String(120), unique=True)
    recipient: Mapped[str] = mapped_column(String(20))  # citizen | officer | portal
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10), default="en")
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    ticket_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    delivery_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# The kinds of pulse source: feeds pulled on a schedule (RSS and Atom alike), exports uploaded.
PULSE_FEED_KINDS = ("rss",)
PULSE_EXPORT_KINDS = ("x", "facebook", "instagram", "csv", "jsonl")
PULSE_SOURCE_KINDS = PULSE_FEED_KINDS + PULSE_EXPORT_KINDS


class PulseSource(Base):
    """Where public posts about MSMEs come from (issue 16): a news or blog feed pulled on a
    schedule (``kind`` rss, with the conditional-request validators and back-off state), or an
    export uploaded by leadership (x, facebook, instagram, csv, jsonl)."""

    __tablename__ = "pulse_sources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Authors' handles are kept as published; the pulse page hides them for such a source.
    hide_handles: Mapped[bool] = mapped_column(default=False)
    enabled: Mapped[bool] = mapped_column(default=True)
    interval_minutes: Mapped[int] = mapped_column(Integer, default=60)
    etag: Mapped[str | None] = mapped_column(String(200), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(100), nullable=True)
    next_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PulseItem(Base):
    """One public post or news item, kept once (its URL and the hash of its text are unique),
    with the pulse reader's reading (``pulse/reader.py``)."""

    __tablename__ = "pulse_items"
    __table_args__ = (
        Index("ix_pulse_items_published", "published_at"),
        Index("ix_pulse_items_relevant_published", "relevant", "published_at"),
        Index("ix_pulse_items_state_published", "state", "published_at"),
        Index("ix_pulse_items_category_published", "category", "published_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("pulse_sources.id"), index=True)
    url: Mapped[str | None] = mapped_column(String(1000), unique=True, nullable=True)
    text_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the folded text
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200), nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)  # as the source gave
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    relevant: Mapped[bool] = mapped_column()
    category: Mapped[str | None] = mapped_column(String(40), nullable=True)
    state: Mapped[str | None] = mapped_column(String(60), nullable=True)
    sentiment: Mapped[str] = mapped_column(String(10))
    emotion: Mapped[str] = mapped_column(String(15))
    language: Mapped[str] = mapped_column(String(10))


class PulseDaily(Base):
    """Relevant items counted per day, source kind, category, state and sentiment, kept in the
    same transaction as the items: the pulse page reads these, not a million items. An unknown
    category or state is ''."""

    __tablename__ = "pulse_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(60), primary_key=True)
    sentiment: Mapped[str] = mapped_column(String(10), primary_key=True)
    items: Mapped[int] = mapped_column(Integer, default=0)


class PullCursor(Base):
    """Where a scheduled pull from an outside system (CPGRAMS) has got to, and its back-off."""

    __tablename__ = "pull_cursors"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_pulled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@event.listens_for(TicketEvent, "before_update")
@event.listens_for(TicketEvent, "before_delete")
def _events_are_append_only(_mapper: Any, _connection: Any, target: TicketEvent) -> None:
    raise RuntimeError(f"ticket event {target.id} is part of the audit trail and cannot change")
