"""Turns to a filed ticket for generated people, and how often the filing goes wrong.

The real backend, action server and Rasa server (models/grievance.tar.gz) are started as the
tests start them (``tests.support.processes.assistant_stack``); the people of
``tests/support/people.py`` are driven through Rasa's REST channel by
``tests/support/chat_simulator.py`` (the same generator and simulator as
``tests/integration/test_generated_conversations.py``), several at once, each their own sender.

Reported: turns (messages of the person) to a ticket number, median and p90, for people who
open with their story (the story, or everything in one message) and for those who open with
"hi" or "complaint" (a greeting, a filing command, the menu button); goals median <= 6 and
p90 <= 10. The failure rate counts people whose conversation broke an invariant of the test
(no ticket, a field stored otherwise than said, a placeholder, a message three times in a row,
more than 14 turns); the most common reasons follow, then what the simulator noticed without
failing (a question asked three times, a wrongly proposed category, another language).

    .venv/bin/python -m bench.conversation_turns [--people 300] [--seed 20261205] \
        [--workers 6] [--show 2]
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import chat_simulator as sim
from tests.support.processes import assistant_stack, rasa_skip_reason

TOKEN = "bench-conversation-token"
GROUPS = {
    "opens with the story": ("story", "everything"),
    'opens with "hi" or "complaint"': ("greeting", "command", "payload"),
}
GOAL_MEDIAN, GOAL_P90 = 6, 10


def p90(values: list[int]) -> float:
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]) if ordered else math.nan


def row(name: str, outcomes: list[sim.Outcome]) -> str:
    filed = [len(o.conversation.turns) for o in outcomes if o.conversation.ticket]
    failed = sum(1 for o in outcomes if o.problems)
    median = statistics.median(filed) if filed else math.nan
    high = p90(filed)
    goal = "met" if median <= GOAL_MEDIAN and high <= GOAL_P90 else "not met"
    return (
        f"| {name} | {len(outcomes)} | {len(filed)} | {100 * failed / max(len(outcomes), 1):.1f}% "
        f"| {median:g} | {high:g} | {goal} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--show", type=int, default=2, help="transcripts shown per top reason")
    args = parser.parse_args()
    reason = rasa_skip_reason()
    if reason:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory(prefix="conversation-turns-") as tmp:
        with assistant_stack(Path(tmp), TOKEN) as stack:
            started = time.monotonic()
            outcomes = sim.run_people(
                stack.rasa_url,
                stack.backend_url,
                TOKEN,
                range(args.seed, args.seed + args.people),
                args.workers,
            )
            elapsed = time.monotonic() - started
    turns = sum(len(o.conversation.turns) for o in outcomes)
    print(
        f"seed {args.seed}, {args.people} people, {turns} turns in {elapsed:.1f} s "
        f"({turns / elapsed:.0f} turns/s, {args.workers} at once)\n"
    )
    print("| people | n | filed | failure rate | median turns | p90 turns | goal (<= 6, <= 10) |")
    print("|---|---|---|---|---|---|---|")
    for name, openings in GROUPS.items():
        print(row(name, [o for o in outcomes if o.person.opening in openings]))
    print(row("all", outcomes))
    print(
        "\n| by opening / language | n | filed | failure rate | median turns | p90 turns | goal |"
    )
    print("|---|---|---|---|---|---|---|")
    for opening in ("greeting", "command", "payload", "story", "everything"):
        print(row(f"opening: {opening}", [o for o in outcomes if o.person.opening == opening]))
    for language in ("en", "hi", "hinglish"):
        print(row(f"language: {language}", [o for o in outcomes if o.person.language == language]))

    reasons: Counter[str] = Counter()
    examples: dict[str, list[sim.Outcome]] = {}
    for outcome in outcomes:
        for problem in dict.fromkeys(sim.failure_reason(p) for p in outcome.problems):
            reasons[problem] += 1
            examples.setdefault(problem, []).append(outcome)
    if reasons:
        print("\n| failure reason | people |\n|---|---|")
        for problem, count in reasons.most_common():
            print(f"| {problem} | {count} |")
    notes: Counter[str] = Counter()
    for outcome in outcomes:
        for note in dict.fromkeys(
            re.sub(r"'.*", "...", re.sub(r"\d+ times", "3+ times", n))
            for n in outcome.conversation.notes
        ):
            notes[note] += 1
    if notes:
        print("\n| noticed (not a failure) | people |\n|---|---|")
        for note, count in notes.most_common(15):
            print(f"| {note} | {count} |")
    for problem, count in reasons.most_common(5):
        for outcome in examples[problem][: args.show]:
            print(f"\n{problem} ({count}):\n{outcome.report()}")


if __name__ == "__main__":
    main()
