"""What must hold of the pulse's tables after any ingestion: the daily counts are the relevant
items counted per key, and nothing is kept twice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC
from typing import Any

from sqlalchemy import Engine, select

from backend.models import PulseDaily, PulseItem, PulseSource
from pulse.reader import fold


def items(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                select(PulseItem.__table__, PulseSource.kind).join(
                    PulseSource, PulseSource.id == PulseItem.source_id
                )
            ).all()
        )


def daily(engine: Engine) -> dict[tuple[Any, ...], int]:
    with engine.connect() as connection:
        rows = connection.execute(select(PulseDaily.__table__)).all()
    return {
        (row.day, row.source_kind, row.category, row.state, row.sentiment): row.items
        for row in rows
    }


def assert_consistent(engine: Engine) -> None:
    """Daily counts equal the relevant items per key; no zero rows; each text and URL once."""
    kept = items(engine)
    expected = Counter(
        (
            row.published_at.astimezone(UTC).date(),
            row.kind,
            row.category or "",
            row.state or "",
            row.sentiment,
        )
        for row in kept
        if row.relevant
    )
    assert daily(engine) == dict(expected)
    folded = [fold(row.text) for row in kept]
    assert len(folded) == len(set(folded))
    urls = [row.url for row in kept if row.url]
    assert len(urls) == len(set(urls))
    for row in kept:
        assert (row.category is None) == (not row.relevant)
