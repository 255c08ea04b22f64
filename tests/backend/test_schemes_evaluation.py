"""The measuring code: metrics, threshold calibration and the topic rule in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.schemes.evaluation import (
    LabelledQuestion,
    Ranked,
    Thresholds,
    calibrate,
    load_devset,
    report,
)
from backend.schemes.knowledge import load_knowledge_base
from backend.schemes.search import SearchResult

BENCH_DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def result(scheme_id: str, score: float) -> SearchResult:
    return SearchResult(scheme_id, scheme_id, "answer", "https://example.gov.in", score, "q")


def item(want: str | None, ranked: list[tuple[str, float]], declined: bool = False) -> Ranked:
    question = LabelledQuestion("text", want, "en", held_out=False)
    return Ranked(question, [result(s, score) for s, score in ranked], declined)


def test_recall_and_mrr_count_the_rank_of_the_right_scheme() -> None:
    rows = [
        item("a", [("a", 0.9), ("b", 0.5)]),
        item("a", [("b", 0.9), ("a", 0.5)]),
        item("a", [("b", 0.9), ("c", 0.5), ("d", 0.4), ("a", 0.3)]),
    ]
    summary = report("hybrid", rows, Thresholds(0.0, 0.0, 0.0))
    assert summary.recall_at_1 == pytest.approx(1 / 3)
    assert summary.recall_at_3 == pytest.approx(2 / 3)
    assert summary.mrr == pytest.approx((1 + 1 / 2 + 1 / 4) / 3)


def test_calibration_finds_the_floor_between_answers_and_out_of_scope() -> None:
    rows = [item("a", [("a", 0.6 + i / 100), ("b", 0.2)]) for i in range(10)]
    rows += [item(None, [("a", 0.3 + i / 100), ("b", 0.2)]) for i in range(10)]
    thresholds = calibrate(rows)
    assert 0.39 < thresholds.min_score <= 0.6
    summary = report("hybrid", rows, thresholds)
    assert summary.no_answer_accuracy == 1.0
    assert summary.end_to_end == 1.0


def test_a_wrong_first_answer_counts_as_badly_as_a_refusal() -> None:
    rows = [item("a", [("b", 0.8), ("a", 0.7)])]
    summary = report("hybrid", rows, Thresholds(0.5, 0.5, 0.0))
    assert summary.in_scope_answered == 1.0
    assert summary.end_to_end == 0.0


def test_declined_topics_are_refused_in_the_report_but_not_in_calibration() -> None:
    # Out-of-scope questions that score high: only the topic rule refuses them.
    rows = [item("a", [("a", 0.8), ("b", 0.1)]) for _ in range(3)]
    rows += [item(None, [("a", 0.9), ("b", 0.1)], declined=True) for _ in range(3)]
    summary = report("hybrid", rows, Thresholds(0.5, 0.5, 0.0))
    assert summary.out_of_scope_refused == 1.0
    # The floor is calibrated as if there were no list, so it must refuse on its own: here
    # that is impossible without losing the in-scope answers, and calibration says so.
    thresholds = calibrate(rows)
    without_list = report(
        "hybrid", [Ranked(r.question, r.results, False) for r in rows], thresholds
    )
    assert without_list.end_to_end < 1.0


@pytest.mark.parametrize("name", ["schemes_devset.yaml", "schemes_heldout.yaml"])
def test_labelled_sets_name_real_schemes_in_three_languages(name: str) -> None:
    known = {scheme.id for scheme in load_knowledge_base()}
    questions = load_devset(BENCH_DATA / name)
    in_scope = [q for q in questions if q.scheme_id is not None]
    assert {q.scheme_id for q in in_scope} <= known
    assert {"en", "hinglish", "hi"} <= {q.language for q in in_scope}
    texts = [q.text.casefold() for q in questions]
    assert len(texts) == len(set(texts)), "a question appears twice"


def test_held_out_file_is_big_enough_and_shares_no_question_with_the_dev_set() -> None:
    held = load_devset(BENCH_DATA / "schemes_heldout.yaml", all_held_out=True)
    dev = {q.text.casefold() for q in load_devset(BENCH_DATA / "schemes_devset.yaml")}
    assert all(q.held_out for q in held)
    assert sum(q.scheme_id is not None for q in held) >= 60
    assert sum(q.scheme_id is None for q in held) >= 15
    assert not {q.text.casefold() for q in held} & dev
