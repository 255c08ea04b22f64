from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from backend import encoder_graph
from backend.embeddings import (
    Encoder,
    get_encoder,
    get_route_encoder,
    graph_directory,
    model_id,
)
from backend.schemes.embedding_cache import cached_embeddings, embedding_cache_key

TEXTS = [
    "The buyer has not paid our invoices for eight months.",
    "Bank manager is asking for collateral for a small loan.",
    "Coir fibre supply to our spinning unit has stopped.",
    "Udyam certificate shows the wrong district",
]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    """The route classifier's (int8)."""
    return get_route_encoder()


def test_each_encoder_is_loaded_once(encoder: Encoder) -> None:
    assert get_route_encoder() is encoder
    assert get_encoder("int8") is encoder
    shared = get_encoder()
    assert shared is get_encoder("float32") and shared is not encoder
    assert shared.model_id == model_id() == model_id("float32")
    with pytest.raises(ValueError, match="unknown precision"):
        get_encoder("float16")  # type: ignore[arg-type]


def test_the_route_encoder_runs_the_int8_graph_on_one_thread(encoder: Encoder) -> None:
    import onnx

    graph = onnx.load(str(graph_directory() / encoder_graph.GRAPHS["int8"])).graph
    kinds = [node.op_type for node in graph.node]
    # 6 layers x (query, key, value, attention out, intermediate, out) read int8 weights.
    assert kinds.count("MatMulInteger") >= 36
    weights = {tensor.name: tensor.data_type for tensor in graph.initializer}
    assert not [
        name
        for name, kind in weights.items()
        if kind == onnx.TensorProto.FLOAT and name.endswith(".weight_quantized")
    ]
    assert encoder._session.get_session_options().intra_op_num_threads == 1
    assert encoder.one_text_per_pass and not get_encoder().one_text_per_pass


def test_vectors_are_unit_rows_and_a_text_gets_the_same_vector_alone_or_in_a_batch(
    encoder: Encoder,
) -> None:
    batch = encoder.encode(TEXTS)
    assert batch.shape == (len(TEXTS), encoder.dimension) and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    alone = np.stack([encoder.encode([text])[0] for text in reversed(TEXTS)])[::-1]
    # Dynamic quantisation scales by the pass's range; one text per pass makes this exact.
    np.testing.assert_array_equal(batch, alone)
    np.testing.assert_array_equal(encoder.encode(TEXTS), batch)
    assert encoder.encode([]).shape == (0, encoder.dimension)


REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"


def test_float32_vectors_are_sentence_transformers_vectors_alone_and_padded() -> None:
    """The reference vectors were recorded with sentence-transformers' own encode (its
    ``made_by`` field says which versions) on short, empty, Hindi, Hinglish, emoji and
    over-long texts (cut at 256 word pieces). The float32 graph, with our tokenising, padding
    and pooling, must give them: alone, in one padded batch, and in batches of three."""
    reference = np.load(REFERENCE)
    texts = [str(text) for text in reference["texts"]]
    expected = reference["vectors"]
    shared = get_encoder()
    np.testing.assert_allclose(shared.encode(texts), expected, atol=1e-5)
    np.testing.assert_allclose(shared.encode(texts, batch_size=3), expected, atol=1e-5)
    alone = np.stack([shared.encode([text])[0] for text in texts])
    np.testing.assert_allclose(alone, expected, atol=1e-5)


def test_int8_vectors_stay_close_to_the_float32_ones(encoder: Encoder) -> None:
    reference = np.load(REFERENCE)
    texts = [str(text) for text in reference["texts"]]
    cosines = (encoder.encode(texts) * reference["vectors"]).sum(axis=1)
    assert cosines.min() > 0.95 and float(np.median(cosines)) > 0.98


def test_graphs_are_rebuilt_when_what_they_are_made_of_changes(tmp_path: Path) -> None:
    assert not encoder_graph.is_built(tmp_path)
    encoder_graph.ensure(tmp_path)
    assert encoder_graph.is_built(tmp_path)
    built = {name: (tmp_path / name).stat().st_mtime_ns for name in encoder_graph.GRAPHS.values()}
    encoder_graph.ensure(tmp_path)  # current: nothing written
    assert built == {name: (tmp_path / name).stat().st_mtime_ns for name in built}
    manifest = tmp_path / encoder_graph.MANIFEST
    manifest.write_text(json.dumps({"key": "an older builder"}))
    assert not encoder_graph.is_built(tmp_path)
    encoder_graph.ensure(tmp_path)
    assert json.loads(manifest.read_text())["key"] == encoder_graph.build_key()
    (tmp_path / encoder_graph.GRAPHS["int8"]).unlink()  # a half-copied directory
    assert not encoder_graph.is_built(tmp_path)


def test_int8_vectors_still_carry_the_meaning(encoder: Encoder) -> None:
    query, payment, credit, coir, _ = encoder.encode(
        ["My customer is late paying the invoice", *TEXTS]
    )
    assert query @ payment > max(query @ credit, query @ coir) + 0.1


def test_the_scheme_cache_is_re_filled_when_the_encoder_changes(
    encoder: Encoder, tmp_path: Path
) -> None:
    assert encoder.model_id == model_id("int8")
    assert "int8" in encoder.model_id and "int8" not in model_id("float32")
    assert embedding_cache_key(model_id("int8"), TEXTS) != embedding_cache_key(
        model_id("float32"), TEXTS
    )

    class Stale:  # vectors of "another encoder" left in the cache directory
        model_id = model_id("float32")

        def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
            return np.zeros((len(texts), 384), dtype=np.float32)

    cached_embeddings(Stale(), TEXTS, tmp_path)
    vectors = cached_embeddings(encoder, TEXTS, tmp_path)
    np.testing.assert_array_equal(vectors, encoder.encode(TEXTS))
