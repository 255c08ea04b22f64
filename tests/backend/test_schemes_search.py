"""Index building, the embedding cache, fusion and the no-answer rule (fake encoder)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from backend.schemes.embedding_cache import cached_embeddings
from backend.schemes.search import (
    SchemeSearch,
    SearchTuning,
    reciprocal_rank_fusion,
    should_answer,
    weighted_fusion,
)

pytest_plugins = ["tests.backend.conftest_schemes"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.backend.conftest_schemes import CountingEncoder, HashingEncoder


def test_index_has_one_entry_per_faq_and_passages_for_every_phrasing(
    small_kb: Path, counting_encoder: CountingEncoder, tmp_path: Path
) -> None:
    engine = SchemeSearch.from_directory(small_kb, counting_encoder, tmp_path / "cache")
    assert engine.entry_count == 4
    assert [scheme.id for scheme in engine.schemes] == ["mudra", "samadhaan", "udyam"]
    # Every passage was encoded once, in one call.
    assert counting_encoder.calls == 1
    assert counting_encoder.texts_encoded == engine.passage_count
    assert engine.passage_count > engine.entry_count


def test_second_build_reads_the_cache_instead_of_encoding(
    small_kb: Path, counting_encoder: CountingEncoder, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = SchemeSearch.from_directory(small_kb, counting_encoder, cache)
    encoded = counting_encoder.texts_encoded
    assert list(cache.glob("scheme-embeddings-*.npy"))

    second = SchemeSearch.from_directory(small_kb, counting_encoder, cache)

    assert counting_encoder.texts_encoded == encoded  # nothing re-encoded
    query = "mudra loan amount"
    assert first.rank(query, 3) == second.rank(query, 3)


def test_changed_content_or_model_is_encoded_again(
    small_kb: Path,
    counting_encoder: CountingEncoder,
    make_encoder: type[HashingEncoder],
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    SchemeSearch.from_directory(small_kb, counting_encoder, cache)
    calls = counting_encoder.calls

    path = small_kb / "udyam.yaml"
    path.write_text(path.read_text().replace("Online, free.", "Online and free of cost."))
    SchemeSearch.from_directory(small_kb, counting_encoder, cache)
    assert counting_encoder.calls == calls + 1
    # The stale file is pruned: one cache file per knowledge base.
    assert len(list(cache.glob("scheme-embeddings-*.npy"))) == 1

    other_model = type(counting_encoder)(make_encoder(model_id="another-model"))
    SchemeSearch.from_directory(small_kb, other_model, cache)
    assert other_model.calls == 1


def test_unreadable_cache_is_rebuilt(counting_encoder: CountingEncoder, tmp_path: Path) -> None:
    passages = ["one passage", "another passage"]
    cached_embeddings(counting_encoder, passages, tmp_path)
    (cache_file,) = tmp_path.glob("scheme-embeddings-*.npy")
    cache_file.write_bytes(b"not numpy")

    vectors = cached_embeddings(counting_encoder, passages, tmp_path)

    assert counting_encoder.calls == 2
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_without_cache_dir_nothing_is_written(
    small_kb: Path, counting_encoder: CountingEncoder, tmp_path: Path
) -> None:
    SchemeSearch.from_directory(small_kb, counting_encoder, None)
    SchemeSearch.from_directory(small_kb, counting_encoder, None)
    assert counting_encoder.calls == 2


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [2, 1, 4]], k=60)
    # 1 and 2 are ranked by both lists and tie; 3 and 4 appear once, lower.
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[1] == pytest.approx(fused[2])
    assert fused[3] == pytest.approx(1 / 63)
    assert min(fused[1], fused[2]) > max(fused[3], fused[4])


def test_weighted_fusion_blends_cosine_with_saturated_bm25() -> None:
    dense = np.array([0.8, 0.2, 0.5])
    bm25 = np.array([0.0, 16.0, 1e9])
    fused = weighted_fusion(dense, bm25, dense_weight=0.5, bm25_saturation=16.0)
    assert fused[0] == pytest.approx(0.4)
    assert fused[1] == pytest.approx(0.1 + 0.25)
    # However large BM25 gets, its share stays below its weight.
    assert fused[2] < 0.5 * 0.5 + 0.5


@pytest.mark.parametrize(
    ("scores", "answered"),
    [
        ([], False),
        ([0.2, 0.1], False),  # below the floor
        ([0.7, 0.69], True),  # confident, however close the runner-up
        ([0.55, 0.54], False),  # above the floor but ambiguous
        ([0.55, 0.45], True),  # above the floor with a clear margin
        ([0.55], True),  # nothing to compete with
    ],
)
def test_no_answer_rule(scores: list[float], answered: bool) -> None:
    tuning = SearchTuning(min_score=0.5, confident_score=0.6, min_margin=0.05)
    assert should_answer(scores, tuning) is answered


def test_search_returns_one_result_per_scheme_best_first(small_engine: SchemeSearch) -> None:
    results = small_engine.rank("how much mudra loan", k=3)
    assert results[0].scheme_id == "mudra"
    assert len({r.scheme_id for r in results}) == len(results) == 3
    assert results[0].answer == "Up to Rs 20 lakh."
    assert results[0].url == "https://example.gov.in/mudra"
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)


def test_k_limits_the_results(small_engine: SchemeSearch) -> None:
    assert len(small_engine.rank("udyam", k=1)) == 1
    assert len(small_engine.rank("udyam", k=10)) == 3  # only three schemes exist


def test_search_refuses_what_the_knowledge_base_does_not_cover(small_engine: SchemeSearch) -> None:
    refused = small_engine.search("passport renewal appointment", k=3)
    assert refused.answered is False
    assert refused.results == ()

    answered = small_engine.search("buyer has not paid my invoice", k=3)
    assert answered.answered is True
    assert answered.results[0].scheme_id == "samadhaan"


def test_bm25_finds_devanagari_aliases(
    tmp_path: Path,
    make_encoder: type[HashingEncoder],
    scheme_file: Callable[[str, str, list[tuple[list[str], str]]], str],
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    text = scheme_file("mudra", "Mudra loan", [(["How much is the mudra loan?"], "Up to 20 lakh.")])
    (kb / "mudra.yaml").write_text(text.replace("aliases: [Mudra loan]", "aliases: [मुद्रा लोन]"))
    (kb / "udyam.yaml").write_text(
        scheme_file("udyam", "Udyam", [(["How to register?"], "Online.")])
    )
    engine = SchemeSearch.from_directory(kb, make_encoder(), None)
    assert engine.rank("मुद्रा लोन", k=1, mode="bm25")[0].scheme_id == "mudra"


def test_vectors_must_match_the_passages(
    small_kb: Path, make_encoder: type[HashingEncoder]
) -> None:
    from backend.schemes.knowledge import load_knowledge_base

    with pytest.raises(ValueError, match="vectors"):
        SchemeSearch(load_knowledge_base(small_kb), make_encoder(), np.zeros((2, 384)))


def test_each_encoder_keeps_its_own_cache_file(
    small_kb: Path,
    counting_encoder: CountingEncoder,
    make_encoder: type[HashingEncoder],
    tmp_path: Path,
) -> None:
    # A float32 benchmark and the int8 service share var/cache: neither prunes the other.
    cache = tmp_path / "cache"
    other = type(counting_encoder)(make_encoder(model_id="all-MiniLM-L6-v2;int8"))
    SchemeSearch.from_directory(small_kb, counting_encoder, cache)
    SchemeSearch.from_directory(small_kb, other, cache)
    assert len(list(cache.glob("scheme-embeddings-*.npy"))) == 2

    SchemeSearch.from_directory(small_kb, counting_encoder, cache)
    SchemeSearch.from_directory(small_kb, other, cache)
    assert (counting_encoder.calls, other.calls) == (1, 1)


def test_search_refuses_a_declined_topic_whatever_the_scores(
    tmp_path: Path,
    make_encoder: type[HashingEncoder],
    scheme_file: Callable[[str, str, list[tuple[list[str], str]]], str],
) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "taxes.yaml").write_text(
        scheme_file("taxes", "Delayed payment", [(["income tax on payments"], "Section 43B(h).")])
    )
    tuning = SearchTuning(min_score=0.1, confident_score=0.1, min_margin=0.0)
    engine = SchemeSearch.from_directory(kb, make_encoder(), None, tuning)
    # The words match the entry well, but the topic is declined and no scheme is named.
    assert engine.rank("income tax on payments", k=1)[0].score > tuning.confident_score
    assert engine.search("income tax on payments", k=3).answered is False
    assert engine.search("delayed payment income tax", k=3).answered is True


def test_fused_scores_modes(small_engine: SchemeSearch) -> None:
    dense = np.array([0.9, 0.1, 0.5])
    bm25 = np.array([0.0, 30.0, 5.0])
    assert small_engine.fused_scores(dense, bm25, "dense").tolist() == dense.tolist()
    assert small_engine.fused_scores(dense, bm25, "bm25").tolist() == bm25.tolist()
    hybrid = small_engine.fused_scores(dense, bm25, "hybrid")
    tuning = small_engine.tuning
    expected = weighted_fusion(dense, bm25, tuning.dense_weight, tuning.bm25_saturation)
    assert hybrid.tolist() == pytest.approx(expected.tolist())
    # Dense puts entry 0 first and BM25 entry 1; the blend weighs both.
    assert hybrid[0] < dense[0] and hybrid[1] > 0.1
    rrf = small_engine.fused_scores(dense, bm25, "rrf")
    assert rrf[2] == pytest.approx(2 / (60 + 2))
