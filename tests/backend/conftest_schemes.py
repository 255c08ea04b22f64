"""Fixtures for the scheme search tests (a pytest plugin: ``pytest_plugins`` in the modules).

Most tests use a hashing bag-of-words encoder: deterministic, instant, and similar enough to a
sentence model (shared words -> high cosine) to exercise indexing, caching and fusion. Only
the dev-set regression test loads the real model.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from backend.schemes.search import SchemeSearch, SearchTuning

DIMENSION = 384


class HashingEncoder:
    """Unit vectors from hashed words: texts sharing words have a high cosine."""

    def __init__(self, model_id: str = "hashing-test-encoder") -> None:
        self.model_id = model_id

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                bucket = int(hashlib.blake2b(word.encode(), digest_size=4).hexdigest(), 16)
                vectors[row, bucket % DIMENSION] += 1.0
            norm = np.linalg.norm(vectors[row])
            if norm > 0:
                vectors[row] /= norm
        return vectors


class CountingEncoder:
    """Wraps an encoder and counts the texts it was asked to encode."""

    def __init__(self, inner: HashingEncoder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.texts_encoded = 0
        self.calls = 0

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.calls += 1
        self.texts_encoded += len(texts)
        return self.inner.encode(texts, batch_size)


def scheme_yaml(scheme_id: str, name: str, faq: list[tuple[list[str], str]]) -> str:
    """A minimal valid knowledge-base file."""
    entries = "\n".join(
        "  - questions:\n"
        + "".join(f"      - {question}\n" for question in questions)
        + f"    answer: {answer}"
        for questions, answer in faq
    )
    return (
        textwrap.dedent(
            f"""\
            id: {scheme_id}
            name: {name}
            aliases: [{name}]
            summary: About {name}.
            eligibility: [Anyone]
            benefits: [Something]
            how_to_apply: [Online]
            documents: [Aadhaar]
            url: https://example.gov.in/{scheme_id}
            last_verified: 2026-11-26
            sources: [https://example.gov.in]
            faq:
            """
        )
        + entries
        + "\n"
    )


SMALL_KB = {
    "mudra": (
        "Mudra loan",
        [
            (["How much loan does mudra give?", "mudra loan amount"], "Up to Rs 20 lakh."),
            (["Who can get a mudra loan?"], "Micro businesses."),
        ],
    ),
    "udyam": (
        "Udyam registration",
        [(["How do I register on udyam portal?", "udyam certificate steps"], "Online, free.")],
    ),
    "samadhaan": (
        "Samadhaan delayed payment",
        [(["Buyer has not paid my invoice", "delayed payment complaint"], "File on Samadhaan.")],
    ),
}


def write_small_kb(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for scheme_id, (name, faq) in SMALL_KB.items():
        (directory / f"{scheme_id}.yaml").write_text(scheme_yaml(scheme_id, name, faq))
    return directory


@pytest.fixture
def make_encoder() -> type[HashingEncoder]:
    return HashingEncoder


@pytest.fixture
def small_kb(tmp_path: Path) -> Path:
    return write_small_kb(tmp_path / "kb")


@pytest.fixture
def scheme_file() -> Callable[[str, str, list[tuple[list[str], str]]], str]:
    return scheme_yaml


@pytest.fixture
def counting_encoder() -> CountingEncoder:
    return CountingEncoder(HashingEncoder())


@pytest.fixture
def small_engine(small_kb: Path, tmp_path: Path) -> SchemeSearch:
    # Thresholds for the hashing encoder's scale (exact word overlap scores near 1).
    tuning = SearchTuning(min_score=0.3, confident_score=0.5, min_margin=0.05)
    return SchemeSearch.from_directory(small_kb, HashingEncoder(), tmp_path / "cache", tuning)


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory: pytest.TempPathFactory) -> SchemeSearch:
    """The bundled knowledge base with the real model (encoded once per test session)."""
    from backend.embeddings import get_scheme_encoder
    from backend.schemes.knowledge import DATA_DIR, load_out_of_scope

    cache = tmp_path_factory.mktemp("scheme-cache")
    return SchemeSearch.from_directory(
        DATA_DIR, get_scheme_encoder(), cache, out_of_scope=load_out_of_scope()
    )
