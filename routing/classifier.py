"""Grievance text -> category, over sentence embeddings plus keyword counts per category.

The encoder is injected (``encode(list[str]) -> ndarray`` of unit-length rows), so this module
never loads a model. The embedding model is English-only, so before encoding a text is turned
into a short English-leaning *digest*: Hindi and Hinglish words become English ones by the
project's glossary (``routing/glossary.py``, ``data/glossary.yaml``; remaining Devanagari in
Latin letters), and a long grievance is cut down to its most telling sentences (the float
encoder cost ~7 ms + ~0.1 ms per token on one thread, the service's int8 one about half; the
route preview must stay under 20 ms). Keyword counts over the *whole* text
(``data/lexicon.yaml``) are features next to the embedding, so what the digest leaves out still
counts.

A multinomial logistic regression over [embedding, keyword counts] is fitted once at start-up
(scikit-learn); prediction is a matrix product in numpy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from routing.categories import CATEGORY_CODES
from routing.glossary import Glossary, fold_script, glossary

Encode = Callable[[list[str]], np.ndarray]

_DATA_DIR = Path(__file__).parent / "data"
# One encode costs ~7 ms plus ~0.1 ms per token on 2 cores; 48 words / 280 characters keep a
# digest under ~90 tokens even for transliterated Hindi (measured: docs/PERFORMANCE.md).
DIGEST_WORDS = 48
DIGEST_CHARS = 280
# Weight of keyword counts relative to the unit-length embedding; chosen by cross-validation on
# the training examples (bench/routing_accuracy.py --tune).
KEYWORD_SCALE = 0.5
REGULARISATION_C = 8.0

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_SENTENCE_END = re.compile(r"(?<=[.!?\u0964\u0965])\s+|\n+")


@dataclass(frozen=True)
class Lexicon:
    """Strong cues per category in any script (``data/lexicon.yaml``): features, not glosses."""

    keywords: Mapping[str, re.Pattern[str]]  # category -> one pattern over all its keywords

    def keyword_counts(self, text: str, categories: Sequence[str]) -> np.ndarray:
        folded = fold_script(text)
        return np.array(
            [
                len(self.keywords[c].findall(folded)) if c in self.keywords else 0
                for c in categories
            ],
            dtype=np.float32,
        )

    def hits(self, text: str) -> int:
        folded = fold_script(text)
        return sum(len(pattern.findall(folded)) for pattern in self.keywords.values())


def _keyword_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern per category: Hindi inflects, so Devanagari words match inside words;
    short codes (emd, gem, bis) match as whole words; others at a word start ("bribe" matches
    "bribes"). Longest first within each group, so a longer keyword wins where both match.

    The word-start test is factored out of the alternation: Python's ``re`` then tries the
    words only at word starts, about five times faster than a ``\\b`` per word. The groups
    cannot compete at one position (Latin and Devanagari start differently; every long word
    precedes every short one in the longest-first order), so the counts are the same."""
    folded = sorted({fold_script(str(w)) for w in words}, key=len, reverse=True)
    devanagari = [re.escape(w) for w in folded if _DEVANAGARI.search(w)]
    latin = [w for w in folded if not _DEVANAGARI.search(w)]
    starts = [re.escape(w) for w in latin if len(w) > 3]
    codes = [re.escape(w) for w in latin if len(w) <= 3]
    parts = []
    if starts:
        parts.append(rf"\b(?:{'|'.join(starts)})")
    if codes:
        parts.append(rf"\b(?:{'|'.join(codes)})\b")
    if devanagari:
        parts.append(f"(?:{'|'.join(devanagari)})")
    return re.compile("|".join(parts))


def load_lexicon(path: Path | None = None) -> Lexicon:
    raw: dict[str, Any] = yaml.safe_load(
        (path or _DATA_DIR / "lexicon.yaml").read_text(encoding="utf-8")
    )
    keywords = {cat: _keyword_pattern(words) for cat, words in raw["keywords"].items()}
    return Lexicon(keywords=keywords)


def load_examples(path: Path | None = None) -> list[tuple[str, str]]:
    """(text, category) pairs from ``data/classifier_examples.yaml``."""
    raw: dict[str, list[str]] = yaml.safe_load(
        (path or _DATA_DIR / "classifier_examples.yaml").read_text(encoding="utf-8")
    )
    return [(str(text), category) for category, texts in raw.items() for text in texts]


class Classifier:
    """Predicts a grievance category from free text.

    ``examples``: (text, category) pairs; ``encode``: batch encoder returning unit-length rows.
    """

    def __init__(
        self,
        examples: Sequence[tuple[str, str]],
        encode: Encode,
        lexicon: Lexicon | None = None,
        english: Glossary | None = None,
        *,
        keyword_scale: float = KEYWORD_SCALE,
        regularisation_c: float = REGULARISATION_C,
        digest_words: int = DIGEST_WORDS,
    ) -> None:
        from sklearn.linear_model import LogisticRegression  # only needed to fit

        if not examples:
            raise ValueError("the classifier needs labelled examples")
        self._encode = encode
        self.lexicon = lexicon or load_lexicon()
        self.glossary = english or glossary()
        self.keyword_scale = keyword_scale
        self.digest_words = digest_words
        labels = [category for _, category in examples]
        self.categories: tuple[str, ...] = tuple(c for c in CATEGORY_CODES if c in set(labels))
        unknown = set(labels) - set(self.categories)
        if unknown:
            raise ValueError(f"examples with unknown categories: {sorted(unknown)}")
        if len(self.categories) < 2:
            raise ValueError("the classifier needs examples of at least two categories")

        features = self._features([text for text, _ in examples])
        model = LogisticRegression(C=regularisation_c, max_iter=3000)
        model.fit(features, labels)
        coef, intercept = model.coef_, model.intercept_
        if len(model.classes_) == 2:  # scikit-learn keeps one row: p(second) = sigmoid(row)
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        order = [list(model.classes_).index(c) for c in self.categories]
        self._weights = np.ascontiguousarray(coef[order].T, dtype=np.float32)
        self._bias = np.asarray(intercept[order], dtype=np.float32)

    @classmethod
    def from_data(cls, encode: Encode, **options: Any) -> Classifier:
        """The classifier trained on the examples shipped in ``routing/data``."""
        return cls(load_examples(), encode, **options)

    def digest(self, text: str) -> str:
        """The short, English-leaning text that is encoded (see the module docstring)."""
        sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(text.split("\t"))) if s]
        sentences = [s for s in sentences if s]
        if sum(len(s.split()) for s in sentences) > self.digest_words:
            sentences = self._telling_sentences(sentences)
        return self._to_english(" ".join(sentences))

    def _telling_sentences(self, sentences: list[str]) -> list[str]:
        # The opening sentence usually states the matter; then those richest in keywords.
        ranked = [
            0,
            *sorted(range(1, len(sentences)), key=lambda i: -self.lexicon.hits(sentences[i])),
        ]
        budget = self.digest_words
        kept: dict[int, str] = {}
        for index in ranked:
            if budget <= 0:
                break
            words = sentences[index].split()[:budget]
            kept[index] = " ".join(words)
            budget -= len(words)
        return [kept[i] for i in sorted(kept)]

    def _to_english(self, text: str) -> str:
        digest = " ".join(self.glossary.to_english(text).split())
        if len(digest) > DIGEST_CHARS:
            digest = digest[:DIGEST_CHARS].rsplit(" ", 1)[0]
        return digest

    def _features(self, texts: list[str]) -> np.ndarray:
        embeddings = np.asarray(self._encode([self.digest(t) for t in texts]), dtype=np.float32)
        counts = np.stack([self.lexicon.keyword_counts(t, self.categories) for t in texts]).astype(
            np.float32
        )
        return np.hstack([embeddings, self.keyword_scale * np.log1p(counts)])

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Rows of category probabilities, columns in the order of ``self.categories``."""
        logits = self._features(texts) @ self._weights + self._bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def predict_many(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        if not texts:
            return []
        probabilities = self.probabilities(list(texts))
        best = probabilities.argmax(axis=1)
        return [(self.categories[i], float(probabilities[row, i])) for row, i in enumerate(best)]

    def predict(self, text: str) -> tuple[str, float]:
        """(category, probability) for one grievance text; "other" for empty text."""
        if not text or not text.strip():
            return "other", 0.0
        return self.predict_many([text])[0]
