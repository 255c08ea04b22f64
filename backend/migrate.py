"""Schema migrations (Alembic) and the department directory, idempotently."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backend.models import Department
from routing.directory import load_directory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_schema(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def sync_departments(engine: Engine) -> int:
    """Insert or update every department of the directory; returns how many changed."""
    directory = load_directory()
    changed = 0
    with Session(engine) as session, session.begin():
        existing = {d.code: d for d in session.scalars(select(Department))}
        for dept in directory.departments.values():
            row = existing.get(dept.code)
            values = {
                "name": dept.name,
                "name_hi": dept.name_hi,
                "kind": dept.kind,
                "parent_code": dept.parent,
                "active": True,
            }
            if row is None:
                session.add(Department(code=dept.code, **values))
                changed += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                changed += 1
        for code, row in existing.items():
            if code not in directory.departments and row.active:
                row.active = False  # kept for old tickets, never deleted
                changed += 1
    return changed


def migrate(database_url: str, engine: Engine) -> int:
    upgrade_schema(database_url)
    return sync_departments(engine)
