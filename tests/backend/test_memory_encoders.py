"""What keeps the API process's encoders small (docs/PERFORMANCE.md, "Memory")."""

from __future__ import annotations

import subprocess
import sys

from backend.embeddings import get_encoder, get_route_encoder, release_free_memory


def test_routing_and_scheme_search_load_the_int8_graph_only() -> None:
    # The float32 graph (90 MB) is the dashboard clusters'; a process that only routes and
    # searches schemes must not hold it.
    script = (
        "from backend import embeddings as e\n"
        "e.get_route_encoder().encode(['the buyer has not paid'])\n"
        "e.get_scheme_encoder().encode(['PMEGP subsidy'])\n"
        "print(e._load.cache_info().currsize)\n"
        "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'transformers', 'sentence_transformers', 'onnx')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    loaded, heavy = result.stdout.splitlines()[-2:]
    assert loaded == "1"  # one graph: int8
    assert heavy == "[]"  # no torch, and the graph builder's onnx only when building


def test_releasing_free_memory_is_safe_anywhere() -> None:
    release_free_memory()
    release_free_memory()
    assert sys.modules["backend.embeddings"]  # still importable and usable afterwards
    assert get_encoder().encode(["after a trim"]).shape == (1, 384)


def test_both_encoders_use_one_tokenizer() -> None:
    assert get_route_encoder()._tokenizer is get_encoder()._tokenizer
