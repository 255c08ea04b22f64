"""Scheme search latency per query: the real knowledge base, then the index grown synthetically.

    .venv/bin/python bench/schemes_latency.py                    # real KB + 100k synthetic
    .venv/bin/python bench/schemes_latency.py --entries 0        # real KB only
    .venv/bin/python bench/schemes_latency.py --entries 300000   # find where exact search tires

Each query is the full ``SchemeSearch.search`` call the API makes (Hindi/Hinglish
normalisation, encoding the question with the real model, exact dot product over every
passage, BM25 over every entry, fusion, grouping by scheme, the no-answer rule), one at a
time as requests arrive. The queries are the dev-set questions. "retrieval" is the same call
with the question's vector precomputed, i.e. everything but the model.

Synthetic entries are FAQ entries of made-up schemes: a question and an answer drawn from the
knowledge base's own vocabulary (so BM25 posting lists look real), with random unit vectors
for both passages (encoding 200k texts would take longer than the point is worth; dot-product
cost does not depend on the values).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.schemes.embedding_cache import TextEncoder, cached_embeddings  # noqa: E402
from backend.schemes.evaluation import load_devset  # noqa: E402
from backend.schemes.knowledge import FaqEntry, Scheme, load_knowledge_base  # noqa: E402
from backend.schemes.search import SchemeSearch, _entries_and_passages  # noqa: E402
from routing.glossary import words  # noqa: E402


class PrecomputedQueries:
    """An encoder that answers from vectors computed beforehand (to time retrieval alone)."""

    def __init__(self, inner: TextEncoder, texts: Sequence[str]) -> None:
        self.model_id = inner.model_id
        vectors = inner.encode(list(texts))
        self._vectors = {text: vectors[i] for i, text in enumerate(texts)}

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        return np.stack([self._vectors[text] for text in texts])


def synthetic_schemes(real: Sequence[Scheme], entries: int, seed: int = 7) -> list[Scheme]:
    rng = np.random.default_rng(seed)
    vocabulary = sorted(
        {w for s in real for f in s.faq for t in (*f.questions, f.answer) for w in words(t)}
    )
    per_scheme = 100
    schemes = []
    template = real[0]
    for number in range(0, entries, per_scheme):
        faq = tuple(
            FaqEntry(
                questions=(" ".join(rng.choice(vocabulary, size=10)),),
                answer=" ".join(rng.choice(vocabulary, size=30)),
            )
            for _ in range(min(per_scheme, entries - number))
        )
        schemes.append(
            Scheme(
                id=f"synthetic_{number // per_scheme:05d}",
                name=f"Synthetic scheme {number // per_scheme}",
                aliases=(f"synthetic {number // per_scheme}",),
                summary=template.summary,
                eligibility=template.eligibility,
                benefits=template.benefits,
                how_to_apply=template.how_to_apply,
                documents=template.documents,
                url=template.url,
                last_verified=template.last_verified,
                sources=template.sources,
                faq=faq,
            )
        )
    return schemes


def percentile(samples: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples), q))


Timings = tuple[list[float], list[float]]  # wall-clock ms, CPU ms of this process


def timed(engine: SchemeSearch, queries: Sequence[str], rounds: int) -> Timings:
    for query in queries[:10]:
        engine.search(query, 3)  # warm-up
    wall, cpu = [], []
    for _ in range(rounds):
        for query in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            engine.search(query, 3)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def line(label: str, timings: Timings) -> str:
    wall, cpu = timings
    return (
        f"| {label} | {len(wall)} | {percentile(wall, 50):.1f} | {percentile(wall, 95):.1f} | "
        f"{percentile(wall, 99):.1f} | {percentile(cpu, 50):.1f} | {percentile(cpu, 95):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="synthetic FAQ entries")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var/cache/schemes")
    args = parser.parse_args()

    from backend.embeddings import get_scheme_encoder

    encoder = get_scheme_encoder()
    queries = [q.text for q in load_devset(ROOT / "bench/data/schemes_devset.yaml")]
    real = load_knowledge_base()
    _, passages, _ = _entries_and_passages(real)
    real_vectors = cached_embeddings(encoder, passages, args.cache_dir)

    print(
        f"date {dt.date.today()}, Python {platform.python_version()}, "
        f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
        f"encoder {encoder.model_id}",
        flush=True,
    )
    # Wall-clock time on a shared machine includes waiting for a core; CPU time is the work
    # the query itself costs (what wall-clock time approaches on an idle machine).
    print("| index | queries | p50 ms | p95 ms | p99 ms | CPU p50 ms | CPU p95 ms |")
    print("|---|---|---|---|---|---|---|")
    engine = SchemeSearch(real, encoder, real_vectors)
    label = f"real KB ({engine.entry_count} entries, {engine.passage_count} passages)"
    print(line(f"{label}, full search", timed(engine, queries, args.rounds)), flush=True)
    dense_texts = sorted({engine.prepare(q).dense_text for q in queries})
    precomputed = PrecomputedQueries(encoder, dense_texts)
    fast = engine.with_encoder(precomputed)
    print(line(f"{label}, retrieval only", timed(fast, queries, args.rounds)), flush=True)
    encode_wall, encode_cpu = [], []
    for _ in range(args.rounds):
        for text in dense_texts:
            started, started_cpu = time.perf_counter(), time.process_time()
            encoder.encode([text])
            encode_wall.append((time.perf_counter() - started) * 1000)
            encode_cpu.append((time.process_time() - started_cpu) * 1000)
    print(line("encoding one question alone", (encode_wall, encode_cpu)), flush=True)

    if args.entries:
        started = time.perf_counter()
        grown = [*real, *synthetic_schemes(real, args.entries)]
        _, grown_passages, _ = _entries_and_passages(grown)
        rng = np.random.default_rng(11)
        extra = rng.standard_normal((len(grown_passages) - len(passages), real_vectors.shape[1]))
        extra /= np.linalg.norm(extra, axis=1, keepdims=True)
        vectors = np.vstack([real_vectors, extra.astype(np.float32)])
        big = SchemeSearch(grown, encoder, vectors)
        big_fast = big.with_encoder(precomputed)
        built = time.perf_counter() - started
        label = (
            f"+{args.entries:,} synthetic ({big.entry_count:,} entries, "
            f"{big.passage_count:,} passages)"
        )
        print(line(f"{label}, full search", timed(big, queries, args.rounds)), flush=True)
        print(line(f"{label}, retrieval only", timed(big_fast, queries, args.rounds)))
        print(f"(grown index built in {built:.0f} s; {vectors.nbytes / 2**20:.0f} MiB of vectors)")


if __name__ == "__main__":
    main()
