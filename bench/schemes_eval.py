"""Scheme search quality on the labelled dev set: BM25 alone, dense alone, hybrid, RRF.

    .venv/bin/python bench/schemes_eval.py            # report with the committed tuning
    .venv/bin/python bench/schemes_eval.py --tune     # also search weights and thresholds
                                                      # on the tuning split and print them

Every third question (in-scope and out-of-scope alike) is held out: the committed
SearchTuning was chosen on the other two thirds only, and the held-out figures show how far
that carries. BM25-alone, dense-alone and RRF get their own no-answer thresholds, calibrated
the same way on the tuning split, because their scores live on different scales.
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
    Thresholds,
    calibrate,
    load_devset,
    ranked,
    report,
    score_questions,
    tune_fusion,
)
from backend.schemes.search import RankingMode, SchemeSearch  # noqa: E402

MODES: tuple[RankingMode, ...] = ("bm25", "dense", "hybrid", "rrf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=ROOT / "bench/data/schemes_devset.yaml")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var/cache/schemes")
    parser.add_argument("--tune", action="store_true", help="search fusion weights and thresholds")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--show-misses", action="store_true", help="list tuning-split misses")
    args = parser.parse_args()

    from backend.embeddings import get_encoder

    started = time.perf_counter()
    engine = SchemeSearch.from_directory(
        ROOT / "backend/schemes/data", get_encoder(), args.cache_dir
    )
    built = time.perf_counter() - started
    questions = load_devset(args.devset)
    scored = score_questions(engine, questions)
    tune_split = [s for s in scored if not s.question.held_out]

    tuning = engine.tuning
    if args.tune:
        tuning = tune_fusion(engine, tune_split)
        print(f"tuned on {len(tune_split)} questions: {tuning}\n")

    hybrid_thresholds = Thresholds(tuning.min_score, tuning.confident_score, tuning.min_margin)
    figures: dict[str, dict[str, dict[str, float | int | str]]] = {}
    print(
        f"knowledge base: {len(engine.schemes)} schemes, {engine.entry_count} FAQ entries, "
        f"{engine.passage_count} passages (built in {built:.1f} s)"
    )
    print(
        f"dev set: {sum(q.scheme_id is not None for q in questions)} in scope, "
        f"{sum(q.scheme_id is None for q in questions)} out of scope\n"
    )
    for mode in MODES:
        all_rankings = [(s.question, ranked(engine, s, mode, tuning)) for s in scored]
        tune_rankings = [(q, r) for q, r in all_rankings if not q.held_out]
        thresholds = hybrid_thresholds if mode == "hybrid" else calibrate(tune_rankings)
        figures[mode] = {}
        for split, rows in (
            ("tune", tune_rankings),
            ("held_out", [(q, r) for q, r in all_rankings if q.held_out]),
            ("all", all_rankings),
        ):
            figures[mode][split] = asdict(report(mode, rows, thresholds))
        if args.show_misses and mode == "hybrid":
            for question, results in tune_rankings:
                top = results[0].scheme_id if results else None
                if question.scheme_id is not None and top != question.scheme_id:
                    print(f"  miss: {question.text!r}: want {question.scheme_id}, got {top}")
    for split in ("tune", "held_out", "all"):
        print(f"### {split}")
        print(
            "| mode | recall@1 | recall@3 | MRR | no-answer acc. | OOS refused | "
            "in-scope answered | end-to-end |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for mode in MODES:
            row = ModeReport(**figures[mode][split])  # type: ignore[arg-type]
            print(
                f"| {mode} | {row.recall_at_1:.3f} | {row.recall_at_3:.3f} | {row.mrr:.3f} | "
                f"{row.no_answer_accuracy:.3f} | {row.out_of_scope_refused:.3f} | "
                f"{row.in_scope_answered:.3f} | {row.end_to_end:.3f} |"
            )
        print()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
