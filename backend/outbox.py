"""Delivering the notification outbox: claim, send, record, retry with backoff, dead-letter.

Claims take a lease (``status='sending'``, ``lease_until``) in one short transaction with
``FOR UPDATE SKIP LOCKED``, so any number of workers on PostgreSQL share the backlog without
sending a row twice; a worker that dies mid-send leaves a lease that expires and the row is
claimed again. Sending happens outside any transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, Update, bindparam, or_, select, text, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from backend.metrics import NOTIFICATION_ATTEMPTS
from backend.models import UNSENT_SQL, Notification, utcnow
from channels.outbound import OutboundNotification, Sender, SendResult

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)


class OfficerLogSender:
    """Officers have no chat identity yet: their notifications are logged (and listed on the
    dashboard); names and numbers stay out of the log."""

    async def send(self, notification: OutboundNotification) -> SendResult:
        log.info(
            "officer notification %s (%s): %d characters",
            notification.delivery_key,
            notification.language,
            len(notification.text),
        )
        return SendResult("sent")


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    undeliverable: int = 0


def claim(factory: sessionmaker[Session], now: datetime, limit: int) -> list[Notification]:
    """Lease up to ``limit`` due rows, in order per ticket and recipient.

    A row waits while an earlier row of the same ticket for the same recipient is unsent
    (pending, retrying or being sent): the citizen must never read "registered" after the
    officer's reply, nor two changes in the wrong order because they were sent side by side.
    So at most one row per (ticket, recipient) is in flight, and the next is claimed once it is
    sent, undeliverable or dead. On PostgreSQL the rule reads committed rows while SKIP LOCKED
    skips rows other workers are claiming: a row whose predecessor is being claimed still sees
    it pending, so it waits either way.
    """
    earlier = aliased(Notification, name="earlier")
    waits = (
        select(earlier.id)
        .where(
            earlier.ticket_id == Notification.ticket_id,
            earlier.channel_user_id == Notification.channel_user_id,
            earlier.channel == Notification.channel,
            earlier.id < Notification.id,
            # Written out, not bound: SQLite uses a partial index only when the query's own
            # text implies its condition (with parameters it scanned: 30 s per claim at 20k).
            text(f"earlier.status IN ({UNSENT_SQL})"),
        )
        .exists()
    )
    with factory() as session, session.begin():
        rows = list(
            session.scalars(
                select(Notification)
                .where(
                    or_(
                        (Notification.status == "pending") & (Notification.next_attempt_at <= now),
                        (Notification.status == "sending") & (Notification.lease_until < now),
                    ),
                    ~waits,
                )
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            row.status = "sending"
            row.lease_until = now + LEASE
            row.attempts += 1
        session.flush()
        for row in rows:
            session.expunge(row)
    return rows


def _ticket_number(row: Notification) -> str | None:
    head = row.delivery_key.split(":", 1)[0]
    return head if head.startswith("MS-") else None


def backoff(base_seconds: float, attempts: int) -> timedelta:
    return timedelta(seconds=min(base_seconds * 2 ** (attempts - 1), 6 * 3600))


async def deliver_batch(
    factory: sessionmaker[Session],
    senders: Mapping[str, Sender],
    *,
    now: datetime | None = None,
    limit: int = 100,
    max_attempts: int = 6,
    backoff_seconds: float = 10.0,
) -> DeliveryReport:
    now = now or utcnow()
    rows = claim(factory, now, limit)
    report = DeliveryReport(claimed=len(rows))
    if not rows:
        return report
    fallback = OfficerLogSender()

    async def one(row: Notification) -> tuple[Notification, SendResult]:
        sender = senders.get(row.channel, fallback)
        outbound = OutboundNotification(
            id=row.id,
            channel=row.channel,
            channel_user_id=row.channel_user_id,
            text=row.text,
            language=row.language,
            ticket_number=_ticket_number(row),
            status=row.ticket_status,
            delivery_key=row.delivery_key,
            changed_at=row.created_at,
        )
        try:
            return row, await sender.send(outbound)
        except Exception as error:  # a sender bug must not lose the notification
            log.exception("sender for %s failed on notification %s", row.channel, row.id)
            return row, SendResult("retry", error=f"{type(error).__name__}: {error}")

    results = await asyncio.gather(*(one(row) for row in rows))
    finished = utcnow()
    # Outcomes are written per group of rows that set the same columns, one executemany of
    # one statement each, rather than one UPDATE per row: per-row ORM updates were most of
    # the worker's own cost per notification (bench/notification_dispatch.py).
    groups: dict[tuple[str, str, tuple[str, ...]], list[dict[str, object]]] = {}
    for row, result in results:
        values: dict[str, object] = {"lease_until": None, "last_error": result.error}
        if result.outcome == "sent":
            values.update(
                status="sent", sent_at=finished, provider_message_id=result.provider_message_id
            )
            report.sent += 1
        elif result.outcome == "undeliverable":
            values.update(status="undeliverable")
            report.undeliverable += 1
        elif row.attempts >= max_attempts:
            values.update(status="dead")
            report.dead += 1
            log.warning("notification %s is dead after %d attempts", row.id, row.attempts)
        else:
            delay = backoff(backoff_seconds, row.attempts)
            if result.retry_after:
                delay = max(delay, timedelta(seconds=result.retry_after))
            values.update(status="pending", next_attempt_at=finished + delay)
            report.retried += 1
        columns = tuple(sorted(values))
        key = (row.channel, str(values["status"]), columns)
        groups.setdefault(key, []).append(
            {"row_id": row.id, **{f"new_{column}": values[column] for column in columns}}
        )
    recorded: list[tuple[str, str, int]] = []
    with factory() as session, session.begin():
        connection = session.connection()
        exact_counts = connection.dialect.supports_sane_multi_rowcount
        for (channel, status, columns), parameters in groups.items():
            statement = _record_statement(columns)
            if exact_counts or len(parameters) == 1:
                applied = connection.execute(statement, parameters).rowcount
            else:  # the driver cannot count an executemany: one row at a time
                applied = sum(connection.execute(statement, p).rowcount for p in parameters)
            recorded.append((channel, status, applied))
    for channel, status, applied in recorded:  # counted once committed
        if applied:
            outcome = "retry" if status == "pending" else status
            NOTIFICATION_ATTEMPTS.labels(channel, outcome).inc(applied)
    return report


def _record_statement(columns: tuple[str, ...]) -> Update:
    """Set ``columns`` of one claimed row; only the lease holder records the outcome (a row
    whose lease expired and was claimed again by another worker is left to that worker)."""
    table = cast(Table, Notification.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.status == "sending")
        .values({column: bindparam(f"new_{column}") for column in columns})
    )


def retry_dead(session: Session, notification_id: int, now: datetime) -> Notification | None:
    row = session.get(Notification, notification_id, with_for_update=True)
    if row is None or row.status not in ("dead", "undeliverable"):
        return row
    row.status = "pending"
    row.attempts = 0
    row.next_attempt_at = now
    row.last_error = None
    return row
