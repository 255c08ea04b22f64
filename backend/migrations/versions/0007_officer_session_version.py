"""officers.session_version: signing out (or revoking) ends every dashboard session at once

Revision ID: 0007_officer_session_version
Revises: 0006_ticket_urgency
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_officer_session_version"
down_revision = "0006_ticket_urgency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("session_version")
