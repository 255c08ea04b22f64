"""Measuring the scheme search against a labelled dev set (used by bench/ and a regression test).

Per question the engine's dense and BM25 entry scores are computed once; every ranking mode
and every candidate tuning is then a cheap re-fusion of those vectors, so BM25 alone, dense
alone and the hybrid are compared on exactly the same retrieval work.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml

from backend.schemes.search import (
    RankingMode,
    SchemeSearch,
    SearchResult,
    SearchTuning,
    should_answer,
)

DEPTH = 10


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    scheme_id: str | None  # None: out of scope, must not be answered
    language: str
    held_out: bool


@dataclass(frozen=True)
class ScoredQuestion:
    question: LabelledQuestion
    dense: np.ndarray
    bm25: np.ndarray
    # On a declined topic (SchemeSearch.declines): refused whatever the scores.
    declined: bool = False
    # Cosine to the nearest known out-of-scope request minus cosine to the nearest passage.
    neighbour_gap: float = float("-inf")


@dataclass(frozen=True)
class Ranked:
    """One question's ranking in one mode, and whether the topic rule or the out-of-scope
    examples refuse it."""

    question: LabelledQuestion
    results: list[SearchResult]
    declined: bool = False
    near_out_of_scope: bool = False


@dataclass(frozen=True)
class Thresholds:
    min_score: float
    confident_score: float
    min_margin: float

    def as_tuning(self, base: SearchTuning) -> SearchTuning:
        return replace(
            base,
            min_score=self.min_score,
            confident_score=self.confident_score,
            min_margin=self.min_margin,
        )


@dataclass(frozen=True)
class ModeReport:
    mode: str
    in_scope: int
    out_of_scope: int
    recall_at_1: float
    recall_at_3: float
    mrr: float
    # Share of all questions where the answer/no-answer decision was right.
    no_answer_accuracy: float
    out_of_scope_refused: float
    in_scope_answered: float
    # In-scope answered with the right scheme first, or out-of-scope refused.
    end_to_end: float


def load_devset(path: Path, all_held_out: bool = False) -> list[LabelledQuestion]:
    """In-scope and out-of-scope questions; every third of each list is held out.

    ``all_held_out`` marks every question held out (a separate held-out file).
    """
    with Path(path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    questions = [
        LabelledQuestion(item["q"], item["scheme"], item["lang"], all_held_out or index % 3 == 2)
        for index, item in enumerate(data["in_scope"])
    ]
    questions += [
        LabelledQuestion(item["q"], None, item["lang"], all_held_out or index % 3 == 2)
        for index, item in enumerate(data["out_of_scope"])
    ]
    return questions


def score_questions(
    engine: SchemeSearch, questions: Sequence[LabelledQuestion]
) -> list[ScoredQuestion]:
    scores = engine.entry_scores_many([question.text for question in questions])
    return [
        ScoredQuestion(question, dense, bm25, engine.declines(question.text), gap)
        for question, (dense, bm25, gap) in zip(questions, scores, strict=True)
    ]


def ranked(
    engine: SchemeSearch, item: ScoredQuestion, mode: RankingMode, tuning: SearchTuning
) -> list[SearchResult]:
    scores = engine.fused_scores(item.dense, item.bm25, mode, tuning)
    return engine.best_per_scheme(scores, DEPTH)


def rank_all(
    engine: SchemeSearch,
    scored: Sequence[ScoredQuestion],
    mode: RankingMode,
    tuning: SearchTuning,
) -> list[Ranked]:
    """Every question ranked in one mode (the topic rule and the out-of-scope examples apply
    alike to every mode)."""
    return [
        Ranked(
            s.question,
            ranked(engine, s, mode, tuning),
            s.declined,
            s.neighbour_gap >= tuning.out_of_scope_gap,
        )
        for s in scored
    ]


def _answers(item: Ranked, tuning: SearchTuning) -> bool:
    if item.declined or item.near_out_of_scope:
        return False
    return should_answer([r.score for r in item.results], tuning)


def report(mode: str, rankings: Sequence[Ranked], thresholds: Thresholds) -> ModeReport:
    tuning = thresholds.as_tuning(SearchTuning())
    in_scope = [item for item in rankings if item.question.scheme_id is not None]
    out_of_scope = [item for item in rankings if item.question.scheme_id is None]
    reciprocal, hit1, hit3, answered_in, correct_end = 0.0, 0, 0, 0, 0
    for item in in_scope:
        ids = [result.scheme_id for result in item.results]
        if item.question.scheme_id in ids:
            rank = ids.index(item.question.scheme_id) + 1
            reciprocal += 1.0 / rank
            hit1 += rank == 1
            hit3 += rank <= 3
        answered = _answers(item, tuning)
        answered_in += answered
        correct_end += answered and bool(ids) and ids[0] == item.question.scheme_id
    refused = sum(not _answers(item, tuning) for item in out_of_scope)
    n_in, n_out = len(in_scope), len(out_of_scope)
    return ModeReport(
        mode=mode,
        in_scope=n_in,
        out_of_scope=n_out,
        recall_at_1=hit1 / max(n_in, 1),
        recall_at_3=hit3 / max(n_in, 1),
        mrr=reciprocal / max(n_in, 1),
        no_answer_accuracy=(answered_in + refused) / max(n_in + n_out, 1),
        out_of_scope_refused=refused / max(n_out, 1),
        in_scope_answered=answered_in / max(n_in, 1),
        end_to_end=(correct_end + refused) / max(n_in + n_out, 1),
    )


def _right_first(rankings: Sequence[Ranked]) -> np.ndarray:
    """Per question: in scope, and the right scheme ranked first."""
    return np.array(
        [
            item.question.scheme_id is not None
            and bool(item.results)
            and item.results[0].scheme_id == item.question.scheme_id
            for item in rankings
        ]
    )


def _midpoints(values: np.ndarray) -> np.ndarray:
    """Halfway between neighbouring distinct values: every place a threshold can sit."""
    distinct = np.unique(values)
    return (distinct[:-1] + distinct[1:]) / 2


def _middle(values: Iterable[float]) -> float:
    """Of equally good thresholds (a plateau), the one nearest its middle, not an edge."""
    ordered = sorted(set(values))
    centre = (ordered[0] + ordered[-1]) / 2
    return min(ordered, key=lambda value: (abs(value - centre), value))


def calibrate(rankings: Sequence[Ranked], steps: int = 40) -> Thresholds:
    """Thresholds that maximise end-to-end accuracy (right answer or honest refusal).

    A wrong first answer counts as badly as a refusal, so the rule learns to refuse where
    the engine is unsure, not only where the question is out of scope. The topic rule is
    left out here on purpose: its list was written from the tuning split's out-of-scope
    topics, so counting it would let the score floor drop and lean on a list that cannot
    know every topic. The floor must refuse on its own; the list is a second guard.
    """
    tops = np.array([i.results[0].score if i.results else 0.0 for i in rankings])
    seconds = np.array([i.results[1].score if len(i.results) > 1 else 0.0 for i in rankings])
    margins = tops - seconds
    want = _right_first(rankings)
    out = np.array([i.question.scheme_id is None for i in rankings])
    # Every distinct rule: floors and confident scores halfway between neighbouring top
    # scores (a quantile grid was too coarse to see where a plateau of good rules ends).
    score_grid = np.concatenate(([tops.min() - 1e-6], _midpoints(tops), [tops.max() + 1e-6]))
    margin_grid = np.unique(np.quantile(margins, np.linspace(0.0, 0.9, steps // 2)))
    # answers_by_margin[m, i]: question i clears margin m.
    answers_by_margin = margins[None, :] >= margin_grid[:, None]
    results: list[tuple[float, Thresholds]] = []
    for low_index, low in enumerate(score_grid):
        above_low = tops >= low
        for high in score_grid[low_index:]:
            answered = above_low & ((tops >= high) | answers_by_margin)
            correct = np.where(out, ~answered, answered & want)
            for margin, accuracy in zip(margin_grid, correct.mean(axis=1), strict=True):
                rule = Thresholds(float(low), float(high), float(margin))
                results.append((float(accuracy), rule))
    best = max(accuracy for accuracy, _ in results)
    tied = [rule for accuracy, rule in results if accuracy == best]
    # Equally good rules form a plateau between the highest-scoring refusal and the lowest
    # right answer: take one near its middle, not an edge (the highest floor sat next to the
    # in-scope cliff and refused unseen in-scope questions). A single threshold (floor and
    # confident score equal, margin unused) is preferred when one is among the best.
    single = [rule for rule in tied if rule.min_score == rule.confident_score]
    if single:
        floor = _middle(rule.min_score for rule in single)
        return Thresholds(floor, floor, 0.0)
    floor = _middle(rule.min_score for rule in tied)
    tied = [rule for rule in tied if rule.min_score == floor]
    confident = _middle(rule.confident_score for rule in tied)
    tied = [rule for rule in tied if rule.confident_score == confident]
    return Thresholds(floor, confident, _middle(rule.min_margin for rule in tied))


def tune_fusion(
    engine: SchemeSearch,
    scored: Sequence[ScoredQuestion],
    weights: Sequence[float] = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
    saturations: Sequence[float] = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0),
    gap_questions: Sequence[ScoredQuestion] | None = None,
) -> SearchTuning:
    """The weight and saturation with the best recall@1, then its thresholds.

    The engine's current weight and saturation stay if they are among the best (recall@1
    moves in steps of one question, and many settings tie: a move needs a gain); otherwise
    MRR breaks the tie. The out-of-scope-example gap is calibrated last, on
    ``gap_questions`` if given (the dev set's tuning split refuses all its out-of-scope
    questions by the floor alone, so it cannot place that rule), else on ``scored``.
    """
    current = (engine.tuning.dense_weight, engine.tuning.bm25_saturation)
    best: tuple[tuple[float, bool, float], SearchTuning] | None = None
    for weight, saturation in itertools.product(weights, saturations):
        tuning = replace(engine.tuning, dense_weight=weight, bm25_saturation=saturation)
        summary = report("hybrid", rank_all(engine, scored, "hybrid", tuning), Thresholds(0, 0, 0))
        key = (summary.recall_at_1, (weight, saturation) == current, summary.mrr)
        if best is None or key > best[0]:
            best = (key, tuning)
    assert best is not None
    tuning = best[1]
    tuning = calibrate(rank_all(engine, scored, "hybrid", tuning)).as_tuning(tuning)
    gap = calibrate_gap(engine, scored if gap_questions is None else gap_questions, tuning)
    return replace(tuning, out_of_scope_gap=gap)


def calibrate_gap(
    engine: SchemeSearch, scored: Sequence[ScoredQuestion], tuning: SearchTuning
) -> float:
    """The out-of-scope-example gap with the best end-to-end accuracy, given the thresholds.

    Like the floor, without the topic list (the examples must refuse on their own). Gaps
    halfway between observed ones; the middle of the plateau of equally good values; the rule
    is off (infinite gap) unless it helps.
    """
    hybrid = rank_all(engine, scored, "hybrid", tuning)
    base = np.array([should_answer([r.score for r in item.results], tuning) for item in hybrid])
    right = _right_first(hybrid)
    out = np.array([s.question.scheme_id is None for s in scored])
    gaps = np.array([s.neighbour_gap for s in scored])
    finite = gaps[np.isfinite(gaps)]
    if not len(finite):
        return float("inf")
    grid = np.concatenate((_midpoints(finite), [finite.max() + 1e-6]))

    def accuracy(limit: float) -> float:
        kept = base & (gaps < limit)
        return float(np.where(out, ~kept, kept & right).mean())

    without = accuracy(float("inf"))
    scored_grid = [(accuracy(float(limit)), float(limit)) for limit in grid]
    best = max(value for value, _ in scored_grid)
    if best <= without:
        return float("inf")
    return _middle(limit for value, limit in scored_grid if value == best)
