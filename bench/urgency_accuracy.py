"""Urgency on the held-out set: the trained model (with its keyword guards) against the
keyword guards alone, in the same run.

    .venv/bin/python -m bench.urgency_accuracy [--errors] [--file bench/data/urgency_blind.yaml]
    .venv/bin/python -m bench.urgency_accuracy --tune         # 5-fold CV on the training examples

Figures: critical recall (critical items read as critical), high-or-critical recall (critical
and high items read as high or critical), normal kept normal, per language too. The model is
fitted on routing/data/urgency_examples.yaml over the route classifier's digest and the int8
route encoder, as in the service.
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

from backend.embeddings import ROUTE_PRECISION, get_encoder
from bench.routing_accuracy import caching
from routing.classifier import Classifier
from routing.urgency import LEVELS, UrgencyModel, combine, keyword_urgency, load_examples

HELDOUT = Path(__file__).parent / "data" / "urgency_heldout.yaml"


def scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """pairs: (expected, predicted) levels."""

    def share(selected: list[tuple[str, str]], ok: Callable[[str], bool]) -> float:
        return sum(ok(p) for _, p in selected) / len(selected) if selected else float("nan")

    return {
        "critical recall": share(
            [x for x in pairs if x[0] == "critical"], lambda p: p == "critical"
        ),
        "high-or-critical recall": share(
            [x for x in pairs if x[0] != "normal"], lambda p: p != "normal"
        ),
        "normal kept normal": share(
            [x for x in pairs if x[0] == "normal"], lambda p: p == "normal"
        ),
    }


def report(name: str, items: list[dict[str, str]], predicted: list[str]) -> None:
    pairs = [(item["level"], p) for item, p in zip(items, predicted, strict=True)]
    overall = scores(pairs)
    print(f"{name:<16} " + "  ".join(f"{k} {v:.3f}" for k, v in overall.items()))
    for lang in ("en", "hinglish", "hi"):
        subset = [pair for pair, item in zip(pairs, items, strict=True) if item["lang"] == lang]
        part = scores(subset)
        print(
            f"{'':<16} {lang:<9} n={len(subset):<4}" + "  ".join(f"{v:.3f}" for v in part.values())
        )


def tune(encode: Callable[[list[str]], np.ndarray], digest: Callable[[str], str]) -> None:
    """Thresholds by 5-fold cross-validation on the training examples (the held-out set stays
    unseen)."""
    examples = load_examples()
    labels = [level for _, level in examples]
    folds = list(StratifiedKFold(5, shuffle=True, random_state=7).split(examples, labels))
    for scale in (0.5, 1.0, 2.0):
        for critical, raised in ((0.5, 0.5), (0.4, 0.4), (0.3, 0.35), (0.25, 0.3)):
            pairs: list[tuple[str, str]] = []
            for train, held in folds:
                model = UrgencyModel(
                    [examples[i] for i in train],
                    encode,
                    digest,
                    critical_threshold=critical,
                    raised_threshold=raised,
                    keyword_scale=scale,
                )
                pairs += [(examples[i][1], model.assess(examples[i][0]).level) for i in held]
            print(
                f"scale={scale} critical>={critical} raised>={raised}: "
                + "  ".join(f"{k} {v:.3f}" for k, v in scores(pairs).items())
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--file", type=Path, default=HELDOUT, help="a set labelled with levels")
    args = parser.parse_args()
    encoder = get_encoder(ROUTE_PRECISION)
    encode = caching(encoder.encode)
    digest = Classifier.from_data(encode).digest
    if args.tune:
        tune(encode, digest)
        return
    items = yaml.safe_load(args.file.read_text(encoding="utf-8"))["items"]
    started = time.perf_counter()
    model = UrgencyModel(load_examples(), encode, digest)
    fit = time.perf_counter() - started
    print(
        f"machine: {platform.machine()}, {platform.python_version()}, {args.file.name}:"
        f" {len(items)} items, training examples: {len(load_examples())}, fit {fit:.1f} s,"
        f" encoder {encoder.model_id}"
    )
    keywords = [keyword_urgency(item["text"]).level for item in items]
    probabilities = model.probabilities([item["text"] for item in items])
    model_only = [model.model_level(row) for row in probabilities]
    combined = [
        combine(keyword_urgency(item["text"]), read).level
        for item, read in zip(items, model_only, strict=True)
    ]
    report("keywords only", items, keywords)
    report("model only", items, model_only)
    report("model + guards", items, combined)
    if args.errors:
        for item, level in zip(items, combined, strict=True):
            if level != item["level"]:
                print(f"  {item['level']} -> {level}: {' '.join(item['text'].split())[:100]}")
    assert set(LEVELS) >= set(combined)


if __name__ == "__main__":
    main()
