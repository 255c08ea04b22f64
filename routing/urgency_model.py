"""The trained urgency reader: what the words of a grievance do not say outright.

A logistic regression over character and word n-grams (TF-IDF) of the folded text reads four
classes: ``normal``, ``high``, ``critical`` (violence, a danger to life) and ``self_harm``
(critical too, and the reason the assistant answers with the Tele-MANAS helpline). Character
n-grams read Hindi, Hinglish and English alike, misspelt or not, and need only scikit-learn and
numpy: the backend (ticket urgency) and the action server (the caring reply in the chat, Rasa's
Python) run the same reader over the same data, so the two never disagree.

The examples (``routing/data/urgency/*.jsonl``, one file per writer, README there) come from
several writers, and the thresholds were chosen by leaving one writer out at a time
(``bench/urgency_accuracy.py --tune``): a reader trained on one author's phrasing misses another
author's quiet cases (docs/PERFORMANCE.md, "Urgency").

The guard counts of ``routing.urgency`` are not features: trained with them, the model learnt
"urgent when a keyword fires" and added nothing over the keywords. The guards are combined
after the model instead, and can only raise its level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from routing.text_features import NgramFeatures
from routing.trained import FittedOnce, load_writers, read_json_lines
from routing.urgency import CRITICAL, HIGH, LEVELS, NORMAL, Level, fold

DATA_DIR: Final = Path(__file__).parent / "data" / "urgency"
# The model's classes, in column order: critical split into self-harm and the rest.
CLASSES: Final = ("normal", "high", "critical", "self_harm")
SELF_HARM: Final = "self_harm"
KINDS: Final = {
    "critical": ("self_harm", "violence", "safety"),
    "high": ("wages_unpaid", "closure", "sealing_seizure", "disaster", "bribe_deadline"),
    "normal": ("normal",),
}
LANGUAGES: Final = ("en", "hi", "hinglish")
# The writer of answers to the assistant's questions ("I don't have one", "Pune", "yes"):
# normal, and never a grievance writer to leave out (bench/urgency_accuracy.py).
CHAT_ANSWERS: Final = "n_chat_answers"

# Chosen by leaving one writer out at a time (bench/urgency_accuracy.py --tune): the most
# critical recall that keeps at least 0.85 of normal grievances normal across writers (0.979,
# 0.852). A missed critical grievance may cost a life; a normal one read first costs an officer
# a minute. The self-harm bar gives the helpline to 94 % of self-harm texts and to 3 % of others.
CRITICAL_THRESHOLD: Final = 0.35
RAISED_THRESHOLD: Final = 0.8
SELF_HARM_THRESHOLD: Final = 0.3
REGULARISATION_C: Final = 8.0


@dataclass(frozen=True)
class Example:
    text: str
    level: Level
    kind: str | None  # KINDS of the level; None where the writer gave only the level
    lang: str
    writer: str  # the file it came from

    @property
    def target(self) -> str:
        return SELF_HARM if self.kind == SELF_HARM else self.level


def read_examples(path: Path) -> list[Example]:
    """One writer's file: JSON lines of level, kind, lang, text. Raises ValueError naming the
    line of a bad entry."""

    def parse(row: dict[str, Any]) -> Example:
        level, kind, lang, text = row["level"], row.get("kind"), row["lang"], row["text"]
        if level not in LEVELS or lang not in LANGUAGES or not str(text).strip():
            raise ValueError("bad level, lang or empty text")
        if kind is not None and kind not in KINDS[level]:
            raise ValueError(f"kind {kind!r} is not one of {level}'s")
        return Example(" ".join(str(text).split()), level, kind, lang, path.stem)

    return read_json_lines(path, parse)


def load_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Every writer's examples, in file order."""
    return load_writers(data_dir, read_examples, "urgency")


@dataclass(frozen=True)
class Reading:
    level: Level
    self_harm: bool


class UrgencyReader:
    """Logistic regression over TF-IDF character (2-5) and word (1-2) n-grams; fitted on
    construction (about a second for two thousand examples)."""

    def __init__(
        self,
        examples: Sequence[Example],
        *,
        critical_threshold: float = CRITICAL_THRESHOLD,
        raised_threshold: float = RAISED_THRESHOLD,
        self_harm_threshold: float = SELF_HARM_THRESHOLD,
        regularisation_c: float = REGULARISATION_C,
    ) -> None:
        from sklearn.linear_model import LogisticRegression

        targets = [CLASSES.index(example.target) for example in examples]
        if set(targets) != set(range(len(CLASSES))):
            raise ValueError(f"the urgency reader needs examples of every class: {CLASSES}")
        self.critical_threshold = critical_threshold
        self.raised_threshold = raised_threshold
        self.self_harm_threshold = self_harm_threshold
        texts = [fold(example.text) for example in examples]
        self._features = NgramFeatures(
            texts,
            word_ngrams=(1, 2),
            token_pattern=r"(?u)\b\w+\b",  # noqa: S106 (a regex, not a password)
        ).transform
        model = LogisticRegression(C=regularisation_c, max_iter=3000, class_weight="balanced")
        model.fit(self._features(texts), targets)
        self._model = model

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of CLASSES probabilities."""
        return np.asarray(self._model.predict_proba(self._features([fold(t) for t in texts])))

    def judge(self, row: np.ndarray) -> Reading:
        critical = float(row[2] + row[3])
        self_harm = float(row[3]) >= self.self_harm_threshold
        if critical >= self.critical_threshold or self_harm:
            return Reading(CRITICAL, self_harm)
        if float(row[1]) + critical >= self.raised_threshold:
            return Reading(HIGH, False)
        return Reading(NORMAL, False)

    def read(self, text: str) -> Reading:
        if not text.strip():
            return Reading(NORMAL, False)
        return self.judge(self.probabilities([text])[0])


# The reader fitted on every writer's examples, once per process (thread-safe).
shipped_reader: FittedOnce[UrgencyReader] = FittedOnce(lambda: UrgencyReader(load_examples()))
