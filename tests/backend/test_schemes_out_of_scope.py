"""Known out-of-scope requests: loading them, refusing what lies nearer to them than to the
knowledge base, calibrating the gap, and caching their vectors with the passages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from backend.schemes.evaluation import (
    LabelledQuestion,
    ScoredQuestion,
    Thresholds,
    calibrate_gap,
    rank_all,
    report,
)
from backend.schemes.knowledge import KnowledgeBaseError, load_out_of_scope
from backend.schemes.search import SchemeSearch, SearchTuning

if TYPE_CHECKING:
    from tests.backend.conftest_schemes import CountingEncoder, HashingEncoder

pytest_plugins = ["tests.backend.conftest_schemes"]

EXAMPLES = (
    "how do I update my aadhaar address",
    "gst return filing date",
    "loan rates for a new scooter",
)
# Thresholds for the hashing encoder's scale, with the examples' rule on.
TUNING = SearchTuning(min_score=0.1, confident_score=0.1, min_margin=0.0, out_of_scope_gap=0.0)


def test_the_shipped_examples_load_and_are_distinct() -> None:
    examples = load_out_of_scope()
    assert len(examples) >= 200
    assert len(set(examples)) == len(examples)
    assert all(text.strip() == text and text for text in examples)


@pytest.mark.parametrize(
    "content",
    ["questions: []\n", "other: [1]\n", "questions:\n  - {lang: en}\n", "questions: [: bad\n"],
)
def test_a_broken_examples_file_fails_loudly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "out_of_scope.yaml"
    path.write_text(content)
    with pytest.raises(KnowledgeBaseError):
        load_out_of_scope(path)


def test_a_question_nearer_an_example_than_the_knowledge_base_is_refused(
    small_kb: Path, tmp_path: Path, make_encoder: type[HashingEncoder]
) -> None:
    engine = SchemeSearch.from_directory(
        small_kb, make_encoder(), tmp_path / "cache", TUNING, EXAMPLES
    )
    # Shares "loan" with MUDRA's entries, but it is the scooter-loan example's question.
    assert engine.rank("loan amount for my scooter", k=1)[0].scheme_id == "mudra"
    assert engine.search("loan amount for my scooter").answered is False
    assert engine.search("aadhaar address update how").answered is False
    # Questions nearer the knowledge base are answered as before.
    answer = engine.search("how much mudra loan amount")
    assert answer.answered and answer.results[0].scheme_id == "mudra"
    assert engine.search("buyer has not paid my invoice").results[0].scheme_id == "samadhaan"


def test_without_examples_or_with_the_rule_off_nothing_changes(
    small_kb: Path, tmp_path: Path, make_encoder: type[HashingEncoder]
) -> None:
    off = SchemeSearch.from_directory(
        small_kb,
        make_encoder(),
        tmp_path / "c1",
        SearchTuning(min_score=0.1, confident_score=0.1, min_margin=0.0),
        EXAMPLES,
    )
    none = SchemeSearch.from_directory(small_kb, make_encoder(), tmp_path / "c2", TUNING)
    for engine in (off, none):
        assert engine.search("loan amount for my scooter").answered is True


def test_examples_are_cached_with_the_passages_in_one_file(
    small_kb: Path, tmp_path: Path, counting_encoder: CountingEncoder
) -> None:
    cache = tmp_path / "cache"
    encoder = counting_encoder
    SchemeSearch.from_directory(small_kb, encoder, cache, TUNING, EXAMPLES)
    first = encoder.texts_encoded
    SchemeSearch.from_directory(small_kb, encoder, cache, TUNING, EXAMPLES)
    assert encoder.texts_encoded == first  # read back, not re-encoded
    assert len(list(cache.glob("*.npy"))) == 1
    # Another example list is another key: re-encoded, and the stale file pruned.
    SchemeSearch.from_directory(small_kb, encoder, cache, TUNING, EXAMPLES[:2])
    assert encoder.texts_encoded > first
    assert len(list(cache.glob("*.npy"))) == 1


def _scored(engine: SchemeSearch, items: list[tuple[str, str | None]]) -> list[ScoredQuestion]:
    from backend.schemes.evaluation import score_questions

    return score_questions(
        engine, [LabelledQuestion(text, scheme, "en", False) for text, scheme in items]
    )


def test_calibration_turns_the_rule_on_only_when_it_helps(
    small_kb: Path, tmp_path: Path, make_encoder: type[HashingEncoder]
) -> None:
    engine = SchemeSearch.from_directory(
        small_kb, make_encoder(), tmp_path / "cache", TUNING, EXAMPLES
    )
    base = SearchTuning(min_score=0.1, confident_score=0.1, min_margin=0.0)
    in_scope = [("how much mudra loan amount", "mudra"), ("udyam certificate steps", "udyam")]
    helped = _scored(engine, [*in_scope, ("loan amount for my scooter", None)])
    gap = calibrate_gap(engine, helped, base)
    assert np.isfinite(gap)
    tuned = SearchTuning(min_score=0.1, confident_score=0.1, min_margin=0.0, out_of_scope_gap=gap)
    summary = report("hybrid", rank_all(engine, helped, "hybrid", tuned), Thresholds(0.1, 0.1, 0))
    assert summary.end_to_end == 1.0
    # Nothing out of scope to refuse: the rule stays off.
    assert calibrate_gap(engine, _scored(engine, in_scope), base) == float("inf")
