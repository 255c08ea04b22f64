"""Intent classification by logistic regression over TF-IDF character and word n-grams.

Replaces DIETClassifier (``config.yml``). On our data (1,757 examples in English, Hindi and
Hinglish, 21 intents) it reads unseen text better: on the fourth held-out split, which no
training choice had seen, 0.922 / 0.878 / 0.887 (en / hi / hinglish) against DIET's 0.878 /
0.800 / 0.826 (docs/PERFORMANCE.md, "Assistant (Rasa)"). It also costs a fraction of DIET per
message (0.07 ms instead of DIET plus the featurizers it needs), trains in seconds instead
of a minute, and loads no TensorFlow model.

It brings its own features, so the pipeline needs no featurizer for it: character n-grams
within words (1-4; they carry typos, Hinglish spelling variants and Devanagari word forms)
and word uni- and bigrams, both TF-IDF with sublinear term frequency, L2-normalised. Classes
are weighted by their frequency ("balanced"), so that an intent with few examples is not
drowned by ``file_grievance`` and ``inform``.

Confidences are the regression's probabilities, spread over 21 intents: lower than DIET's,
so the FallbackClassifier's threshold is calibrated for them (``config.yml``).

The model is stored with skops (as Rasa's own LogisticRegressionClassifier does), not pickle;
loading refuses any type other than scikit-learn's and a SciPy sparse matrix.
"""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

logger = logging.getLogger(__name__)

_MODEL_FILE = "linear_intent_classifier.skops"
_WORD = r"(?u)\b\w+\b"  # one-letter words count too ("i", "h", "k")
# Types skops does not trust by default that a fitted model of ours holds (the IDF diagonal).
_TRUSTED_EXTRA = frozenset({"scipy.sparse._csr.csr_matrix"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 20.0,  # inverse regularisation strength
            "char_ngrams": [1, 4],
            "word_ngrams": [1, 2],
            "max_iter": 5000,
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "skops"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._scorer: _Scorer | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    # --- training ---------------------------------------------------------------------------

    def _new_model(self) -> Pipeline:
        char_low, char_high = self.config["char_ngrams"]
        word_low, word_high = self.config["word_ngrams"]
        features = make_union(
            TfidfVectorizer(
                analyzer="char_wb", ngram_range=(char_low, char_high), sublinear_tf=True
            ),
            TfidfVectorizer(
                analyzer="word",
                ngram_range=(word_low, word_high),
                token_pattern=_WORD,
                sublinear_tf=True,
            ),
        )
        regression = LogisticRegression(
            C=float(self.config["C"]),
            class_weight="balanced",
            max_iter=int(self.config["max_iter"]),
            solver="lbfgs",
        )
        return make_pipeline(features, regression)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            example
            for example in training_data.intent_examples
            if example.get(TEXT) and example.get(INTENT)
        ]
        labels = {example.get(INTENT) for example in examples}
        if len(labels) < 2:
            logger.warning("LinearIntentClassifier needs two intents or more; not trained")
            return self._resource
        model = self._new_model()
        model.fit([_text(example) for example in examples], [e.get(INTENT) for e in examples])
        self._model = model
        self._scorer = None
        self._persist()
        return self._resource

    def _persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / _MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / _MODEL_FILE
                untrusted = sio.get_untrusted_types(file=path)
                unexpected = set(untrusted) - _TRUSTED_EXTRA
                if unexpected:
                    raise ValueError(f"untrusted types in the intent model: {sorted(unexpected)}")
                model = sio.load(path, trusted=untrusted)
        except ValueError as error:  # no stored model (not trained), or a refused one
            logger.warning("LinearIntentClassifier has no usable model: %s", error)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, model)

    # --- prediction -------------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        wanted = [message for message in messages if message.get(TEXT)]
        if self._model is None or not wanted:
            return messages
        probabilities = self._probabilities([_text(message) for message in wanted])
        names = self._model.classes_
        length = int(self.config["ranking_length"])
        for message, row in zip(wanted, probabilities, strict=True):
            order = np.argsort(-row, kind="stable")
            ranking = [{"name": str(names[i]), "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True
            )
        return messages

    def _probabilities(self, texts: list[str]) -> np.ndarray:
        """The pipeline's ``predict_proba``, computed without scikit-learn's per-call checks."""
        assert self._model is not None
        if self._scorer is None:
            self._scorer = _Scorer(self._model)
        return np.vstack([self._scorer.probabilities(text) for text in texts])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # nothing downstream reads predicted intents during training


class _Scorer:
    """One message's intent probabilities from the fitted pipeline's numbers.

    The same arithmetic as ``TfidfVectorizer.transform`` (n-gram counts, 1 + log tf, times idf,
    L2 norm per vectorizer), ``FeatureUnion`` (side by side) and multinomial
    ``LogisticRegression.predict_proba`` (softmax of intercept + weights . features), over only
    the n-grams the message has: 0.07 ms instead of 0.9 ms per message through scikit-learn
    (1,619 held-out sentences, one at a time), whose input checks and sparse-matrix building
    dominate for one short text. Tested to give the pipeline's probabilities (largest
    difference on those sentences 1.3e-15).
    """

    def __init__(self, model: Pipeline) -> None:
        union, regression = model[0], model[-1]
        coefficients = regression.coef_  # classes x features (multinomial: one row per class)
        if coefficients.shape[0] != len(regression.classes_):
            raise ValueError("expected a multinomial model with one row of weights per class")
        self._intercept = regression.intercept_.copy()
        self._parts = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            size = len(vectorizer.vocabulary_)
            weights = np.ascontiguousarray(coefficients[:, offset : offset + size].T)
            self._parts.append(
                (
                    vectorizer.build_analyzer(),
                    vectorizer.vocabulary_,
                    vectorizer.idf_.copy(),
                    weights,  # features x classes
                    bool(vectorizer.sublinear_tf),
                )
            )
            offset += size
        if offset != coefficients.shape[1]:
            raise ValueError("the regression's weights do not match the vectorizers' features")

    def probabilities(self, text: str) -> np.ndarray:
        logits = self._intercept.copy()
        for analyze, vocabulary, idf, weights, sublinear in self._parts:
            counts: dict[int, int] = {}
            for gram in analyze(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            indices = np.fromiter(counts, dtype=np.intp, count=len(counts))
            values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                values = np.log(values) + 1.0
            values *= idf[indices]
            norm = np.sqrt(values @ values)
            if norm > 0:
                values /= norm
            logits += values @ weights[indices]
        logits -= logits.max()
        exponentials = np.exp(logits)
        return exponentials / exponentials.sum()


def _text(message: Message) -> str:
    """NFC, so that a vowel sign typed as two code points is one feature."""
    return unicodedata.normalize("NFC", str(message.get(TEXT)))
