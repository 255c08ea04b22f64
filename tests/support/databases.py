"""Test databases: a fresh SQLite file, or a clean PostgreSQL schema (TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

POSTGRES_REASON = (
    "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test); "
    "{why}"
)


def postgres_url() -> str:
    """The PostgreSQL URL for tests, or skip the test with the reason."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.skip(POSTGRES_REASON.format(why="it is not set"))
    sa_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = create_engine(sa_url, connect_args={"connect_timeout": 3})
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    except Exception as error:  # no server answering: skip, do not fail
        pytest.skip(POSTGRES_REASON.format(why=f"no server answered ({type(error).__name__})"))
    return url


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'test.db'}"


def database_url_for(kind: str, directory: Path) -> str:
    return postgres_url() if kind == "postgres" else sqlite_url(directory)
