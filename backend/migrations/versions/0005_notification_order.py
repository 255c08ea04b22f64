"""partial index of unsent notifications per ticket and recipient, for in-order delivery

Revision ID: 0005_notification_order
Revises: 0004_gateway
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_notification_order"
down_revision = "0004_gateway"
branch_labels = None
depends_on = None

UNSENT = "status IN ('pending', 'sending')"


def upgrade() -> None:
    op.create_index(
        "ix_notifications_unsent_ticket",
        "notifications",
        ["ticket_id", "channel_user_id", "id"],
        postgresql_where=sa.text(UNSENT),
        sqlite_where=sa.text(UNSENT),
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_unsent_ticket", table_name="notifications")
