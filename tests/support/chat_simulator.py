"""One generated person (tests/support/people.py) talking to the assistant, whatever it asks.

The simulator places each bot text by matching it against the assistant's own text catalogue
(``actions.messages.MESSAGES`` in every language, and the responses of ``domain.yml``), each
template's ``{placeholders}`` turned into wildcards; so it follows the assistant when texts or
the order of questions change. What it cannot place is recorded (``Conversation.unplaced``)
and answered sensibly (the first plausible button, or the last question's answer again).

``converse(person, send)`` runs one conversation to a ticket number or the turn cap;
``ticket_problems`` and ``transcript_problems`` are the invariants checked afterwards;
``officer_thread`` drives an officer's request for information and the person's answer.
Runs in the app environment: ``actions.messages`` is plain Python (no rasa import).
"""

from __future__ import annotations

import dataclasses
import random
import re
import string
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
import yaml

from actions.messages import CATEGORY_TITLES, MESSAGES
from rasa_runtime.contract import SECRET_HEADER, WEBHOOK_PATH
from tests.support import people
from tests.support.people import Person, compact
from tests.support.processes import RASA_SHARED_SECRET

Reply = dict[str, Any]
Send = Callable[[str], list[Reply]]

TICKET = re.compile(r"MS-[0-9A-Z]{6}-[0-9A-Z]")
MAX_TURNS = 14  # the invariant: at most this many messages from the person to a ticket
TURN_CAP = 22  # the simulator gives up here
PLACEHOLDER_IN_TEXT = re.compile(r"\bNone\b|\bnull\b|\bundefined\b|[{}]")
PLACEHOLDER_VALUES = frozenset(
    {"", "none", "null", "nil", "n/a", "na", "-", "--", "undefined", "skip", "nan"}
)

# What each catalogue text asks of the person (texts not listed only inform).
QUESTION_OF: dict[str, str] = {
    "ask_name": "name",
    "ask_name_next": "name",
    "invalid_name": "name",
    "ask_mobile": "mobile",
    "invalid_mobile": "mobile",
    "ask_enterprise_name": "enterprise_name",
    "invalid_enterprise_name": "enterprise_name",
    "ask_udyam_number": "udyam_number",
    "invalid_udyam_number": "udyam_number",
    "too_many_failures_optional": "udyam_number",
    "ask_state": "state",
    "invalid_state": "state",
    "ask_district": "district",
    "invalid_district": "district",
    "ask_description": "description",
    "invalid_description": "description",
    "description_too_long": "description",
    "ask_category": "category",
    "invalid_category": "category",
    "propose_category": "category",
    "summary": "summary",
    "summary_department": "summary",
    "summary_no_department": "summary",
    "confirm_cancel": "stop_filing",
    "which_field": "field_to_change",
    "submit_failed": "retry_submit",
    "field_required": "repeat",
    "too_many_failures_required": "repeat",
    "cancelled": "restart",
    "greet": "menu",
    "utter_help": "menu",
    "fallback_again": "menu",
    "out_of_scope": "menu",
    "anything_else": "menu",
    "nothing_to_file": "restart",
}


@dataclass(frozen=True)
class Template:
    key: str
    language: str
    pattern: re.Pattern[str]
    fields: tuple[str, ...]
    literal_length: int


def _compile(text: str) -> tuple[re.Pattern[str], tuple[str, ...], int]:
    parts: list[str] = []
    names: list[str] = []
    literal = 0
    pieces = list(string.Formatter().parse(text))
    for index, (prefix, name, _spec, _conv) in enumerate(pieces):
        parts.append(re.escape(prefix))
        literal += len(prefix.strip())
        if name is not None:
            names.append(name)
            # A placeholder at the very end takes the rest of the text.
            parts.append("(.*)" if index == len(pieces) - 1 else "(.*?)")
    pattern = "".join(parts)
    return re.compile(pattern, re.S), tuple(names), literal


@cache
def catalogue() -> tuple[Template, ...]:
    """Every text the assistant says, most specific first."""
    from tests.support.processes import ROOT

    entries: list[tuple[str, str, str]] = []
    for key, texts in MESSAGES.items():
        if key.startswith("button_"):
            continue
        entries += [(key, language, text) for language, text in texts.items()]
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for key, variants in (domain.get("responses") or {}).items():
        for variant in variants or []:
            text = variant.get("text")
            if not text:
                continue
            language = "en"
            for condition in variant.get("condition") or []:
                if condition.get("name") == "language":
                    language = str(condition.get("value"))
            entries.append((key, language, text))
    templates = []
    for key, language, text in entries:
        pattern, names, literal = _compile(text)
        if literal < 8:  # "not given", "Why: {reason}": too short to place a text by
            continue
        templates.append(Template(key, language, pattern, names, literal))
    return tuple(sorted(templates, key=lambda t: -t.literal_length))


@dataclass(frozen=True)
class Placed:
    key: str
    language: str
    values: dict[str, str]


def place(text: str) -> list[Placed]:
    """The catalogue texts found in one bot text, in the order they appear."""
    found: list[tuple[int, Placed]] = []
    covered: list[tuple[int, int]] = []
    for template in catalogue():
        match = template.pattern.search(text)
        if not match:
            continue
        start, end = match.span()
        if any(s <= start and end <= e for s, e in covered):
            continue  # part of a longer text already placed ("What is your name?")
        covered.append((start, end))
        values = dict(zip(template.fields, match.groups(), strict=False))
        found.append((start, Placed(template.key, template.language, values)))
    return [placed for _, placed in sorted(found, key=lambda item: item[0])]


@dataclass
class Turn:
    user: str
    bot: list[Reply]


@dataclass
class Conversation:
    person: Person
    turns: list[Turn] = field(default_factory=list)
    ticket: str | None = None
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)  # the question of each bot turn

    @property
    def bot_texts(self) -> list[str]:
        return [str(r.get("text") or "") for turn in self.turns for r in turn.bot]

    def transcript(self, limit: int = 4000) -> str:
        lines = []
        for turn in self.turns:
            lines.append(f"  > {turn.user}")
            for reply in turn.bot:
                text = str(reply.get("text") or "").replace("\n", " | ")
                buttons = reply.get("buttons") or []
                shown = f"  < {text}"
                if buttons:
                    titles = ", ".join(str(b.get("title")) for b in buttons[:5])
                    more = f" +{len(buttons) - 5}" if len(buttons) > 5 else ""
                    shown += f"  [{titles}{more}]"
                lines.append(shown)
        text = "\n".join(lines)
        return text if len(text) <= limit else text[: limit // 2] + "\n ...\n" + text[-limit // 2 :]


class Simulator:
    """Plays one person: answers whatever the assistant asks, as that person would."""

    def __init__(self, person: Person, send: Send, turn_cap: int = TURN_CAP) -> None:
        self.p = person
        self.send = send
        self.turn_cap = turn_cap
        self.rng = random.Random(person.seed * 7919 + 1)
        self.conv = Conversation(person)
        self.last_field: str | None = None
        self.said_wrong_district = False
        self.correction_due = False
        self.asked_scheme = False
        self.menu_seen = 0
        self.times_asked: dict[str, int] = {}
        self.said_location = False
        self.sent_udyam = False
        self.changed_category = False
        self.told: set[str] = set()  # the fields the person has stated so far

    def run(self) -> Conversation:
        message = people.opening_message(self.p, self.rng)
        if self.p.opening == "everything":
            self.told |= {"name", "enterprise_name", "mobile", "state", "district", "description"}
        elif self.p.opening == "story":
            self.told.add("description")
        while len(self.conv.turns) < self.turn_cap:
            replies = self.send(message)
            self.conv.turns.append(Turn(message, replies))
            for reply in replies:
                found = TICKET.search(str(reply.get("text") or ""))
                if found:
                    self.conv.ticket = found.group(0)
            if self.conv.ticket:
                break
            message = self.respond(replies)
        return self.conv

    # --- reading the bot ------------------------------------------------------------------
    def question(self, replies: list[Reply]) -> tuple[str | None, Placed | None]:
        asked: tuple[str | None, Placed | None] = (None, None)
        for reply in replies:
            text = str(reply.get("text") or "")
            if not text:
                continue
            placed = place(text)
            if not placed:
                self.conv.unplaced.append(text)
            for item in placed:
                if item.key in QUESTION_OF:
                    asked = (QUESTION_OF[item.key], item)
                self.check_language(item)
        return asked

    def check_language(self, item: Placed) -> None:
        """A note when the bot speaks another language than the person writes."""
        texts = MESSAGES.get(item.key)
        if not texts or item.language == self.p.language:
            return
        if texts.get(self.p.language) != texts.get(item.language):
            note = f"answered in {item.language} ({item.key})"
            if note not in self.conv.notes:
                self.conv.notes.append(note)

    @staticmethod
    def buttons(replies: list[Reply]) -> list[dict[str, str]]:
        for reply in reversed(replies):
            if reply.get("buttons"):
                return list(reply["buttons"])
        return []

    # --- answering ------------------------------------------------------------------------
    def respond(self, replies: list[Reply]) -> str:
        asked, placed = self.question(replies)
        self.conv.asked.append(asked or "?")
        buttons = self.buttons(replies)
        if self.correction_due:
            self.correction_due = False
            return people.district_correction(self.p)
        if asked in people_fields():
            if self.p.scheme_question and not self.asked_scheme:
                if asked == self.p.scheme_question_before:
                    self.asked_scheme = True
                    return self.p.scheme_question
            self.last_field = asked
            self.times_asked[asked] = self.times_asked.get(asked, 0) + 1
            if asked in self.told and self.times_asked[asked] == 1:
                self.conv.notes.append(f"asked {asked}, already told")
            self.told.add(asked)
            if asked == "name" and self.p.name_style == "with_mobile":
                self.told.add("mobile")
            if asked in ("state", "district") and self.p.location_together:
                self.told |= {"state", "district"}
            if asked == "enterprise_name" and self.p.udyam_written:
                self.told.add("udyam_number")
            if self.times_asked[asked] >= 3 and asked != "category":
                return self.plainer_answer(asked, buttons)
            return self.answer(asked, placed, buttons)
        if asked == "summary":
            return self.at_summary(replies, buttons)
        if asked == "stop_filing":
            self.conv.notes.append("asked whether to stop filing")
            return self.tap(buttons, "/deny") or "no"
        if asked == "field_to_change":
            self.conv.notes.append("asked what to change")
            return self.tap(buttons, '"name"') or self.p.name
        if asked == "retry_submit":
            return self.tap(buttons, "retry") or "try again"
        if asked == "repeat" and self.last_field:
            return self.answer(self.last_field, None, buttons)
        if asked in ("menu", "restart"):
            self.menu_seen += 1
            if asked == "restart" or self.menu_seen > 1:
                self.conv.notes.append(f"back at the menu ({asked}) at turn {len(self.conv.turns)}")
            if self.rng.random() < 0.5 and self.tap(buttons, "/file_grievance"):
                return "/file_grievance"
            return self.rng.choice(people.FILE_COMMANDS[self.p.language])
        # Not a question the simulator knows: a plausible button, else the last answer again.
        plausible = [
            b
            for b in buttons
            if not re.match(r"/(cancel|deny|restart|stop)", str(b.get("payload")))
        ]
        if plausible:
            return str(plausible[0]["payload"])
        if self.last_field:
            return self.answer(self.last_field, None, buttons)
        return self.rng.choice(people.FILE_COMMANDS[self.p.language])

    def plainer_answer(self, asked: str, buttons: list[dict[str, str]]) -> str:
        """Asked three times: what a person tries then: the plainest form of the answer, or
        giving up on an optional field."""
        p = self.p
        self.conv.notes.append(f"asked {asked} {self.times_asked[asked]} times")
        if asked == "udyam_number":
            return self.tap(buttons, "skip") or people.no_udyam_answer(self.rng, p.language)
        plain = {
            "name": p.name,
            "mobile": p.mobile[3:],
            "enterprise_name": p.enterprise_name,
            "state": p.state,
            "district": p.district,
            "description": p.story,
        }
        return plain[asked]

    def tap(self, buttons: list[dict[str, str]], payload_part: str) -> str | None:
        for button in buttons:
            if payload_part in str(button.get("payload")):
                return str(button["payload"])
        return None

    def answer(self, asked: str, placed: Placed | None, buttons: list[dict[str, str]]) -> str:
        p = self.p
        if asked == "name":
            return people.name_answer(p)
        if asked == "mobile":
            return p.mobile_written
        if asked == "enterprise_name":
            answer = people.enterprise_answer(p)
            if p.udyam_written and not p.firm_with_udyam:
                # The question asks for the Udyam number too: a person who has one gives it,
                # in the same message or right after the name.
                answer = f"{answer} {p.udyam_written}"
            return answer
        if asked == "udyam_number":
            if p.udyam_written:
                return p.udyam_written
            if self.rng.random() < 0.5:
                tapped = self.tap(buttons, "skip")
                if tapped:
                    return tapped
            return people.no_udyam_answer(self.rng, p.language)
        if asked == "state":
            if p.location_together and not self.said_location:
                self.said_location = True
                return people.location_answer(p, p.district_written)
            return p.state_written
        if asked == "district":
            district = p.district_written
            if p.wrong_district and not self.said_wrong_district:
                self.said_wrong_district = True
                self.correction_due = True
                district = p.wrong_district
            if p.location_together and not self.said_location:
                self.said_location = True
                return people.location_answer(p, district)
            return district
        if asked == "description":
            return p.story
        if asked == "category":
            return self.choose_category(placed, buttons)
        raise AssertionError(asked)

    def choose_category(self, placed: Placed | None, buttons: list[dict[str, str]]) -> str:
        p = self.p
        proposed = (placed.values.get("category") or "").strip() if placed else ""
        titles = {title.casefold() for title in CATEGORY_TITLES[p.category].values()}
        if proposed and proposed.casefold() in titles:
            if p.types_category_label:
                return people.yes(p.language)
            return self.tap(buttons, f'"{p.category}"') or people.yes(p.language)
        if proposed:
            self.conv.notes.append(f"category proposed {proposed!r}, person's is {p.category}")
        if p.types_category_label:
            return CATEGORY_TITLES[p.category][p.language]
        return self.tap(buttons, f'"{p.category}"') or CATEGORY_TITLES[p.category][p.language]

    def at_summary(self, replies: list[Reply], buttons: list[dict[str, str]]) -> str:
        for reply in replies:
            for item in place(str(reply.get("text") or "")):
                if item.key == "summary":
                    mismatches = summary_mismatches(self.p, item.values)
                    self.conv.notes += mismatches
                    wrong_topic = any(m.startswith("summary category") for m in mismatches)
                    if wrong_topic and not self.changed_category and self.p.category != "other":
                        self.changed_category = True  # "Change the topic", then the right one
                        tapped = self.tap(buttons, '"field":"category"')
                        if tapped:
                            return tapped
                if (
                    item.key == "summary_udyam_hint"
                    and self.p.udyam_written
                    and not self.sent_udyam
                ):
                    self.sent_udyam = True  # the summary offers it: a person who has one sends it
                    return self.p.udyam_written
        tapped = self.tap(buttons, "/affirm")
        if tapped and self.rng.random() < 0.8:
            return tapped
        return people.yes(self.p.language)


@cache
def people_fields() -> frozenset[str]:
    return frozenset(
        {"name", "mobile", "enterprise_name", "udyam_number", "state", "district",
         "description", "category"}
    )  # fmt: skip


def converse(person: Person, send: Send, turn_cap: int = TURN_CAP) -> Conversation:
    return Simulator(person, send, turn_cap).run()


# --- invariants -------------------------------------------------------------------------------
def _same_text(a: Any, b: str) -> bool:
    return compact(str(a or "")).strip(" .,").casefold() == compact(b).strip(" .,").casefold()


def _state_names(p: Person) -> set[str]:
    info = people.states()[p.state]
    return {p.state.casefold(), info.hindi.casefold()}


def summary_mismatches(p: Person, shown: dict[str, str]) -> list[str]:
    problems = []
    if "name" in shown and not _same_text(shown["name"], p.name):
        problems.append(f"summary name {shown['name']!r}")
    if "mobile" in shown and compact(shown["mobile"]) != p.mobile:
        problems.append(f"summary mobile {shown['mobile']!r}")
    if "enterprise_name" in shown and not _same_text(shown["enterprise_name"], p.enterprise_name):
        problems.append(f"summary enterprise {shown['enterprise_name']!r}")
    if "state" in shown and compact(shown["state"]).casefold() not in _state_names(p):
        problems.append(f"summary state {shown['state']!r}")
    if "district" in shown and not any(
        _same_text(shown["district"], d) for d in p.accepted_districts()
    ):
        problems.append(f"summary district {shown['district']!r}")
    titles = {t.casefold() for t in CATEGORY_TITLES.get(p.category, {}).values()}
    if "category" in shown and titles and compact(shown["category"]).casefold() not in titles:
        problems.append(f"summary category {shown['category']!r}")
    return problems


def ticket_problems(p: Person, ticket: dict[str, Any]) -> list[str]:
    """What the stored ticket gets wrong about what the person said."""
    problems = []
    if not ticket.get("is_owner"):
        return [f"ticket not visible to its owner: {ticket}"]
    if not _same_text(ticket.get("name"), p.name):
        problems.append(f"name stored {ticket.get('name')!r}, said {p.name!r}")
    if not _same_text(ticket.get("enterprise_name"), p.enterprise_name):
        problems.append(
            f"enterprise_name stored {ticket.get('enterprise_name')!r}, said {p.enterprise_name!r}"
        )
    if ticket.get("mobile") != p.mobile:
        problems.append(f"mobile stored {ticket.get('mobile')!r}, said {p.mobile_written!r}")
    if ticket.get("udyam_number") != p.udyam_number:
        problems.append(
            f"udyam_number stored {ticket.get('udyam_number')!r}, said {p.udyam_written!r}"
        )
    if ticket.get("state") != p.state:
        problems.append(f"state stored {ticket.get('state')!r}, said {p.state_written!r}")
    if not any(_same_text(ticket.get("district"), d) for d in p.accepted_districts()):
        problems.append(f"district stored {ticket.get('district')!r}, said {p.district_written!r}")
    # "Other" asks the backend to read the category from the text (routing/rules.py); the
    # summary the person confirmed shows the category it reads.
    if ticket.get("category") != p.category and p.category != "other":
        problems.append(f"category stored {ticket.get('category')!r}, person's {p.category}")
    if compact(p.story) not in compact(str(ticket.get("description") or "")):
        problems.append(f"description stored {str(ticket.get('description'))[:160]!r}")
    for name in ("name", "mobile", "enterprise_name", "state", "district", "description"):
        value = str(ticket.get(name) or "")
        if value.strip().casefold() in PLACEHOLDER_VALUES or "{" in value:
            problems.append(f"placeholder stored as {name}: {value!r}")
    return problems


def transcript_problems(conv: Conversation, max_turns: int = MAX_TURNS) -> list[str]:
    """The conversation's own invariants: no placeholder shown, no message three times in a
    row, a ticket within ``max_turns`` messages of the person."""
    problems = []
    texts = conv.bot_texts
    for i in range(len(texts) - 2):
        if texts[i] and texts[i] == texts[i + 1] == texts[i + 2]:
            problems.append(f"bot said three times in a row: {texts[i][:80]!r}")
            break
    for turn in conv.turns:
        for reply in turn.bot:
            shown = [str(reply.get("text") or "")]
            shown += [str(b.get("title") or "") for b in reply.get("buttons") or []]
            for text in shown:
                if PLACEHOLDER_IN_TEXT.search(text):
                    problems.append(f"placeholder in bot text: {text[:100]!r}")
    if conv.ticket is None:
        problems.append(f"no ticket after {len(conv.turns)} turns")
    elif len(conv.turns) > max_turns:
        problems.append(f"ticket after {len(conv.turns)} turns (> {max_turns})")
    return sorted(set(problems), key=problems.index)


def failure_reason(problem: str) -> str:
    """A problem without its values: what to count failures by."""
    reason = re.sub(
        r"(stored|said|shows|summary \w+|did not get the answer) .*", r"\1 ...", problem
    )
    reason = re.sub(r"(reached the officer|got other messages): .*", r"\1", reason)
    reason = re.sub(r"\d+ turns", "N turns", reason)
    return re.sub(r"text: .*", "text", reason)


# --- the thread with the officer ---------------------------------------------------------------
@dataclass
class OfficerThread:
    person: Person
    number: str
    note: str
    answer: str
    status_text: str
    turns: list[Turn] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def officer_thread(
    person: Person,
    number: str,
    send: Send,
    request_info: Callable[[str, str], None],
    citizen_messages: Callable[[str], list[str]],
) -> OfficerThread:
    """The officer asks for information; the person answers in their own words, then asks the
    status. The officer must see exactly the answer, and not the status question."""
    rng = random.Random(person.seed * 104729 + 3)
    note = rng.choice(people.OFFICER_NOTES)
    request_info(number, note)
    answer = people.officer_answer(rng, person.language)
    status = people.status_question(rng, person.language, number)
    thread = OfficerThread(person, number, note, answer, status)
    for text in (answer, status):
        thread.turns.append(Turn(text, send(text)))
    seen = citizen_messages(number)
    if answer not in seen:
        thread.problems.append(f"officer did not get the answer {answer!r}; got {seen!r}")
    if status in seen:
        thread.problems.append(f"the status question reached the officer: {status!r}")
    extra = [m for m in seen if m not in (answer,)]
    if extra and status not in seen:
        thread.problems.append(f"officer got other messages: {extra!r}")
    echoed = " ".join(str(r.get("text") or "") for r in thread.turns[0].bot)
    if number not in echoed:
        thread.problems.append("the answer was not echoed back with the ticket number")
    told = " ".join(str(r.get("text") or "") for r in thread.turns[1].bot)
    if number not in told:
        thread.problems.append("the status question was not answered with the ticket")
    return thread


def thread_transcript(thread: OfficerThread) -> str:
    conv = Conversation(thread.person, thread.turns)
    return f"  (officer: {thread.note})\n" + conv.transcript()


# --- running many people against a started assistant ------------------------------------------
@dataclass
class Outcome:
    person: Person
    conversation: Conversation
    problems: list[str]
    ticket: dict[str, Any] | None = None
    seconds: float = 0.0

    def report(self) -> str:
        return (
            f"--- {self.person.describe()}\n"
            + "".join(f"  ! {problem}\n" for problem in self.problems)
            + self.conversation.transcript()
        )


def rest_send(client: httpx.Client, rasa_url: str, sender: str) -> Send:
    """``send`` through Rasa's gateway channel, as the gateway calls it."""

    def send(text: str) -> list[Reply]:
        response = client.post(
            f"{rasa_url}{WEBHOOK_PATH}",
            json={"sender": sender, "message": text},
            headers={SECRET_HEADER: RASA_SHARED_SECRET},
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json())

    return send


def identity(p: Person) -> dict[str, str]:
    channel, user = p.sender.split(":", 1)
    return {"channel": channel, "channel_user_id": user}


def fetch_ticket(
    client: httpx.Client, backend_url: str, token: str, p: Person, number: str
) -> dict[str, Any]:
    response = client.get(
        f"{backend_url}/api/v1/tickets/{number}",
        params=identity(p),
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    if response.status_code != 200:
        return {"error": f"{response.status_code} {response.text[:200]}"}
    ticket: dict[str, Any] = response.json()
    return ticket


def run_person(
    client: httpx.Client, rasa_url: str, backend_url: str, token: str, seed: int
) -> Outcome:
    p = people.person(seed)
    started = time.monotonic()
    simulator = Simulator(p, rest_send(client, rasa_url, p.sender))
    try:
        conv = simulator.run()
    except httpx.HTTPError as error:
        return Outcome(p, simulator.conv, [f"transport error: {error!r}"])
    except Exception as error:  # the simulator itself: reported with the seed, never lost
        return Outcome(p, simulator.conv, [f"simulator error: {error!r}"])
    problems = transcript_problems(conv)
    ticket = None
    if conv.ticket:
        ticket = fetch_ticket(client, backend_url, token, p, conv.ticket)
        problems += [f"ticket {problem}" for problem in ticket_problems(p, ticket)]
    return Outcome(p, conv, problems, ticket, time.monotonic() - started)


def run_people(
    rasa_url: str, backend_url: str, token: str, seeds: Iterable[int], workers: int = 6
) -> list[Outcome]:
    """Many people at once (each their own sender), in the order of ``seeds``."""
    seeds = list(seeds)
    with httpx.Client() as client, ThreadPoolExecutor(workers) as pool:
        return list(
            pool.map(lambda seed: run_person(client, rasa_url, backend_url, token, seed), seeds)
        )


class Officers:
    """Officers of each department, made on first need (``python -m backend officer add``)."""

    def __init__(
        self, client: httpx.Client, backend_url: str, make_officer: Callable[[str], str]
    ) -> None:
        self.client = client
        self.backend_url = backend_url
        self.make_officer = make_officer
        self.tokens: dict[str, str] = {}
        self.lock = threading.Lock()

    def token(self, department: str) -> str:
        with self.lock:
            if department not in self.tokens:
                self.tokens[department] = self.make_officer(department)
            return self.tokens[department]

    def post(self, department: str, number: str, action: str, note: str | None) -> None:
        body = {"note": note} if note is not None else {}
        response = self.client.post(
            f"{self.backend_url}/admin/v1/tickets/{number}/{action}",
            json=body,
            headers={"Authorization": f"Bearer {self.token(department)}"},
            timeout=30,
        )
        if response.status_code >= 400:
            raise AssertionError(f"{action} on {number}: {response.status_code} {response.text}")

    def citizen_messages(self, department: str, number: str) -> list[str]:
        response = self.client.get(
            f"{self.backend_url}/admin/v1/tickets/{number}",
            headers={"Authorization": f"Bearer {self.token(department)}"},
            timeout=30,
        )
        response.raise_for_status()
        return [str(m["text"]) for m in response.json()["messages"] if m.get("author") == "citizen"]


def run_officer_thread(
    client: httpx.Client, rasa_url: str, officers: Officers, outcome: Outcome
) -> OfficerThread | None:
    """After a correct filing: acknowledge, request information, the person's answer and
    status question (``officer_thread``)."""
    ticket, number = outcome.ticket, outcome.conversation.ticket
    if not ticket or not number or "department" not in ticket:
        return None
    department = str(ticket["department"]["code"])
    officers.post(department, number, "acknowledge", None)

    def request_info(number: str, note: str) -> None:
        officers.post(department, number, "request-info", note)

    return officer_thread(
        outcome.person,
        number,
        rest_send(client, rasa_url, outcome.person.sender),
        request_info,
        lambda number: officers.citizen_messages(department, number),
    )


def file_directly(client: httpx.Client, backend_url: str, token: str, outcome: Outcome) -> Outcome:
    """The person's ticket filed through the service API from a fresh chat of theirs: for an
    officer thread when the conversation did not file it."""
    p = dataclasses.replace(outcome.person, chat="-direct")
    body = {
        "idempotency_key": f"direct-{p.seed}",
        **identity(p),
        "name": p.name,
        "mobile": p.mobile,
        "enterprise_name": p.enterprise_name,
        "udyam_number": p.udyam_number,
        "state": p.state,
        "district": p.district,
        "category": p.category,
        "description": p.story,
        "language": p.language,
    }
    response = client.post(
        f"{backend_url}/api/v1/tickets",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    response.raise_for_status()
    number = str(response.json()["number"])
    conv = Conversation(p, ticket=number)
    return Outcome(p, conv, [], fetch_ticket(client, backend_url, token, p, number))
