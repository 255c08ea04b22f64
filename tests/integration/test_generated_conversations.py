"""Generated people file complaints through the real assistant, and answer an officer.

The real backend, action server and Rasa server (trained model) are started once for the
module (``tests.support.processes.assistant_stack``). At least 300 people from
``tests/support/people.py`` (names and firms that hold intent words, three languages, varied
openings, several fields per message, corrections, scheme questions mid-form) are driven by
``tests/support/chat_simulator.py``, which answers whatever the assistant asks. After each
conversation the invariants hold: a ticket whose fields equal what the person said, no bot
message three times in a row, no placeholder shown or stored, at most 14 turns. Then a batch
of officer threads: request-info, the person's answer in their own words, a status question;
the officer sees exactly the answer and never the status question. And stray messages with
nothing pending: a few answers each, never a loop, and the next message answered.

The run's seed is printed; rerun one with ``CONVERSATION_SEED=<seed> CONVERSATION_PEOPLE=1``.
Alone:

    .venv/bin/pytest -q tests/integration/test_generated_conversations.py -s

Environment: CONVERSATION_SEED (default 20261205), CONVERSATION_PEOPLE (default 300),
CONVERSATION_THREADS (default 40), CONVERSATION_STRAYS (chats of stray messages, default 40),
CONVERSATION_WORKERS (concurrent people, default 6).
Needs .venv-rasa and models/grievance.tar.gz; skips with the reason when either is missing.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import chat_simulator as sim
from tests.support import people
from tests.support.people import Person
from tests.support.processes import AssistantStack, assistant_stack, rasa_skip_reason

pytestmark = pytest.mark.integration

TOKEN = "generated-conversations-token"
SEED = int(os.environ.get("CONVERSATION_SEED", "20261205"))
PEOPLE = int(os.environ.get("CONVERSATION_PEOPLE", "300"))
THREADS = int(os.environ.get("CONVERSATION_THREADS", "40"))
WORKERS = int(os.environ.get("CONVERSATION_WORKERS", "6"))
# Officer threads use their own people (seeds far from the filing run's).
THREAD_SEED_OFFSET = 1_000_000
SHOWN_TRANSCRIPTS = 12


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AssistantStack]:
    reason = rasa_skip_reason()
    if reason:
        pytest.skip(reason)
    with assistant_stack(tmp_path_factory.mktemp("generated"), TOKEN) as started:
        yield started


def _report(title: str, failures: list[tuple[int, str, str]], details: list[str]) -> str:
    counts = Counter(sim.failure_reason(reason) for _, _, reason in failures)
    lines = [title, "failures by reason:"]
    lines += [f"  {count:4d}  {reason}" for reason, count in counts.most_common()]
    lines += ["(seed, person, reason):"]
    lines += [f"  ({seed}, {who}, {reason})" for seed, who, reason in failures[:60]]
    if len(failures) > 60:
        lines.append(f"  ... {len(failures) - 60} more")
    lines += ["transcripts:", *details[:SHOWN_TRANSCRIPTS]]
    return "\n".join(lines)


def _who(person: Person) -> str:
    return f"{person.name} / {person.enterprise_name} ({person.language}, {person.opening})"


def test_generated_people_file_the_ticket_they_described(stack: AssistantStack) -> None:
    print(f"\nCONVERSATION_SEED={SEED} people={PEOPLE} workers={WORKERS}")
    started = time.monotonic()
    outcomes = sim.run_people(
        stack.rasa_url, stack.backend_url, TOKEN, range(SEED, SEED + PEOPLE), WORKERS
    )
    elapsed = time.monotonic() - started
    turns = sum(len(o.conversation.turns) for o in outcomes)
    failed = [o for o in outcomes if o.problems]
    print(
        f"{PEOPLE} people, {turns} turns in {elapsed:.1f} s; {len(failed)} failed "
        f"({100 * len(failed) / max(PEOPLE, 1):.1f}%)"
    )
    failures = [(o.person.seed, _who(o.person), p) for o in failed for p in o.problems]
    report = _report(
        f"{len(failed)} of {PEOPLE} generated people failed (CONVERSATION_SEED={SEED})",
        failures,
        [o.report() for o in failed],
    )
    if failed:
        path = Path(stack.log_dir) / "generated_failures.txt"
        path.write_text(report + "\n\n" + "\n\n".join(o.report() for o in failed), "utf-8")
        print(f"all failing transcripts: {path}")
    assert not failures, report


def test_officer_threads_get_exactly_the_answer(stack: AssistantStack) -> None:
    base = SEED + THREAD_SEED_OFFSET
    print(f"\nCONVERSATION_SEED={SEED} officer threads={THREADS} (people from seed {base})")
    outcomes = sim.run_people(
        stack.rasa_url, stack.backend_url, TOKEN, range(base, base + THREADS), WORKERS
    )
    failures: list[tuple[int, str, str]] = []
    details: list[str] = []
    with httpx.Client() as client:
        officers = sim.Officers(client, stack.backend_url, stack.add_officer)
        for outcome in outcomes:
            person = outcome.person
            if outcome.ticket is None or "department" not in outcome.ticket:
                # The filing itself failed (the other test reports it): file the ticket
                # through the service API, so that the thread is still tried.
                outcome = sim.file_directly(client, stack.backend_url, TOKEN, outcome)
            thread = sim.run_officer_thread(client, stack.rasa_url, officers, outcome)
            if thread is None:
                failures.append((person.seed, _who(person), "no ticket to thread on"))
                continue
            for problem in thread.problems:
                failures.append((person.seed, _who(person), problem))
            if thread.problems:
                details.append(
                    f"--- {person.describe()}\n"
                    + "".join(f"  ! {p}\n" for p in thread.problems)
                    + sim.thread_transcript(thread)
                )
    print(f"{THREADS} officer threads; {len({f[0] for f in failures})} failed")
    assert not failures, _report(
        f"officer threads failed (CONVERSATION_SEED={SEED})", failures, details
    )


STRAYS = int(os.environ.get("CONVERSATION_STRAYS", "40"))


def _stray_messages(seed: int) -> list[str]:
    """What people send with nothing pending and no ticket awaiting an answer: a bare firm
    or place, an answer to a question nobody asked, digits, an emoji, half a sentence."""
    rng = random.Random(seed)
    p = people.person(seed)
    pool = [
        p.enterprise_name,
        p.district_written,
        p.name,
        people.officer_answer(rng, p.language),
        f"{p.district_written} branch, {rng.randint(1, 28)} August",
        str(rng.randint(10, 99999)),
        rng.choice(("🙏", "👍", "??", "...", "ok ok", "hmm")),
        " ".join(rng.sample(p.story.split(), k=min(3, len(p.story.split())))),
    ]
    return rng.sample(pool, k=3)


def test_stray_messages_outside_any_flow_never_loop(stack: AssistantStack) -> None:
    """A message no flow expects is answered with one to three messages, never the same text
    three times, and the chat answers the next message: no loop, no chat left silent."""
    failures: list[str] = []
    with httpx.Client() as client:
        for index in range(STRAYS):
            seed = SEED + 2 * THREAD_SEED_OFFSET + index
            send = sim.rest_send(client, stack.rasa_url, f"web:stray-{seed}")
            for text in [*_stray_messages(seed), "hi"]:
                texts = [reply.get("text", "") for reply in send(text)]
                repeated = max(Counter(texts).values(), default=0)
                if not 1 <= len(texts) <= 3 or repeated >= 3:
                    failures.append(f"seed {seed}: {text!r} -> {len(texts)} replies {texts[:3]}")
    assert not failures, "\n".join(failures[:20])


def test_the_simulator_knows_every_question_the_assistant_asks() -> None:
    """No stack needed: when a text key is renamed or a question's text changes so that the
    simulator would place it as another question, this says so before the long run does."""
    domain_keys = {t.key for t in sim.catalogue()}
    stale = sorted(key for key in sim.QUESTION_OF if key not in domain_keys)
    assert not stale, f"chat_simulator.QUESTION_OF names texts the assistant lacks: {stale}"
    misplaced = []
    for key, question in sim.QUESTION_OF.items():
        for language, text in sim.MESSAGES.get(key, {}).items():
            example = text.format_map(_Anything())
            placed = [p for p in sim.place(example) if p.key in sim.QUESTION_OF]
            if not placed or sim.QUESTION_OF[placed[-1].key] != question:
                misplaced.append((key, language, [p.key for p in placed]))
    assert not misplaced, f"texts the simulator places as another question: {misplaced}"


class _Anything(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return f"<{key}>"
