"""The intent classifier: trained on nlu/, stored and loaded safely, same answers after loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.linear_intent_classifier import _MODEL_FILE, LinearIntentClassifier
from tests.actions.conftest import ROOT

_CONTEXT = ExecutionContext(graph_schema=None, model_id="test")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[LinearIntentClassifier, Path]:
    reader = RasaYAMLReader()
    data = TrainingData().merge(*(reader.read(p) for p in sorted((ROOT / "nlu").rglob("*.yml"))))
    directory = tmp_path_factory.mktemp("model")
    classifier = LinearIntentClassifier.create(
        {}, LocalModelStorage(directory), Resource("intents"), _CONTEXT
    )
    classifier.train(data)
    return classifier, directory


def _parse(classifier: LinearIntentClassifier, *texts: str) -> list[Message]:
    return classifier.process([Message(data={TEXT: text}) for text in texts])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I want to file a complaint against a buyer", "file_grievance"),
        ("mera payment 5 mahine se atka hua hai", "file_grievance"),
        ("what is the status of my complaint", "check_status"),
        ("मेरी शिकायत का क्या हुआ", "check_status"),
        ("mudra loan kitna milta hai", "ask_scheme"),
        ("उद्यम रजिस्ट्रेशन कैसे करें", "ask_scheme"),
        ("cancel karo, mujhe complaint nahi karni", "cancel"),
        ("are you a bot", "bot_challenge"),
    ],
)
def test_clear_sentences_get_their_intent_in_each_language(
    trained: tuple[LinearIntentClassifier, Path], text: str, intent: str
) -> None:
    (message,) = _parse(trained[0], text)
    assert message.get(INTENT)["name"] == intent


def test_the_ranking_is_sorted_and_cut_to_its_length(
    trained: tuple[LinearIntentClassifier, Path],
) -> None:
    (message,) = _parse(trained[0], "hello")
    ranking = message.get(INTENT_RANKING_KEY)
    confidences = [entry["confidence"] for entry in ranking]
    assert len(ranking) == 10
    assert confidences == sorted(confidences, reverse=True)
    assert message.get(INTENT) == ranking[0]
    assert 0 < sum(confidences) <= 1.0 + 1e-9


def test_a_loaded_model_answers_exactly_as_the_trained_one(
    trained: tuple[LinearIntentClassifier, Path],
) -> None:
    classifier, directory = trained
    loaded = LinearIntentClassifier.load(
        {}, LocalModelStorage(directory), Resource("intents"), _CONTEXT
    )
    texts = ["Ramesh Kumar", "स्टेटस बताओ MS-QW3RT5-8", "bijli ki problem hai", "thank you"]
    before = [m.get(INTENT_RANKING_KEY) for m in _parse(classifier, *texts)]
    after = [m.get(INTENT_RANKING_KEY) for m in _parse(loaded, *texts)]
    assert after == before


def test_prediction_matches_the_scikit_learn_pipeline(
    trained: tuple[LinearIntentClassifier, Path],
) -> None:
    classifier, _ = trained
    texts = ["mujhe shikayat darj karni hai", "यूपी", "skip this", "4 stars", "", "🙏", "x" * 2000]
    assert classifier._model is not None
    expected = classifier._model.predict_proba(texts)
    assert np.allclose(classifier._probabilities(texts), expected, atol=1e-12)


class _Planted:
    """Not a type the loader trusts."""

    def __init__(self) -> None:
        self.payload = "anything"


def test_a_model_file_with_other_types_is_refused(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("intents")
    with storage.write_to(resource) as directory:
        sio.dump({"model": _Planted()}, directory / _MODEL_FILE)
    loaded = LinearIntentClassifier.load({}, storage, resource, _CONTEXT)
    assert loaded._model is None
    (message,) = _parse(loaded, "hello")
    assert message.get(INTENT) is None  # no intent rather than one from an unknown object
