from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from backend.embeddings import Encoder, get_encoder, get_route_encoder, model_id
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


def test_each_encoder_is_loaded_once_and_offline(encoder: Encoder) -> None:
    assert get_route_encoder() is encoder
    assert get_encoder("int8") is encoder
    shared = get_encoder()
    assert shared is get_encoder("float32") and shared is not encoder
    assert shared.model_id == model_id() == model_id("float32")
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    with pytest.raises(ValueError, match="unknown precision"):
        get_encoder("float16")  # type: ignore[arg-type]


def test_the_transformer_runs_int8_linear_layers(encoder: Encoder) -> None:
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

    transformer = encoder._model[0].model
    linears = [m for m in transformer.modules() if isinstance(m, DynamicInt8Linear)]
    floats = [m for m in transformer.modules() if type(m) is torch.nn.Linear]
    assert len(linears) >= 36  # 6 layers x (q, k, v, attention out, intermediate, out)
    assert floats == []
    assert torch.get_num_threads() == 1


def test_vectors_are_unit_rows_and_a_text_gets_the_same_vector_alone_or_in_a_batch(
    encoder: Encoder,
) -> None:
    batch = encoder.encode(TEXTS)
    assert batch.shape == (len(TEXTS), encoder.dimension) and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    alone = np.stack([encoder.encode([text])[0] for text in reversed(TEXTS)])[::-1]
    # Dynamic quantisation scales by the batch's range; one text per pass makes this exact.
    np.testing.assert_array_equal(batch, alone)
    np.testing.assert_array_equal(encoder.encode(TEXTS), batch)
    assert encoder.encode([]).shape == (0, encoder.dimension)


def test_the_one_text_path_gives_what_sentence_transformers_encode_gives(
    encoder: Encoder,
) -> None:
    assert encoder._traced is not None  # the shipped path: TorchScript, checked against this
    long_text = "The buyer has not paid. " * 80  # beyond the 256-token limit: cut the same way
    for text in [*TEXTS, long_text, "ok", "भुगतान नहीं हुआ"]:
        reference = encoder._model.encode([text], normalize_embeddings=True)[0]
        np.testing.assert_allclose(encoder.encode([text])[0], reference, atol=1e-5)


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
