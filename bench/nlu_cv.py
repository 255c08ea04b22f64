"""Intent accuracy of the linear intent classifier by stratified 5-fold cross-validation.

    flock /tmp/bench.lock .venv-rasa/bin/python -m bench.nlu_cv
    flock /tmp/bench.lock .venv-rasa/bin/python -m bench.nlu_cv --base-rev <commit>

Loads the training examples from ``nlu/**/*.yml`` as ``tests/actions/test_training_data.py``
does (entity annotations stripped), and cross-validates the component's own model
(``LinearIntentClassifier._new_model``, same features, C and class weights) on them: accuracy
per language (``routing.language.detect_language`` of each text; "none" for names, numbers,
"ok"), per intent, and the most frequent confusions per language.

Cross-validation flatters the model: many examples come in threes (one scenario in English,
Hindi and Hinglish) and several are light variants of each other, so a test fold often has a
near-twin in training. Read it for *which* intents and languages are weak, not as the figure
for unseen text.

``--base-rev`` compares training data across a change on the same test examples: the folds
are drawn over the examples of ``nlu/`` at that commit only (with the same seed, so they are
the folds of a plain run at that commit), and every example added since is put into the
training part of each fold. The accuracy is then over the old examples only, before and
after, and says whether the new data teaches the model something about the old.

The seen held-out ``fourth_*`` split is scored too (model trained on all of ``nlu/``): a
secondary signal, since its errors chose earlier training data. The ``fifth_*`` split is never
read here.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import yaml
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlu.components.linear_intent_classifier import LinearIntentClassifier  # noqa: E402
from routing.language import detect_language  # noqa: E402

_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_LANGUAGES = ("en", "hi", "hinglish", "none")
# Seen held-out files scored after the cross-validation (the fifth split is never opened).
_FOURTH = {"en": "fourth_en.yml", "hi": "fourth_hi.yml", "hinglish": "fourth_hinglish.yml"}

Example = tuple[str, str]  # (text, intent)


def _examples_of(text: str) -> list[Example]:
    """Intent examples of one NLU YAML document, annotations stripped (as the tests do)."""
    data = yaml.safe_load(text) or {}
    found: list[Example] = []
    for block in data.get("nlu", []) or []:
        if "intent" in block:
            for line in block["examples"].splitlines():
                if line.strip():
                    found.append(
                        (_ANNOTATION.sub(r"\1", line.strip()[2:].strip()), block["intent"])
                    )
    return found


def training_examples() -> list[Example]:
    found: list[Example] = []
    for path in sorted((ROOT / "nlu").rglob("*.yml")):
        found.extend(_examples_of(path.read_text(encoding="utf-8")))
    return found


def training_examples_at(rev: str) -> list[Example]:
    """The same examples as ``nlu/`` held them at a commit (read with ``git show``)."""
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev, "nlu"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    found: list[Example] = []
    for name in sorted(n for n in names if n.endswith(".yml")):
        text = subprocess.run(
            ["git", "show", f"{rev}:{name}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        found.extend(_examples_of(text))
    return found


def _nfc(texts: Iterable[str]) -> list[str]:
    return [unicodedata.normalize("NFC", t) for t in texts]  # as the component's _text does


def _language(text: str) -> str:
    return detect_language(text) or "none"


def _fit(texts: list[str], intents: list[str]):  # a scikit-learn Pipeline
    model = LinearIntentClassifier({}, None, None)._new_model()  # type: ignore[arg-type]
    model.fit(_nfc(texts), intents)
    return model


def cross_validate(tested: list[Example], extra: list[Example], folds: int, seed: int) -> list[str]:
    """Out-of-fold predictions for ``tested``; ``extra`` joins every training part."""
    texts = [t for t, _ in tested]
    intents = [i for _, i in tested]
    predicted = [""] * len(tested)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for number, (train, test) in enumerate(splitter.split(texts, intents), start=1):
        started = time.monotonic()
        model = _fit(
            [texts[i] for i in train] + [t for t, _ in extra],
            [intents[i] for i in train] + [i for _, i in extra],
        )
        for index, label in zip(test, model.predict(_nfc(texts[i] for i in test)), strict=True):
            predicted[index] = str(label)
        print(f"  fold {number}/{folds}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    return predicted


def _share(right: int, total: int) -> str:
    return f"{right / total:.3f} ({right}/{total})" if total else "-"


def report(
    title: str, examples: list[Example], predicted: list[str], languages: list[str], top: int
) -> None:
    print(f"\n## {title}")
    right = sum(p == i for (_, i), p in zip(examples, predicted, strict=True))
    print(f"overall: {_share(right, len(examples))}")
    by_language: dict[str, list[bool]] = defaultdict(list)
    by_intent: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    confusions: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for (_, intent), guess, language in zip(examples, predicted, languages, strict=True):
        by_language[language].append(guess == intent)
        by_intent[intent][language].append(guess == intent)
        if guess != intent:
            confusions[language][(intent, guess)] += 1
    print("\nper language:")
    for language in _LANGUAGES:
        hits = by_language.get(language, [])
        if hits:
            print(f"  {language:9} {_share(sum(hits), len(hits))}")
    print("\nper intent (all | en | hi | hinglish):")
    for intent in sorted(by_intent):
        cells = [sum(sum(v) for v in by_intent[intent].values())]
        total = sum(len(v) for v in by_intent[intent].values())
        row = [f"{cells[0] / total:.3f} n={total:<3}"]
        for language in ("en", "hi", "hinglish"):
            hits = by_intent[intent].get(language, [])
            row.append(f"{sum(hits) / len(hits):.2f}/{len(hits):<3}" if hits else "   -    ")
        print(f"  {intent:16} " + "  ".join(row))
    print(f"\ntop confusions per language (true -> predicted, count; up to {top}):")
    for language in _LANGUAGES:
        if confusions.get(language):
            pairs = ", ".join(
                f"{t}->{p} {n}" for (t, p), n in confusions[language].most_common(top)
            )
            print(f"  {language:9} {pairs}")


def fourth_split(training: list[Example], show_errors: bool) -> None:
    model = _fit([t for t, _ in training], [i for _, i in training])
    print("\n## fourth split (seen; model trained on all of nlu/)")
    for name in _FOURTH.values():
        examples = _examples_of((ROOT / "tests" / "nlu_heldout" / name).read_text("utf-8"))
        guesses = [str(g) for g in model.predict(_nfc(t for t, _ in examples))]
        right = sum(g == i for (_, i), g in zip(examples, guesses, strict=True))
        print(f"  {name:22} {_share(right, len(examples))}")
        if show_errors:
            for (text, intent), guess in zip(examples, guesses, strict=True):
                if guess != intent:
                    print(f"      {intent} -> {guess}: {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--top", type=int, default=8, help="confusions shown per language")
    parser.add_argument("--base-rev", help="test only on the examples nlu/ had at this commit")
    parser.add_argument("--errors", action="store_true", help="print the misread examples")
    args = parser.parse_args()

    started = time.monotonic()
    examples = training_examples()
    counts = Counter(_language(t) for t, _ in examples)
    print(f"# nlu/ intent examples: {len(examples)}, intents: {len({i for _, i in examples})}")
    print("  by language: " + ", ".join(f"{k} {counts[k]}" for k in _LANGUAGES))
    tested, extra = examples, []
    if args.base_rev:
        tested = training_examples_at(args.base_rev)
        old = Counter(tested)
        now = Counter(examples)
        extra = list((now - old).elements())
        gone = sum((old - now).values())
        print(
            f"  tested: the {len(tested)} examples of {args.base_rev} ({gone} since removed); "
            f"{len(extra)} added since join every training part"
        )
    predicted = cross_validate(tested, extra, args.folds, args.seed)
    languages = [_language(t) for t, _ in tested]
    report(
        f"stratified {args.folds}-fold CV, seed {args.seed}", tested, predicted, languages, args.top
    )
    if args.errors:
        print("\nmisread in CV (true -> predicted: text):")
        for (text, intent), guess, language in zip(tested, predicted, languages, strict=True):
            if guess != intent:
                print(f"  [{language}] {intent} -> {guess}: {text}")
    fourth_split(examples, args.errors)
    print(f"\n({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
