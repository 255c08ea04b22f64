from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from backend.db import make_engine
from backend.migrate import migrate
from backend.models import Base
from channels.tables import metadata as gateway_metadata


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    migrate(url, engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diffs = compare_metadata(context, [Base.metadata, gateway_metadata])
    assert diffs == [], "models changed without a migration: " + repr(diffs)[:2000]


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    assert migrate(url, engine) > 0  # departments added
    assert migrate(url, engine) == 0  # nothing to do the second time
