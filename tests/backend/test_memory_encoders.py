"""What keeps the API process's two encoders small (docs: memory findings of issue 4)."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from backend.embeddings import get_encoder, get_route_encoder, release_free_memory


def test_the_int8_encoder_shares_the_float_encoders_token_embedding_table() -> None:
    # quantize_dynamic's default (a deep copy) silently made a second 47 MB table.
    int8 = get_route_encoder()._model[0].model.embeddings
    float32 = get_encoder()._model[0].model.embeddings
    assert int8 is float32
    assert int8.word_embeddings.weight.data_ptr() == float32.word_embeddings.weight.data_ptr()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux /proc")
def test_only_one_mapping_of_the_weight_file_stays() -> None:
    # The int8 model is loaded from the same file; once quantised, nothing of it may keep
    # that second mapping (and the float weights quantisation read in it) alive.
    get_route_encoder().encode(["warm up"])
    get_encoder().encode(["warm up"])
    gc.collect()
    maps = Path("/proc/self/maps").read_text().splitlines()
    assert len([line for line in maps if line.endswith(".safetensors")]) == 1


def test_releasing_free_memory_is_safe_anywhere() -> None:
    release_free_memory()
    release_free_memory()
    assert sys.modules["backend.embeddings"]  # still importable and usable afterwards
    assert get_encoder().encode(["after a trim"]).shape == (1, 384)


def test_both_encoders_use_one_tokenizer() -> None:
    int8, float32 = get_route_encoder()._model, get_encoder()._model
    assert int8.tokenizer is float32.tokenizer
    assert int8[0].input_formatter.processor is float32[0].processor
