"""The pulse reader's accuracy, with a lexicon baseline in the same run.

    .venv/bin/python -m bench.pulse_accuracy --writers          # leave one training writer out
    .venv/bin/python -m bench.pulse_accuracy --file PATH        # a labelled set, reader fitted
                                                                # on every training writer
    options: --train-dir DIR (default pulse/data/train), --errors, -C, --emotion-weight

Figures, overall and by language: relevance accuracy (every item), category accuracy (on the
items labelled relevant: an item read as irrelevant has no category, so it counts as wrong),
state accuracy (every item; "none named" must be read as none), sentiment accuracy, and emotion
and language accuracy besides.

The baseline reads the same items with word lists only: relevance by MSME words, the category by
the route classifier's keywords (``routing/data/lexicon.yaml``; none -> "other"), the state by
state names alone (``routing.states.find_state_in_text``, no districts or towns), and the
sentiment by VADER (PyPI ``vaderSentiment``, pinned) for English and by a small keyword list of
this file for Hindi and Hinglish (VADER has none for them).

With --writers, each writer's items are read by a reader fitted on the other writers' items only:
a reader scored on the hand that trained it looks better than it is. Do not tune on a blind set:
it is scored once, with --file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulse.reader import (
    DATA_DIR,
    EMOTION_WEIGHT,
    LANGUAGES,
    REGULARISATION_C,
    Example,
    PulseReader,
    Reading,
    load_examples,
    post_language,
    read_examples,
)
from routing.categories import CATEGORY_CODES, OTHER
from routing.classifier import load_examples as load_grievances
from routing.classifier import load_lexicon
from routing.states import find_state_in_text

# The baseline's word lists (folded: lower case). Said plainly: a few words chosen by hand.
MSME_WORDS = re.compile(
    r"\b(?:msmes?|smes?|micro|small (?:business|firm|unit|industr|enterprise|trader|manufactur)"
    r"|udyam|udyog|mudra|pmegp|khadi|cgtmse|artisan|karigar|weaver|cluster|small units?"
    r"|factory|factories|karobar|karobari|vyapari|dukaan|chhote)\w*"
    r"|लघु|सूक्ष्म|एमएसएमई|उद्यम|उद्योग|कारोबार|कारीगर|व्यापारी|इकाइ|फैक्ट्री|छोटे"
)
NEGATIVE_WORDS = re.compile(
    r"\b(?:nahi|nahin|nhi|pareshan|dikkat|problem|band|ghata|nuksan|nuksaan|bekar|pending"
    r"|dhokha|loot|lut|rishwat|delay|der|mushkil|tension|dar|gussa|barbaad|kharab|bura)\w*"
    r"|नहीं|परेशान|दिक्कत|समस्या|बंद|घाटा|नुकसान|बेकार|लंबित|धोखा|लूट|रिश्वत|देरी|मुश्किल|चिंता"
    r"|डर|गुस्सा|बर्बाद|खराब|संकट|रोष|नाराज"
)
POSITIVE_WORDS = re.compile(
    r"\b(?:accha|acha|achha|badhiya|badiya|shandar|khush|shukriya|dhanyavad|thanks|mila|mil gaya"
    r"|safal|fayda|faayda|umeed|ummeed|behtar|zabardast|tarakki)\w*"
    r"|अच्छा|अच्छी|बढ़िया|बढिया|शानदार|खुश|धन्यवाद|शुक्रिया|मिला|मिली|सफल|फायदा|लाभ|उम्मीद|बेहतर"
    r"|राहत|सराहना|बढ़त|बढ़ोतरी"
)


@dataclass(frozen=True)
class Scored:
    example: Example
    reading: Reading


class Baseline:
    """Word lists only (see the module's docstring)."""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._vader = SentimentIntensityAnalyzer()
        self._lexicon = load_lexicon()

    def sentiment(self, text: str, language: str) -> str:
        if language == "en":
            compound = float(self._vader.polarity_scores(text)["compound"])
            return (
                "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
            )
        folded = text.lower()
        balance = len(POSITIVE_WORDS.findall(folded)) - len(NEGATIVE_WORDS.findall(folded))
        return "positive" if balance > 0 else "negative" if balance < 0 else "neutral"

    def read(self, text: str) -> Reading:
        language = post_language(text)
        relevant = bool(MSME_WORDS.search(text.lower()))
        category = None
        if relevant:
            counts = self._lexicon.keyword_counts(text, CATEGORY_CODES)
            category = CATEGORY_CODES[int(counts.argmax())] if counts.max() > 0 else OTHER
        sentiment = self.sentiment(text, language)
        emotion = {"negative": "anger", "positive": "hope", "neutral": "none"}[sentiment]
        return Reading(relevant, category, find_state_in_text(text), sentiment, emotion, language)


FIGURES: dict[str, Callable[[Scored], bool | None]] = {
    "relevance": lambda s: s.reading.relevant == s.example.relevant,
    "category": lambda s: s.reading.category == s.example.category if s.example.relevant else None,
    "state": lambda s: s.reading.state == s.example.state,
    "sentiment": lambda s: s.reading.sentiment == s.example.sentiment,
    "emotion": lambda s: s.reading.emotion == s.example.emotion,
    "language": lambda s: s.reading.language == s.example.language,
}


def figures(scored: Sequence[Scored]) -> dict[str, tuple[float, int]]:
    """Each figure's accuracy and the number of items it is measured on."""
    out: dict[str, tuple[float, int]] = {}
    for name, judge in FIGURES.items():
        verdicts = [v for v in (judge(s) for s in scored) if v is not None]
        out[name] = (sum(verdicts) / len(verdicts) if verdicts else float("nan"), len(verdicts))
    return out


def table(title: str, scored: Sequence[Scored]) -> list[str]:
    groups = [("all", list(scored))] + [
        (language, [s for s in scored if s.example.language == language]) for language in LANGUAGES
    ]
    lines = [title, f"  {'':15}" + "".join(f"{name:>12}" for name in FIGURES)]
    for label, group in groups:
        if not group:
            continue
        row = figures(group)
        lines.append(
            f"  {label + f' ({len(group)})':15}"
            + "".join(f"{row[name][0]:>12.3f}" for name in FIGURES)
        )
    return lines


def errors(scored: Sequence[Scored]) -> list[str]:
    lines = []
    for s in scored:
        wrong = [name for name, judge in FIGURES.items() if judge(s) is False]
        if wrong:
            expected = {n: getattr(s.example, n) for n in ("relevant", "category", "state")}
            got = {n: getattr(s.reading, n) for n in ("relevant", "category", "state")}
            lines.append(
                f"  {','.join(wrong)} | want {expected} {s.example.emotion} | got {got} "
                f"{s.reading.emotion} | {s.example.text[:140]}"
            )
    return lines


def leave_one_writer_out(
    examples: Sequence[Example], fit: Callable[[Sequence[Example]], PulseReader]
) -> list[Scored]:
    writers = sorted({example.writer for example in examples})
    if len(writers) < 2:
        raise SystemExit(f"--writers needs two writers or more; found {writers}")
    scored: list[Scored] = []
    for writer in writers:
        held = [e for e in examples if e.writer == writer]
        reader = fit([e for e in examples if e.writer != writer])
        readings = reader.read_many([e.text for e in held])
        scored += [Scored(e, r) for e, r in zip(held, readings, strict=True)]
    return scored


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--writers", action="store_true", help="leave one training writer out")
    mode.add_argument("--file", type=Path, help="a labelled JSON-lines set to score")
    parser.add_argument("--train-dir", type=Path, default=DATA_DIR)
    parser.add_argument("-C", type=float, default=REGULARISATION_C)
    parser.add_argument("--emotion-weight", type=float, default=EMOTION_WEIGHT)
    parser.add_argument("--errors", action="store_true", help="list the reader's errors")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    grievances = load_grievances()  # in every fold, as in the shipped reader: not a writer's

    def fit(examples: Sequence[Example]) -> PulseReader:
        return PulseReader(
            examples,
            grievances=grievances,
            regularisation_c=args.C,
            emotion_weight=args.emotion_weight,
        )

    started = time.perf_counter()
    training = load_examples(args.train_dir)
    if args.writers:
        scored = leave_one_writer_out(training, fit)
        what = "leave one writer out over " + ", ".join(
            f"{w} ({sum(e.writer == w for e in training)})"
            for w in sorted({e.writer for e in training})
        )
    else:
        items = read_examples(args.file)
        readings = fit(training).read_many([e.text for e in items])
        scored = [Scored(e, r) for e, r in zip(items, readings, strict=True)]
        what = f"{args.file} ({len(items)} items), reader fitted on {len(training)} examples"
    baseline = Baseline()
    base = [Scored(s.example, baseline.read(s.example.text)) for s in scored]
    lines = [
        f"pulse reader, {what}; C={args.C}, emotion weight {args.emotion_weight}",
        f"{datetime.date.today()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, {time.perf_counter() - started:.1f} s",
        *table("reader (TF-IDF + logistic regression, gazetteer for the state)", scored),
        *table("baseline (word lists; VADER for English sentiment)", base),
    ]
    if args.errors:
        lines += ["errors of the reader:", *errors(scored)]
    print("\n".join(lines))
    if args.json:
        result: dict[str, Any] = {
            "what": what,
            "reader": {k: v[0] for k, v in figures(scored).items()},
            "baseline": {k: v[0] for k, v in figures(base).items()},
        }
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
