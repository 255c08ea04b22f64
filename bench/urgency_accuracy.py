"""Urgency: the shipped reader (trained reader + keyword guards) against the guards alone, in
the same run.

    .venv/bin/python -m bench.urgency_accuracy --writers     # leave one writer out at a time
    .venv/bin/python -m bench.urgency_accuracy --tune        # the same, over a grid of thresholds
    .venv/bin/python -m bench.urgency_accuracy --file bench/data/urgency_blind3.jsonl [--errors]

Figures: critical recall (critical items read as critical), high-or-critical recall (critical
and high items read as high or critical), normal kept normal, self-harm recall (self-harm items
that get the helpline reply), per language too. ``--writers`` trains on every writer of
``routing/data/urgency/`` but one and scores the one left out: how the reader does on a writer
it has not seen. ``--file`` trains on all of them and scores a blind set once.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from routing.urgency import LEVELS, assess, keyword_urgency, mentions_self_harm
from routing.urgency_model import (
    CHAT_ANSWERS,
    CRITICAL_THRESHOLD,
    RAISED_THRESHOLD,
    SELF_HARM_THRESHOLD,
    Example,
    UrgencyReader,
    load_examples,
    read_examples,
)

Pair = tuple[Example, str, bool]  # the example, the level read, whether self-harm was read


def share(selected: Sequence[Pair], ok: Callable[[Pair], bool]) -> float:
    return sum(ok(pair) for pair in selected) / len(selected) if selected else float("nan")


def scores(pairs: Sequence[Pair]) -> dict[str, float]:
    return {
        "critical recall": share([p for p in pairs if p[0].level == "critical"], _critical),
        "high-or-critical recall": share(
            [p for p in pairs if p[0].level != "normal"], lambda p: p[1] != "normal"
        ),
        "normal kept normal": share(
            [p for p in pairs if p[0].level == "normal"], lambda p: p[1] == "normal"
        ),
        "self-harm recall": share([p for p in pairs if p[0].kind == "self_harm"], lambda p: p[2]),
        "helpline to others": share([p for p in pairs if p[0].kind != "self_harm"], lambda p: p[2]),
    }


def _critical(pair: Pair) -> bool:
    return pair[1] == "critical"


def report(name: str, pairs: Sequence[Pair]) -> None:
    overall = scores(pairs)
    print(f"{name:<22} " + "  ".join(f"{k} {v:.3f}" for k, v in overall.items()))
    for lang in ("en", "hinglish", "hi"):
        subset = [pair for pair in pairs if pair[0].lang == lang]
        part = scores(subset)
        print(
            f"{'':<22} {lang:<9} n={len(subset):<4}" + "  ".join(f"{v:.3f}" for v in part.values())
        )


def read_all(examples: Sequence[Example], reader: UrgencyReader | None) -> list[Pair]:
    return [(e, assess(e.text, reader).level, mentions_self_harm(e.text, reader)) for e in examples]


def by_writer(examples: Sequence[Example]) -> dict[str, list[Example]]:
    writers: dict[str, list[Example]] = {}
    for example in examples:
        writers.setdefault(example.writer, []).append(example)
    return writers


def leave_one_writer_out(thresholds: Sequence[tuple[float, float, float]]) -> None:
    writers = by_writer(load_examples())
    print(f"writers: {', '.join(f'{w} ({len(x)})' for w, x in writers.items())}")
    results: dict[object, list[Pair]] = {}
    for held, test in writers.items():
        if held == CHAT_ANSWERS:
            continue  # not grievances: always trained on, never scored
        train = [e for w, rows in writers.items() if w != held for e in rows]
        reader = UrgencyReader(train)
        probabilities = reader.probabilities([e.text for e in test])
        for critical, raised, self_harm in thresholds:
            reader.critical_threshold = critical
            reader.raised_threshold = raised
            reader.self_harm_threshold = self_harm
            pairs = []
            for e, row in zip(test, probabilities, strict=True):
                guarded = keyword_urgency(e.text)
                read = reader.judge(row)
                level = max(guarded.level, read.level, key=LEVELS.index)
                pairs.append((e, level, read.self_harm or "self_harm" in guarded.reasons))
            results.setdefault((critical, raised, self_harm), []).extend(pairs)
        results.setdefault("keywords", []).extend(read_all(test, None))
    for key, pairs in results.items():
        name = key if isinstance(key, str) else "reader c>={} h>={} sh>={}".format(*key)
        report(name, pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--writers", action="store_true", help="leave one writer out")
    parser.add_argument("--tune", action="store_true", help="--writers over a grid")
    parser.add_argument("--file", type=Path, help="a blind set: JSON lines of level, kind, lang")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    if args.tune:
        grid = [
            (c, h, s)
            for c in (0.3, 0.35, 0.4, 0.5)
            for h in (0.5, 0.6, 0.7, 0.8)
            for s in (0.25, 0.3, 0.4)
        ]
        leave_one_writer_out(grid)
        return
    if args.writers or not args.file:
        leave_one_writer_out([(CRITICAL_THRESHOLD, RAISED_THRESHOLD, SELF_HARM_THRESHOLD)])
        return
    blind = read_examples(args.file)
    started = time.perf_counter()
    examples = load_examples()
    reader = UrgencyReader(examples)
    print(
        f"{args.file.name}: {len(blind)} items; training examples: {len(examples)} from"
        f" {len(by_writer(examples))} writers; fit {time.perf_counter() - started:.1f} s"
    )
    report("keywords only", read_all(blind, None))
    shipped = read_all(blind, reader)
    report("reader + guards", shipped)
    if args.errors:
        for example, level, self_harm in shipped:
            if level != example.level or self_harm != (example.kind == "self_harm"):
                text = " ".join(example.text.split())[:110]
                print(f"  {example.level}/{example.kind} -> {level}/{self_harm}: {text}")
    assert all(level in LEVELS for _, level, _ in shipped), json.dumps(shipped[:1], default=str)


if __name__ == "__main__":
    main()
