"""The features both trained readers use (``routing/urgency_model.py``, ``pulse/reader.py``):
TF-IDF character n-grams (2-5, within words) and word n-grams of already folded texts, stacked.
Character n-grams read Hindi, Hinglish and English alike, misspelt or not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class NgramFeatures:
    """Fitted on construction; ``transform`` gives one sparse row per text."""

    def __init__(
        self, folded: Sequence[str], *, word_ngrams: tuple[int, int], token_pattern: str
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float32
        )
        self._words = TfidfVectorizer(
            analyzer="word",
            ngram_range=word_ngrams,
            sublinear_tf=True,
            token_pattern=token_pattern,
            dtype=np.float32,
        )
        self._chars.fit(folded)
        self._words.fit(folded)
        # The n-grams min_df dropped (hundreds of thousands of strings): only for introspection
        # (scikit-learn's documentation says so), about 10 MB per reader in every process.
        for vectorizer in (self._chars, self._words):
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_

    def transform(self, folded: Sequence[str]) -> Any:
        from scipy.sparse import hstack

        return hstack([self._chars.transform(folded), self._words.transform(folded)]).tocsr()
