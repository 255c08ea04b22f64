"""partial indexes of open tickets by due time, for the dashboard's queues

Revision ID: 0003_dashboard
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_dashboard"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = "status IN ('new', 'routed', 'acknowledged', 'in_progress', 'awaiting_info', 'reopened')"
INCLUDE = [
    "id",
    "status",
    "escalation_level",
    "ack_due_at",
    "acknowledged_at",
    "state",
    "category",
    "department_code",
]


def upgrade() -> None:
    op.create_index(
        "ix_tickets_open_due",
        "tickets",
        ["resolve_due_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
        postgresql_include=INCLUDE,
    )
    op.create_index(
        "ix_tickets_open_department_due",
        "tickets",
        ["department_code", "resolve_due_at"],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
        postgresql_include=INCLUDE,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_open_department_due", table_name="tickets")
    op.drop_index("ix_tickets_open_due", table_name="tickets")
