"""the pulse of the sector (issue 16): sources, items read once, the daily counts the pulse
page reads, and the cursors of scheduled pulls (CPGRAMS)

Revision ID: 0009_pulse
Revises: 0008_idempotency_scope
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_pulse"
down_revision = "0008_idempotency_scope"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "pulse_sources",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("hide_handles", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(200), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("next_pull_at", _AT, nullable=True),
        sa.Column("last_pulled_at", _AT, nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
    )
    op.create_table(
        "pulse_items",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("source_id", _ID, sa.ForeignKey("pulse_sources.id"), nullable=False),
        sa.Column("url", sa.String(1000), nullable=True, unique=True),
        sa.Column("text_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("published_at", _AT, nullable=False),
        sa.Column("ingested_at", _AT, nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("category", sa.String(40), nullable=True),
        sa.Column("state", sa.String(60), nullable=True),
        sa.Column("sentiment", sa.String(10), nullable=False),
        sa.Column("emotion", sa.String(15), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
    )
    op.create_index("ix_pulse_items_source_id", "pulse_items", ["source_id"])
    op.create_index("ix_pulse_items_published", "pulse_items", ["published_at"])
    op.create_index(
        "ix_pulse_items_relevant_published", "pulse_items", ["relevant", "published_at"]
    )
    op.create_index("ix_pulse_items_state_published", "pulse_items", ["state", "published_at"])
    op.create_index(
        "ix_pulse_items_category_published", "pulse_items", ["category", "published_at"]
    )
    op.create_table(
        "pulse_daily",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("source_kind", sa.String(20), primary_key=True),
        sa.Column("category", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(60), primary_key=True),
        sa.Column("sentiment", sa.String(10), primary_key=True),
        sa.Column("items", sa.Integer(), nullable=False),
    )
    op.create_table(
        "pull_cursors",
        sa.Column("name", sa.String(80), primary_key=True),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("next_pull_at", _AT, nullable=True),
        sa.Column("last_pulled_at", _AT, nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", _AT, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pull_cursors")
    op.drop_table("pulse_daily")
    op.drop_table("pulse_items")
    op.drop_table("pulse_sources")
