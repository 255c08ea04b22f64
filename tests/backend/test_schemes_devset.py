"""Regression: the real model on the labelled dev set stays above the goals.

Loads the real embedding model and encodes the knowledge base once per session (about 5-20 s
on two cores); the figures are the ones bench/schemes_eval.py prints for the "all" split.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.schemes.evaluation import (
    ModeReport,
    Thresholds,
    calibrate,
    load_devset,
    rank_all,
    report,
    score_questions,
)
from backend.schemes.search import RankingMode, SchemeSearch

pytest_plugins = ["tests.backend.conftest_schemes"]

DEVSET = Path(__file__).resolve().parents[2] / "bench" / "data" / "schemes_devset.yaml"


@pytest.fixture(scope="module")
def reports(real_engine: SchemeSearch) -> dict[str, ModeReport]:
    scored = score_questions(real_engine, load_devset(DEVSET))
    tuning = real_engine.tuning
    out: dict[str, ModeReport] = {}
    modes: tuple[RankingMode, ...] = ("bm25", "dense", "hybrid")
    for mode in modes:
        rankings = rank_all(real_engine, scored, mode, tuning)
        if mode == "hybrid":
            thresholds = Thresholds(tuning.min_score, tuning.confident_score, tuning.min_margin)
        else:
            thresholds = calibrate([r for r in rankings if not r.question.held_out])
        out[mode] = report(mode, rankings, thresholds)
    return out


def test_dev_set_is_big_enough() -> None:
    questions = load_devset(DEVSET)
    in_scope = [q for q in questions if q.scheme_id is not None]
    assert len(in_scope) >= 150
    assert len(questions) - len(in_scope) >= 40
    assert {"en", "hinglish", "hi"} <= {q.language for q in in_scope}


def test_hybrid_meets_the_recall_goal(reports: dict[str, ModeReport]) -> None:
    hybrid = reports["hybrid"]
    assert hybrid.recall_at_1 >= 0.90
    assert hybrid.recall_at_3 >= 0.95


def test_hybrid_beats_each_retriever_alone(reports: dict[str, ModeReport]) -> None:
    # The goal is +0.10 over BM25 alone: not met (docs/PERFORMANCE.md). BM25 here
    # shares the aliases, acronym reading and Hinglish glosses and the knowledge base's 830
    # phrasings, which lifted it to 0.901 on the dev set, where +0.10 would need recall@1
    # above 1. Measured +0.043 (hybrid 0.944, int8 encoder) and +0.026 over dense; guarded
    # with about three questions of slack each.
    assert reports["hybrid"].recall_at_1 >= reports["bm25"].recall_at_1 + 0.03
    assert reports["hybrid"].recall_at_1 >= reports["dense"].recall_at_1 + 0.015
    assert reports["hybrid"].mrr > max(reports["bm25"].mrr, reports["dense"].mrr)


def test_no_answer_decision_meets_the_goal(reports: dict[str, ModeReport]) -> None:
    hybrid = reports["hybrid"]
    assert hybrid.no_answer_accuracy >= 0.90
    assert hybrid.out_of_scope_refused >= 0.90


@pytest.mark.parametrize(
    ("question", "scheme_id"),
    [
        ("मुद्रा लोन", "pm_mudra"),
        ("mudra loan kitna milta hai", "pm_mudra"),
        ("सीजीटीएमएसई क्या है", "cgtmse"),
        ("क्लस्टर विकास कार्यक्रम क्या है", "mse_cdp"),
        ("buyer ne 3 mahine se payment nahi diya", "delayed_payments"),
        ("Is Udyam registration free?", "udyam_registration"),
        ("ECLGS loan milega kya", "eclgs"),
    ],
)
def test_questions_in_three_languages_find_their_scheme(
    real_engine: SchemeSearch, question: str, scheme_id: str
) -> None:
    answer = real_engine.search(question, k=3)
    assert answer.answered
    assert answer.results[0].scheme_id == scheme_id


@pytest.mark.parametrize(
    "question",
    [
        "passport renewal",
        "who won the cricket match",
        "income tax slabs for salary",
        "gst rate on steel utensils",
    ],
)
def test_out_of_scope_questions_are_not_answered(real_engine: SchemeSearch, question: str) -> None:
    answer = real_engine.search(question, k=3)
    assert not answer.answered
    assert answer.results == ()
