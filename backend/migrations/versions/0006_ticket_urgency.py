"""tickets.urgency and tickets.urgency_reasons (issue 15), with an index for the queue's order

Revision ID: 0006_ticket_urgency
Revises: 0005_notification_order
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_ticket_urgency"
down_revision = "0005_notification_order"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(
            sa.Column("urgency", sa.String(8), nullable=False, server_default="normal")
        )
        batch.add_column(
            sa.Column("urgency_reasons", sa.String(200), nullable=False, server_default="")
        )
    op.create_index("ix_tickets_urgency_status", "tickets", ["urgency", "status"])


def downgrade() -> None:
    op.drop_index("ix_tickets_urgency_status", table_name="tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("urgency_reasons")
        batch.drop_column("urgency")
