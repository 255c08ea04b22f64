"""Scheme knowledge base (``data/*.yaml``) and the hybrid search that answers from it."""

from __future__ import annotations

from backend.schemes.knowledge import DATA_DIR, FaqEntry, Scheme, load_knowledge_base
from backend.schemes.search import (
    LazySchemeSearch,
    SchemeSearch,
    SearchAnswer,
    SearchResult,
    SearchTuning,
    lazy_scheme_search,
)

__all__ = [
    "DATA_DIR",
    "FaqEntry",
    "LazySchemeSearch",
    "Scheme",
    "SchemeSearch",
    "SearchAnswer",
    "SearchResult",
    "SearchTuning",
    "lazy_scheme_search",
    "load_knowledge_base",
]
