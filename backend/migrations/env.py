"""Alembic environment: run from ``python -m backend migrate`` with the app's settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData

from backend.db import make_engine
from backend.models import Base


def _target_metadata() -> list[MetaData]:
    metadatas = [Base.metadata]
    try:  # the gateway keeps its own tables in the same database
        from bot.store import metadata as gateway_metadata
    except ImportError:
        return metadatas
    return [*metadatas, gateway_metadata]


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
