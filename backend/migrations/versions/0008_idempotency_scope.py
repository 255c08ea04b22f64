"""idempotency keys scoped per caller (stored hashed with the channel identity) and the
request's digest, so a replay with another body is refused

Revision ID: 0008_idempotency_scope
Revises: 0007_officer_session_version
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0008_idempotency_scope"
down_revision = "0007_officer_session_version"
branch_labels = None
depends_on = None


def _scoped(channel: str, user: str, key: str) -> str:
    # As backend.tickets.scoped_key, written out: a migration must not change with the app.
    return hashlib.sha256("\x00".join((channel, user, key)).encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("request_digest", sa.String(64), nullable=True))
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer),
        sa.column("channel", sa.String),
        sa.column("channel_user_id", sa.String),
        sa.column("idempotency_key", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            tickets.c.id, tickets.c.channel, tickets.c.channel_user_id, tickets.c.idempotency_key
        ).where(tickets.c.idempotency_key.is_not(None))
    ).all()
    for ticket_id, channel, user, key in rows:
        connection.execute(
            tickets.update()
            .where(tickets.c.id == ticket_id)
            .values(idempotency_key=_scoped(channel, user, key))
        )


def downgrade() -> None:
    # The keys stay hashed (the original keys are not kept): replays of older filings create
    # new tickets after a downgrade.
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("request_digest")
