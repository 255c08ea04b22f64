"""Scheme search quality on the labelled dev set: BM25 alone, dense alone, hybrid, RRF.

    .venv/bin/python bench/schemes_eval.py            # report with the committed tuning
    .venv/bin/python bench/schemes_eval.py --tune     # also search weights and thresholds
                                                      # on the tuning split and print them
    .venv/bin/python bench/schemes_eval.py --heldout bench/data/schemes_heldout.yaml
                                                      # also score the separate held-out set

Every third question of the dev set (in-scope and out-of-scope alike) is its "held-out
third": the committed SearchTuning was chosen on the other two thirds only. That third has
been looked at in earlier rounds, so the figures that show how far the choices carry are
those of bench/data/schemes_heldout.yaml, written before the last round of changes and not
used for any choice (score it once per round, and write a new one for the next round).
BM25-alone, dense-alone and RRF get their own no-answer thresholds, calibrated the same way
on the dev set's tuning split, because their scores live on different scales; the topic
rule (SchemeSearch.declines) applies to every mode alike.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.schemes.evaluation import (  # noqa: E402
    ModeReport,
    Ranked,
    Thresholds,
    calibrate,
    load_devset,
    rank_all,
    report,
    score_questions,
    tune_fusion,
)
from backend.schemes.knowledge import load_out_of_scope  # noqa: E402
from backend.schemes.search import RankingMode, SchemeSearch  # noqa: E402

MODES: tuple[RankingMode, ...] = ("bm25", "dense", "hybrid", "rrf")


def print_table(title: str, rows: dict[str, ModeReport]) -> None:
    print(f"### {title}")
    print(
        "| mode | recall@1 | recall@3 | MRR | no-answer acc. | OOS refused | "
        "in-scope answered | end-to-end |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for mode, row in rows.items():
        print(
            f"| {mode} | {row.recall_at_1:.3f} | {row.recall_at_3:.3f} | {row.mrr:.3f} | "
            f"{row.no_answer_accuracy:.3f} | {row.out_of_scope_refused:.3f} | "
            f"{row.in_scope_answered:.3f} | {row.end_to_end:.3f} |"
        )
    print()


def print_misses(mode: str, rankings: list[Ranked]) -> None:
    for item in rankings:
        top = item.results[0].scheme_id if item.results else None
        if item.question.scheme_id is not None and top != item.question.scheme_id:
            print(
                f"  {mode} miss: {item.question.text!r}: want {item.question.scheme_id}, got {top}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=ROOT / "bench/data/schemes_devset.yaml")
    parser.add_argument("--heldout", type=Path, help="a separate held-out file, scored as is")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var/cache/schemes")
    parser.add_argument("--tune", action="store_true", help="search fusion weights and thresholds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--precision",
        choices=("shipped", "int8", "float32"),
        default="shipped",
        help="encoder precision, where backend.embeddings offers a choice",
    )
    parser.add_argument(
        "--show-misses", action="store_true", help="list tuning-split misses of every mode"
    )
    parser.add_argument(
        "--no-examples",
        action="store_true",
        help="without the out-of-scope examples (backend/schemes/out_of_scope.yaml)",
    )
    args = parser.parse_args()

    from backend.embeddings import get_encoder, get_scheme_encoder

    encoder = get_scheme_encoder() if args.precision == "shipped" else get_encoder(args.precision)
    started = time.perf_counter()
    examples = () if args.no_examples else load_out_of_scope()
    engine = SchemeSearch.from_directory(
        ROOT / "backend/schemes/data", encoder, args.cache_dir, out_of_scope=examples
    )
    built = time.perf_counter() - started
    questions = load_devset(args.devset)
    scored = score_questions(engine, questions)
    tune_split = [s for s in scored if not s.question.held_out]
    held_scored = (
        score_questions(engine, load_devset(args.heldout, all_held_out=True))
        if args.heldout
        else []
    )

    tuning = engine.tuning
    if args.tune:
        # The gap rule is placed on the whole dev set: the tuning split's out-of-scope
        # questions are all refused by the floor already (docs/PERFORMANCE.md).
        tuning = tune_fusion(engine, tune_split, gap_questions=scored)
        print(f"tuned on {len(tune_split)} questions: {tuning}\n")

    hybrid_thresholds = Thresholds(tuning.min_score, tuning.confident_score, tuning.min_margin)
    print(f"encoder: {encoder.model_id}")
    print(
        f"knowledge base: {len(engine.schemes)} schemes, {engine.entry_count} FAQ entries, "
        f"{engine.passage_count} passages (built in {built:.1f} s); "
        f"{len(examples)} out-of-scope examples"
    )
    print(
        f"dev set: {sum(q.scheme_id is not None for q in questions)} in scope, "
        f"{sum(q.scheme_id is None for q in questions)} out of scope; "
        f"declined by topic: {sum(s.declined for s in scored)} "
        f"({sum(s.declined and s.question.scheme_id is not None for s in scored)} in scope)\n"
    )
    splits: dict[str, dict[str, ModeReport]] = {
        "tune": {},
        "dev held-out third": {},
        "dev all": {},
        "new held-out file": {},
    }
    for mode in MODES:
        all_rankings = rank_all(engine, scored, mode, tuning)
        tune_rankings = [r for r in all_rankings if not r.question.held_out]
        thresholds = hybrid_thresholds if mode == "hybrid" else calibrate(tune_rankings)
        splits["tune"][mode] = report(mode, tune_rankings, thresholds)
        third = [r for r in all_rankings if r.question.held_out]
        splits["dev held-out third"][mode] = report(mode, third, thresholds)
        splits["dev all"][mode] = report(mode, all_rankings, thresholds)
        if held_scored:
            held = rank_all(engine, held_scored, mode, tuning)
            splits["new held-out file"][mode] = report(mode, held, thresholds)
            if args.show_misses:
                print_misses(f"held-out {mode}", held)
        if args.show_misses:
            print_misses(mode, tune_rankings)
    print()
    for title, rows in splits.items():
        if rows:
            print_table(title, rows)
    if args.json:
        figures = {
            title: {mode: asdict(row) for mode, row in rows.items()}
            for title, rows in splits.items()
        }
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
