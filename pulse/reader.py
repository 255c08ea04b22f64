"""Reading one item of the MSME sector's pulse: a news snippet, a tweet, a forum or blog post.

For each item: whether it is about MSMEs (their owners, workers, those who depend on them), its
grievance category (``routing/categories.py``, relevant items only), the state it concerns
(``pulse.places``, a gazetteer), its sentiment and emotion, and its language
(``routing.language``, the assistant's detector).

Relevance, category, sentiment and emotion are logistic regressions over character (2-5) and
word TF-IDF n-grams of the folded text, as the urgency reader: character n-grams read
Hindi, Hinglish and English alike, misspelt or not, and need only scikit-learn and numpy. The
examples are ``pulse/data/train/*.jsonl``, one file per writer (README there); the figures are
measured by leaving one writer out (``bench/pulse_accuracy.py --writers``). The category head
also learns from the route classifier's grievances (``routing/data/classifier_examples.yaml``):
one writer's items teach too few phrasings of sixteen categories (0.67 -> 0.76 leaving one
writer out; the route classifier's keyword counts as features did not help on top). The
package imports only pure ``routing`` modules (category codes, states, the language detector,
the grievances), never the backend.

Emotion and sentiment never disagree: anger, anxiety and distress are negative, hope and
satisfaction positive, none neutral. The sentiment is chosen first, from the sentiment model's
probabilities and the emotion model's summed over the emotions of each sentiment; the emotion is
then the likeliest of that sentiment's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from pulse.places import state_of
from routing.categories import CATEGORY_CODES
from routing.classifier import load_examples as load_grievances
from routing.language import detect_language
from routing.states import STATES
from routing.text_features import NgramFeatures
from routing.trained import FittedOnce, load_writers, read_json_lines

DATA_DIR: Final = Path(__file__).parent / "data" / "train"
SOURCES: Final = ("news", "tweet", "forum", "blog")
LANGUAGES: Final = ("en", "hi", "hinglish")
SENTIMENTS: Final = ("negative", "neutral", "positive")
EMOTIONS: Final = ("none", "anger", "anxiety", "distress", "hope", "satisfaction")
SENTIMENT_OF: Final = {
    "none": "neutral",
    "anger": "negative",
    "anxiety": "negative",
    "distress": "negative",
    "hope": "positive",
    "satisfaction": "positive",
}
# Chosen by leaving one writer out (bench/pulse_accuracy.py --writers, docs/PERFORMANCE.md).
REGULARISATION_C: Final = 10.0
# The weight of the emotion model in choosing the sentiment (the sentiment model's is 1 - it).
EMOTION_WEIGHT: Final = 0.5

_NUKTA: Final = "\u093c"
_URL: Final = re.compile(r"https?://\S+|www\.\S+")
_HANDLE: Final = re.compile(r"@\w+")
_DEVANAGARI: Final = re.compile(r"[\u0900-\u097f]")
# Words of any script, Devanagari vowel signs and virama included (they are not "\w").
_TOKEN: Final = r"(?:[^\W_]|[\u0900-\u0963\u0966-\u097f])+"  # noqa: S105 (a regex)


def fold(text: str) -> str:
    """Lower case, NFC, no nukta; links and handles as placeholders, "#" dropped ("#MSME" is
    the word "msme")."""
    text = _URL.sub(" url ", text)
    text = _HANDLE.sub(" @user ", text)
    text = text.replace("#", " ")
    return " ".join(unicodedata.normalize("NFC", text).replace(_NUKTA, "").lower().split())


def post_language(text: str) -> str:
    """A public post's language, en, hi or hinglish: the assistant's detector; where it cannot
    tell (a name, a number), Hindi for Devanagari and else English."""
    found = detect_language(text)
    if found in LANGUAGES:
        return found
    return "hi" if _DEVANAGARI.search(text) else "en"


@dataclass(frozen=True)
class Example:
    text: str
    source: str
    language: str
    relevant: bool
    category: str | None
    state: str | None
    sentiment: str
    emotion: str
    writer: str  # the file it came from


def read_examples(path: Path) -> list[Example]:
    """One writer's file, JSON lines; raises ValueError naming the line of a bad entry."""

    def parse(row: dict[str, Any]) -> Example:
        example = Example(
            text=" ".join(str(row["text"]).split()),
            source=row["source"],
            language=row["language"],
            relevant=row["relevant"],
            category=row["category"],
            state=row["state"],
            sentiment=row["sentiment"],
            emotion=row["emotion"],
            writer=path.stem,
        )
        problem = _problem(example)
        if problem:
            raise ValueError(problem)
        return example

    return read_json_lines(path, parse)


def _problem(example: Example) -> str | None:
    if not example.text:
        return "empty text"
    if example.source not in SOURCES or example.language not in LANGUAGES:
        return "unknown source or language"
    if not isinstance(example.relevant, bool):
        return "relevant must be true or false"
    if example.relevant != (example.category in CATEGORY_CODES):
        return "a relevant item has a category code, another has null"
    if example.state is not None and example.state not in STATES:
        return f"unknown state {example.state!r}"
    if SENTIMENT_OF.get(example.emotion) != example.sentiment:
        return f"emotion {example.emotion!r} does not go with sentiment {example.sentiment!r}"
    return None


def load_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Every writer's examples, in file order."""
    return load_writers(data_dir, read_examples, "pulse")


@dataclass(frozen=True)
class Reading:
    relevant: bool
    category: str | None  # None iff not relevant
    state: str | None
    sentiment: str
    emotion: str
    language: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Head:
    """One logistic regression over the shared features."""

    def __init__(self, features: Any, labels: Sequence[str], classes: Sequence[str], c: float):
        from sklearn.linear_model import LogisticRegression

        self.classes = tuple(classes)
        self._model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        self._model.fit(features, [self.classes.index(label) for label in labels])
        # Columns in the order of ``classes`` (a class without examples gets 0).
        self._columns = [int(k) for k in self._model.classes_]

    def probabilities(self, features: Any) -> np.ndarray:
        fitted = np.asarray(self._model.predict_proba(features))
        rows = np.zeros((fitted.shape[0], len(self.classes)))
        rows[:, self._columns] = fitted
        return rows


class PulseReader:
    """Fitted on construction (about two seconds for a thousand examples)."""

    def __init__(
        self,
        examples: Sequence[Example],
        *,
        grievances: Sequence[tuple[str, str]] = (),
        regularisation_c: float = REGULARISATION_C,
        emotion_weight: float = EMOTION_WEIGHT,
    ) -> None:
        """``grievances``: (text, category) pairs that teach the category head too (the route
        classifier's examples, ``routing/data/classifier_examples.yaml``)."""
        relevant = [example for example in examples if example.relevant]
        if not relevant or len(relevant) == len(examples):
            raise ValueError("the pulse reader needs relevant and irrelevant examples")
        self.emotion_weight = emotion_weight
        texts = [fold(example.text) for example in examples]
        extra = [fold(text) for text, _ in grievances]
        self._features = NgramFeatures(
            texts + extra,
            # Single words: word pairs cost relevance 0.019 and emotion 0.023 leaving one writer
            # out (one writer's pairs are another's rare phrasing), for category +0.007.
            word_ngrams=(1, 1),
            token_pattern=_TOKEN,
        ).transform
        features = self._features(texts)
        c = regularisation_c
        self._relevance = _Head(
            features, ["yes" if e.relevant else "no" for e in examples], ("no", "yes"), c
        )
        rows = [i for i, example in enumerate(examples) if example.relevant]
        category_texts = [texts[i] for i in rows] + extra
        self._category = _Head(
            self._features(category_texts),
            [str(examples[i].category) for i in rows] + [category for _, category in grievances],
            CATEGORY_CODES,
            c,
        )
        self._sentiment = _Head(features, [e.sentiment for e in examples], SENTIMENTS, c)
        self._emotion = _Head(features, [e.emotion for e in examples], EMOTIONS, c)

    def read_many(self, texts: Sequence[str]) -> list[Reading]:
        """One reading per text, in order."""
        if not texts:
            return []
        features = self._features([fold(text) for text in texts])
        relevance = self._relevance.probabilities(features)[:, 1]
        categories = self._category.probabilities(features)
        sentiments = self._sentiment.probabilities(features)
        emotions = self._emotion.probabilities(features)
        readings = []
        for i, text in enumerate(texts):
            relevant = bool(relevance[i] >= 0.5) and bool(text.strip())
            sentiment, emotion = self._feeling(sentiments[i], emotions[i])
            readings.append(
                Reading(
                    relevant=relevant,
                    category=CATEGORY_CODES[int(np.argmax(categories[i]))] if relevant else None,
                    state=state_of(text),
                    sentiment=sentiment,
                    emotion=emotion,
                    language=post_language(text),
                )
            )
        return readings

    def _feeling(self, sentiment_row: np.ndarray, emotion_row: np.ndarray) -> tuple[str, str]:
        """The sentiment, then the likeliest emotion of that sentiment."""
        scores = {
            sentiment: (1 - self.emotion_weight) * float(sentiment_row[k])
            + self.emotion_weight
            * sum(
                float(emotion_row[j])
                for j, emotion in enumerate(EMOTIONS)
                if SENTIMENT_OF[emotion] == sentiment
            )
            for k, sentiment in enumerate(SENTIMENTS)
        }
        sentiment = max(SENTIMENTS, key=lambda s: scores[s])
        allowed = [j for j, emotion in enumerate(EMOTIONS) if SENTIMENT_OF[emotion] == sentiment]
        emotion = EMOTIONS[max(allowed, key=lambda j: float(emotion_row[j]))]
        return sentiment, emotion

    def read(self, text: str) -> Reading:
        return self.read_many([text])[0]


# The reader fitted on every writer's examples (and the route classifier's for the category),
# once per process (thread-safe).
shipped_reader: FittedOnce[PulseReader] = FittedOnce(
    lambda: PulseReader(load_examples(), grievances=load_grievances())
)
