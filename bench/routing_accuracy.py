"""Routing accuracy on the labelled test set: our classifier vs a TF-IDF + LR baseline.

Both are trained on routing/data/classifier_examples.yaml and measured in the same run on
bench/data/routing_testset.yaml, as free text (no category chosen): category accuracy, and
department accuracy (the department route() picks vs the one the true category leads to).
Items marked `set: fresh` were written after the classifier was frozen and are reported apart.

    .venv/bin/python -m bench.routing_accuracy [--tune] [--errors] [--precision float32]
    .venv/bin/python -m bench.routing_accuracy --file bench/data/routing_heldout3.yaml [--errors]

``--file`` scores a set labelled with the expected *department* (items: department, category
as chosen by the citizen or null, state, text): each text goes through ``route()`` with the
citizen's category and state, as filing does, once with our classifier and once with the
TF-IDF baseline as the category predictor; the named-unit rules apply to both.

The route classifier's encoder is int8 (``backend.embeddings.get_route_encoder``);
``--precision float32`` measures the float model. The classifier is fitted on vectors of the
same encoder it predicts with.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from backend.embeddings import ROUTE_PRECISION, get_encoder
from routing.classifier import Classifier, load_examples
from routing.rules import OVERRIDE_CONFIDENCE, route

TESTSET = Path(__file__).parent / "data" / "routing_testset.yaml"


def load_testset() -> list[dict[str, str]]:
    return list(yaml.safe_load(TESTSET.read_text(encoding="utf-8"))["items"])


class TfidfBaseline:
    """Word and word-pair TF-IDF with multinomial logistic regression."""

    def __init__(self, examples: Sequence[tuple[str, str]]) -> None:
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        features = self.vectorizer.fit_transform([text for text, _ in examples])
        self.model = LogisticRegression(C=10.0, max_iter=3000)
        self.model.fit(features, [label for _, label in examples])

    def predict(self, text: str) -> tuple[str, float]:
        probabilities = self.model.predict_proba(self.vectorizer.transform([text]))[0]
        best = int(np.argmax(probabilities))
        return str(self.model.classes_[best]), float(probabilities[best])


def evaluate(
    name: str,
    predict: Callable[[str], tuple[str, float]],
    items: list[dict[str, str]],
    show_errors: bool,
) -> list[tuple[bool, bool, float]]:
    """Per item: (category right, department right, confidence)."""
    outcomes = []
    for item in items:
        predicted, confidence = predict(item["text"])
        decision = route(predicted, item.get("state"), item["text"])
        expected = route(item["category"], item.get("state"), item["text"])
        right = predicted == item["category"]
        outcomes.append((right, decision.department_code == expected.department_code, confidence))
        if show_errors and not right:
            snippet = " ".join(item["text"].split())[:90]
            print(f"  [{name}] {item['category']} -> {predicted} ({confidence:.2f}): {snippet}")
    return outcomes


def report(
    name: str, outcomes: list[tuple[bool, bool, float]], items: list[dict[str, str]]
) -> None:
    subsets = {
        "all": range(len(items)),
        "development": [i for i, item in enumerate(items) if item.get("set") != "fresh"],
        "fresh": [i for i, item in enumerate(items) if item.get("set") == "fresh"],
    }
    for subset, indices in subsets.items():
        if not indices:
            continue
        category = sum(outcomes[i][0] for i in indices) / len(indices)
        department = sum(outcomes[i][1] for i in indices) / len(indices)
        print(
            f"{name:<11} {subset:<12} n={len(indices):<4} category accuracy {category:.3f}"
            f"  department accuracy {department:.3f}"
        )
    sure = [o for o in outcomes if o[2] >= OVERRIDE_CONFIDENCE]
    if sure:
        print(
            f"{name:<11} confidence >= {OVERRIDE_CONFIDENCE}: {len(sure)}/{len(outcomes)} texts,"
            f" {sum(o[0] for o in sure) / len(sure):.3f} of them right"
        )


def evaluate_departments(
    name: str,
    predictor: Callable[[str], tuple[str, float]] | None,
    items: list[dict[str, str | None]],
    show_errors: bool,
) -> float:
    """Share of items whose department route() picks is the expected one."""

    class _Predictor:
        def predict(self, text: str) -> tuple[str, float]:
            assert predictor is not None
            return predictor(text)

    right = 0
    by_department: dict[str, list[bool]] = {}
    for item in items:
        text = str(item["text"])
        decision = route(item.get("category"), item.get("state"), text, _Predictor())
        ok = decision.department_code == item["department"]
        right += ok
        family = str(item["department"]).split("-")[0]
        by_department.setdefault(family, []).append(ok)
        if show_errors and not ok:
            snippet = " ".join(text.split())[:90]
            print(f"  [{name}] {item['department']} -> {decision.department_code}: {snippet}")
            print(f"      reason: {decision.reason}")
    accuracy = right / len(items)
    families = ", ".join(
        f"{family} {sum(oks)}/{len(oks)}" for family, oks in sorted(by_department.items())
    )
    print(f"{name:<11} department accuracy {accuracy:.3f} ({right}/{len(items)}); {families}")
    return accuracy


def caching(encode: Callable[[list[str]], np.ndarray]) -> Callable[[list[str]], np.ndarray]:
    cache: dict[str, np.ndarray] = {}

    def cached(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in cache]
        if missing:
            cache.update(zip(missing, encode(missing), strict=True))
        return np.stack([cache[t] for t in texts])

    return cached


def tune(encode: Callable[[list[str]], np.ndarray]) -> None:
    """5-fold cross-validation on the training examples only (the test set stays unseen)."""
    examples = load_examples()
    labels = [label for _, label in examples]
    folds = list(StratifiedKFold(5, shuffle=True, random_state=7).split(examples, labels))
    for scale in (0.0, 0.25, 0.5, 1.0, 2.0):
        for c in (2.0, 8.0, 32.0):
            hits = 0
            for train, held in folds:
                model = Classifier(
                    [examples[i] for i in train], encode, keyword_scale=scale, regularisation_c=c
                )
                predicted = model.predict_many([examples[i][0] for i in held])
                hits += sum(p == examples[i][1] for (p, _), i in zip(predicted, held, strict=True))
            print(f"keyword_scale={scale:<5} C={c:<5} cv accuracy={hits / len(examples):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tune", action="store_true", help="cross-validate on training data")
    parser.add_argument("--errors", action="store_true", help="print misclassified texts")
    parser.add_argument("--precision", choices=("int8", "float32"), default=ROUTE_PRECISION)
    parser.add_argument("--file", type=Path, help="a set labelled with departments (see above)")
    args = parser.parse_args()

    encoder = get_encoder(args.precision)
    encode = caching(encoder.encode)
    if args.tune:
        tune(encode)
        return
    if args.file:
        department_items = yaml.safe_load(args.file.read_text(encoding="utf-8"))["items"]
        examples = load_examples()
        classifier = Classifier(examples, encode)
        baseline = TfidfBaseline(examples)
        print(
            f"machine: {platform.machine()}, {platform.python_version()}, {args.file}:"
            f" {len(department_items)} items, encoder {encoder.model_id}"
        )
        for name, predict in (("classifier", classifier.predict), ("tfidf+lr", baseline.predict)):
            evaluate_departments(name, predict, department_items, args.errors)
        return
    items = load_testset()
    examples = load_examples()
    started = time.perf_counter()
    classifier = Classifier(examples, encode)
    fit_seconds = time.perf_counter() - started
    baseline = TfidfBaseline(examples)
    print(
        f"machine: {platform.machine()}, {platform.python_version()}, test items: {len(items)},"
        f" training examples: {len(examples)}, classifier fit: {fit_seconds:.1f} s,"
        f" encoder {encoder.model_id}"
    )
    for name, predict in (("classifier", classifier.predict), ("tfidf+lr", baseline.predict)):
        report(name, evaluate(name, predict, items, args.errors), items)


if __name__ == "__main__":
    main()
