"""Hybrid scheme search: exact dense retrieval + BM25, fused, with an honest "I don't know".

The unit of retrieval is an FAQ entry (one answer). Every phrasing of its question, its
answer, and for a scheme's first entry also the scheme's name and aliases, are embedded as
passages; an entry scores as its best passage. BM25 indexes one document per entry (its
questions, answer, and the scheme's names in all scripts), which catches acronyms and
scheme names that the English embedding model does not know (CGTMSE, ZED, SFURTI, मुद्रा).

Results are one per scheme (its best entry), so the top three are three different places to
go. The answer decision uses the fused score of the best scheme and its margin over the
second: below a floor, or close to the runner-up without being clearly confident, the
engine says it does not know instead of guessing.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bm25s
import numpy as np

from backend.schemes.embedding_cache import TextEncoder, cached_embeddings
from backend.schemes.knowledge import (
    DATA_DIR,
    OUT_OF_SCOPE_FILE,
    FaqEntry,
    Scheme,
    load_knowledge_base,
    load_out_of_scope,
)
from backend.schemes.query import (
    AliasTable,
    NormalisedQuery,
    lexical_tokens,
    normalise_query,
)
from backend.schemes.topics import DECLINED_TOPICS, TopicFilter

RankingMode = Literal["bm25", "dense", "hybrid", "rrf"]


@dataclass(frozen=True)
class SearchTuning:
    """Fusion weights and the no-answer rule.

    Chosen on the tuning split of the dev set only (two thirds of
    bench/data/schemes_devset.yaml; see bench/schemes_eval.py and docs/PERFORMANCE.md): the
    weight and saturation with the best recall@1 (seven settings tie within one question;
    these were already in use and sit among them), then the rule with the best end-to-end
    accuracy (right answer or honest refusal), taken in the middle of its plateau: with the
    knowledge base's 830 phrasings a single score threshold is as good as any floor-and-
    margin rule. For the int8 encoder of ``backend.embeddings.get_scheme_encoder()``. The
    thresholds live on the fused-score scale, so a change of encoder,
    weight, saturation or knowledge base needs ``bench/schemes_eval.py --tune`` again.
    """

    dense_weight: float = 0.3
    # BM25 scores are unbounded; s / (s + saturation) maps them onto [0, 1) like a cosine.
    bm25_saturation: float = 16.0
    rrf_k: int = 60
    # Answer when the best score reaches confident_score, or reaches min_score with at least
    # min_margin over the second scheme; otherwise say "don't know".
    min_score: float = 0.2555
    confident_score: float = 0.2555
    min_margin: float = 0.0
    # Entries whose scores are looked at when grouping by scheme (exact top-n, not ANN).
    candidates: int = 200
    # Refuse when the question's cosine to the nearest known out-of-scope request
    # (knowledge.OUT_OF_SCOPE_FILE) exceeds its cosine to the nearest passage by this much
    # (no effect without examples). Placed on the whole dev set, in the middle of the values
    # that refuse no in-scope question (its largest gap is 0.044) and the most out-of-scope.
    out_of_scope_gap: float = 0.0995


@dataclass(frozen=True)
class SearchResult:
    scheme_id: str
    title: str
    answer: str
    url: str
    score: float
    question: str


@dataclass(frozen=True)
class SearchAnswer:
    answered: bool
    results: tuple[SearchResult, ...]


@dataclass(frozen=True)
class _Entry:
    scheme: Scheme
    faq: FaqEntry


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = 60) -> dict[int, float]:
    """RRF: each list adds 1 / (k + rank) for every item it ranks (rank from 1)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank)
    return fused


def weighted_fusion(
    dense: np.ndarray, bm25: np.ndarray, dense_weight: float, bm25_saturation: float
) -> np.ndarray:
    """Blend cosine similarity with saturated BM25 into one score on a cosine-like scale."""
    lexical = bm25 / (bm25 + bm25_saturation)
    return dense_weight * dense + (1.0 - dense_weight) * lexical


def should_answer(scores: Sequence[float], tuning: SearchTuning) -> bool:
    """The no-answer rule over the per-scheme scores, best first."""
    if not scores or scores[0] < tuning.min_score:
        return False
    if scores[0] >= tuning.confident_score:
        return True
    runner_up = scores[1] if len(scores) > 1 else 0.0
    return scores[0] - runner_up >= tuning.min_margin


def _entries_and_passages(
    schemes: Sequence[Scheme],
) -> tuple[list[_Entry], list[str], np.ndarray]:
    """Entries, passage texts grouped by entry, and where each entry's passages start."""
    entries: list[_Entry] = []
    passages: list[str] = []
    starts: list[int] = []
    for scheme in schemes:
        for position, faq in enumerate(scheme.faq):
            starts.append(len(passages))
            entries.append(_Entry(scheme, faq))
            passages.extend(faq.questions)
            passages.append(faq.answer)
            if position == 0:
                # The model reads English only; Devanagari aliases are left to BM25. (Embedding
                # the summary and fact lists too was tried: no gain on the dev set.)
                passages.append(scheme.name)
                passages.extend(alias for alias in scheme.aliases if alias.isascii())
    return entries, passages, np.asarray(starts, dtype=np.int64)


def _bm25_document(entry: _Entry) -> list[str]:
    scheme = entry.scheme
    text = " ".join((*entry.faq.questions, entry.faq.answer, scheme.name, *scheme.aliases))
    return lexical_tokens(text)


def alias_table(schemes: Sequence[Scheme]) -> AliasTable:
    """Each scheme's Devanagari names, read to the model as the scheme's short English name.

    Latin-script aliases are left as typed: the model reads them, and replacing generic
    phrases ("cluster development programme") by an acronym would lose words it understands.
    """
    pairs: list[tuple[str, str]] = []
    for scheme in schemes:
        english = next((alias for alias in scheme.aliases if alias.isascii()), scheme.name)
        pairs.extend((alias, english) for alias in scheme.aliases if not alias.isascii())
    return AliasTable(pairs)


class SchemeSearch:
    """The search engine over a loaded knowledge base. Build once per process; thread-safe."""

    def __init__(
        self,
        schemes: Sequence[Scheme],
        encoder: TextEncoder,
        passage_vectors: np.ndarray,
        tuning: SearchTuning | None = None,
        out_of_scope_vectors: np.ndarray | None = None,
    ) -> None:
        self.schemes = tuple(schemes)
        self.tuning = tuning or SearchTuning()
        self._encoder = encoder
        self._entries, passages, self._starts = _entries_and_passages(self.schemes)
        if passage_vectors.shape[0] != len(passages):
            raise ValueError(f"{passage_vectors.shape[0]} vectors for {len(passages)} passages")
        self._vectors = np.ascontiguousarray(passage_vectors, dtype=np.float32)
        # Known out-of-scope requests (prepared like queries, then encoded): may be empty.
        self._out_of_scope = np.ascontiguousarray(
            np.zeros((0, self._vectors.shape[1]), dtype=np.float32)
            if out_of_scope_vectors is None
            else out_of_scope_vectors,
            dtype=np.float32,
        )
        self._bm25 = bm25s.BM25()
        self._bm25.index([_bm25_document(entry) for entry in self._entries], show_progress=False)
        self._vocabulary = frozenset(self._bm25.vocab_dict)
        self._aliases = alias_table(self.schemes)
        self._topic_filter = TopicFilter(self.schemes, DECLINED_TOPICS)
        self.passage_count = len(passages)

    @classmethod
    def from_schemes(
        cls,
        schemes: Sequence[Scheme],
        encoder: TextEncoder,
        cache_dir: Path | None = None,
        tuning: SearchTuning | None = None,
        out_of_scope: Sequence[str] = (),
    ) -> SchemeSearch:
        """The engine over ``schemes``; ``out_of_scope`` are example requests it should refuse
        (read like queries: Hindi and Hinglish rewritten for the model)."""
        _, passages, _ = _entries_and_passages(schemes)
        aliases = alias_table(schemes)
        examples = [normalise_query(text, aliases).dense_text for text in out_of_scope]
        # One cache file for both: the cache keeps one file per encoder.
        vectors = cached_embeddings(encoder, [*passages, *examples], cache_dir)
        return cls(schemes, encoder, vectors[: len(passages)], tuning, vectors[len(passages) :])

    @classmethod
    def from_directory(
        cls,
        directory: Path,
        encoder: TextEncoder,
        cache_dir: Path | None = None,
        tuning: SearchTuning | None = None,
        out_of_scope: Sequence[str] = (),
    ) -> SchemeSearch:
        return cls.from_schemes(
            load_knowledge_base(directory), encoder, cache_dir, tuning, out_of_scope
        )

    def with_encoder(self, encoder: TextEncoder) -> SchemeSearch:
        """The same index queried through another encoder (benchmarks time retrieval alone)."""
        twin = copy.copy(self)
        twin._encoder = encoder
        return twin

    @property
    def entry_count(self) -> int:
        return len(self._entries)

    def _query_vector(self, text: str) -> np.ndarray:
        return np.asarray(self._encoder.encode([text]), dtype=np.float32)[0]

    def _dense_scores(self, text: str) -> np.ndarray:
        return self._entry_scores(self._query_vector(text))

    def _entry_scores(self, query: np.ndarray) -> np.ndarray:
        # Passages are stored grouped by entry: an entry scores as its best passage.
        return np.maximum.reduceat(self._vectors @ query, self._starts)

    def _neighbour_gap(self, query: np.ndarray, entry_scores: np.ndarray) -> float:
        """Cosine to the nearest known out-of-scope request minus that to the nearest passage
        (-inf without examples): above ``tuning.out_of_scope_gap``, the question is refused."""
        if not len(self._out_of_scope):
            return float("-inf")
        return float(np.max(self._out_of_scope @ query) - np.max(entry_scores))

    def _bm25_scores(self, tokens: Sequence[str]) -> np.ndarray:
        known = [token for token in tokens if token in self._vocabulary]
        if not known:
            return np.zeros(len(self._entries), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def prepare(self, query: str) -> NormalisedQuery:
        """The query as both retrievers see it (Hindi/Hinglish rewritten for the model)."""
        return normalise_query(query, self._aliases)

    def entry_scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Dense (cosine) and BM25 scores of every entry, before fusion."""
        prepared = self.prepare(query)
        return (
            self._dense_scores(prepared.dense_text),
            self._bm25_scores(prepared.lexical_tokens),
        )

    def entry_scores_many(
        self, queries: Sequence[str]
    ) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """``entry_scores`` for many queries, encoded in one batch (for evaluation), each with
        its out-of-scope-example gap (``_neighbour_gap``) from the same vector."""
        prepared = [self.prepare(query) for query in queries]
        vectors = np.asarray(
            self._encoder.encode([p.dense_text for p in prepared]), dtype=np.float32
        )
        dense = np.maximum.reduceat(self._vectors @ vectors.T, self._starts, axis=0)
        return [
            (
                dense[:, row],
                self._bm25_scores(query.lexical_tokens),
                self._neighbour_gap(vectors[row], dense[:, row]),
            )
            for row, query in enumerate(prepared)
        ]

    def fused_scores(
        self,
        dense: np.ndarray,
        bm25: np.ndarray,
        mode: RankingMode = "hybrid",
        tuning: SearchTuning | None = None,
    ) -> np.ndarray:
        """One score per entry for a ranking mode (hybrid is the calibrated weighted blend)."""
        tuning = tuning or self.tuning
        if mode == "bm25":
            return bm25
        if mode == "dense":
            return dense
        if mode == "rrf":
            return _rrf_scores(dense, bm25, tuning)
        return weighted_fusion(dense, bm25, tuning.dense_weight, tuning.bm25_saturation)

    def rank(self, query: str, k: int = 3, mode: RankingMode = "hybrid") -> list[SearchResult]:
        """The best entry of each of the ``k`` best schemes, whatever their scores."""
        prepared = self.prepare(query)
        if mode == "bm25":
            scores = self._bm25_scores(prepared.lexical_tokens)
        elif mode == "dense":
            scores = self._dense_scores(prepared.dense_text)
        else:
            dense = self._dense_scores(prepared.dense_text)
            bm25 = self._bm25_scores(prepared.lexical_tokens)
            scores = self.fused_scores(dense, bm25, mode)
        return self.best_per_scheme(scores, k)

    def best_per_scheme(self, scores: np.ndarray, k: int) -> list[SearchResult]:
        depth = min(max(self.tuning.candidates, k), len(scores))
        results: list[SearchResult] = []
        seen: set[str] = set()
        for index in _top(scores, depth):
            entry = self._entries[int(index)]
            if entry.scheme.id in seen:
                continue
            seen.add(entry.scheme.id)
            results.append(
                SearchResult(
                    scheme_id=entry.scheme.id,
                    title=entry.scheme.name,
                    answer=entry.faq.answer,
                    url=entry.scheme.url,
                    score=round(float(scores[index]), 4),
                    question=entry.faq.questions[0],
                )
            )
            if len(results) == k:
                break
        return results

    def declines(self, query: str) -> bool:
        """A question on a topic the knowledge base does not cover (and naming no scheme)."""
        return self._topic_filter.declines(query)

    def search(self, query: str, k: int = 3) -> SearchAnswer:
        """Hybrid search with the no-answer rule: nothing is returned rather than a guess."""
        if self.declines(query):
            return SearchAnswer(answered=False, results=())
        prepared = self.prepare(query)
        vector = self._query_vector(prepared.dense_text)
        dense = self._entry_scores(vector)
        if self._neighbour_gap(vector, dense) >= self.tuning.out_of_scope_gap:
            return SearchAnswer(answered=False, results=())
        scores = self.fused_scores(dense, self._bm25_scores(prepared.lexical_tokens))
        # Two results are needed for the margin even when one is asked for.
        ranked = self.best_per_scheme(scores, max(k, 2))
        if not should_answer([result.score for result in ranked], self.tuning):
            return SearchAnswer(answered=False, results=())
        return SearchAnswer(answered=True, results=tuple(ranked[:k]))


def _rrf_scores(dense: np.ndarray, bm25: np.ndarray, tuning: SearchTuning) -> np.ndarray:
    depth = min(tuning.candidates, len(dense))
    rankings = [_top(dense, depth).tolist(), _top(bm25, depth).tolist()]
    scores = np.zeros(len(dense), dtype=np.float32)
    for index, value in reciprocal_rank_fusion(rankings, tuning.rrf_k).items():
        scores[index] = value
    return scores


def _top(scores: np.ndarray, depth: int) -> np.ndarray:
    """Indices of the ``depth`` highest scores, best first (exact, without a full sort)."""
    if depth >= len(scores):
        return np.argsort(-scores, kind="stable")
    part = np.argpartition(-scores, depth - 1)[:depth]
    return part[np.argsort(-scores[part], kind="stable")]


class LazySchemeSearch:
    """Builds the engine on first use (model load + index), once, whichever thread asks."""

    def __init__(self, build: Callable[[], SchemeSearch]) -> None:
        self._build = build
        self._engine: SchemeSearch | None = None
        self._lock = threading.Lock()

    def get(self) -> SchemeSearch:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build()
        return self._engine


def lazy_scheme_search(
    cache_dir: Path, data_dir: Path = DATA_DIR, out_of_scope_file: Path = OUT_OF_SCOPE_FILE
) -> LazySchemeSearch:
    """The production engine: the shared encoder, the bundled knowledge base and its
    out-of-scope examples, a disk cache."""

    def build() -> SchemeSearch:
        from backend.embeddings import get_scheme_encoder

        return SchemeSearch.from_directory(
            data_dir,
            get_scheme_encoder(),
            cache_dir / "schemes",
            out_of_scope=load_out_of_scope(out_of_scope_file),
        )

    return LazySchemeSearch(build)
