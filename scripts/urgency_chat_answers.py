"""Write routing/data/urgency/n_chat_answers.jsonl: answers and commands people send the
assistant (its NLU examples, 40 per intent, sampled with a fixed seed), all "normal".

The urgency reader also reads every chat message for the caring reply (actions/care.py); trained
on grievances alone, it read short answers ("I don't have one", "I don't know") as self-harm.

    .venv/bin/python scripts/urgency_chat_answers.py
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "routing" / "data" / "urgency" / "n_chat_answers.jsonl"
PER_INTENT = 40
SEED = 20261205
# Entity annotations: [Pune](district) and [Pune]{"entity": ...} read as "Pune".
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")


def main() -> None:
    examples: dict[str, set[str]] = {}
    for path in sorted((ROOT / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in item:
                continue
            for line in item["examples"].splitlines():
                if line.startswith("- "):
                    text = _ANNOTATION.sub(r"\1", line[2:]).strip()
                    examples.setdefault(item["intent"], set()).add(text)
    rng = random.Random(SEED)
    rows = []
    for intent in sorted(examples):
        texts = sorted(examples[intent])
        rng.shuffle(texts)
        for text in texts[:PER_INTENT]:
            devanagari = any("\u0900" <= char <= "\u097f" for char in text)
            lang = "hi" if devanagari else "en"
            rows.append({"level": "normal", "kind": "normal", "lang": lang, "text": text})
    OUT.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    print(f"{len(rows)} answers from {len(examples)} intents -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
