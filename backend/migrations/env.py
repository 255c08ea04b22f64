"""Alembic environment: run from ``python -m backend migrate`` with the app's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData

from backend.db import make_engine
from backend.models import Base
from channels.tables import metadata as channel_metadata


def _target_metadata() -> list[MetaData]:
    # The chat channels' tables (the gateway's) live in the same database.
    return [Base.metadata, channel_metadata]


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    assert url
    connectable = context.config.attributes.get("connection")
    if connectable is None:
        engine = make_engine(url)
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=_target_metadata(),
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
