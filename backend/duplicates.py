"""Duplicates: a new ticket that repeats an open one of the same complainant is linked to it.

People re-file when they hear nothing, often on another day and in slightly other words.
The new ticket stays in the queue (the officer decides), but carries ``duplicate_of_id`` so
that the officer sees both together. Comparison is lexical (word and word-pair cosine): a
re-filed complaint repeats its invoice numbers, names and amounts, which an exact measure
weighs better than a sentence embedding, and it costs no model in the request path.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import Ticket
from routing.lifecycle import OPEN_STATUSES

THRESHOLD = 0.6
CANDIDATES = 20
_WORD = re.compile(r"[0-9a-z\u0900-\u097f]+")
_STOPWORDS = frozenset(
    "a an the of to in on for and or is are was were has have had be been it its this that "
    "my our we i me us by with from at as not no but so please sir madam".split()
)


def _features(text: str) -> Counter[str]:
    words = [w for w in _WORD.findall(text.casefold()) if w not in _STOPWORDS]
    return Counter(words + [f"{a} {b}" for a, b in itertools.pairwise(words)])


def similarity(first: str, second: str) -> float:
    """Cosine of word and word-pair counts, 0..1."""
    a, b = _features(first), _features(second)
    dot = sum(count * b[key] for key, count in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def link_duplicate(session: Session, ticket: Ticket) -> Ticket | None:
    """Link ``ticket`` (just flushed) to the open ticket it repeats, if any; returns that one."""
    candidates = session.scalars(
        select(Ticket)
        .where(
            # The same chat identity (index ix_tickets_owner keeps this cheap at any size).
            Ticket.channel == ticket.channel,
            Ticket.channel_user_id == ticket.channel_user_id,
            Ticket.id != ticket.id,
            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
        )
        .order_by(Ticket.id.desc())
        .limit(CANDIDATES)
    ).all()
    best: tuple[float, Ticket] | None = None
    for candidate in candidates:
        score = similarity(ticket.description, candidate.description)
        if score >= THRESHOLD and (best is None or score > best[0]):
            best = (score, candidate)
    if best is None:
        return None
    original = best[1]
    # Point at the first filing, so that a third copy joins the same group.
    ticket.duplicate_of_id = original.duplicate_of_id or original.id
    return original


def repeated_ticket(description: str, candidates: list[Any]) -> int | None:
    """The group a new ticket joins (the first filing's id), from candidates read as
    (id, duplicate_of_id, description) rows: the filing's fast path (``backend/filing.py``)."""
    best: tuple[float, int] | None = None
    for candidate_id, candidate_group, candidate_text in candidates:
        score = similarity(description, candidate_text)
        if score >= THRESHOLD and (best is None or score > best[0]):
            best = (score, int(candidate_group or candidate_id))
    return best[1] if best else None
