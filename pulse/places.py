"""Which state or union territory an item concerns: a gazetteer of states, districts and towns.

The names are the project's own, in one home each: the states with their Hindi names, old names
and spellings (``routing/data/states.yaml``, through ``routing.states``) and every district with
its Hindi names, old names and the towns people name instead (``routing/data/districts.yaml``,
which the action server reads too). A district names its state ("Tiruppur" -> Tamil Nadu,
"नोएडा" -> Uttar Pradesh).

News and posts name places in passing, so the rules are those of ``actions/districts.py`` for a
sentence, not for an answer: exact names only (no fuzzy match); the longest name wins ("Kanpur
Dehat" over "Kanpur"); a district name that is an everyday word or a person's name ("mandi",
"Anand") counts only with a cue (a district word next to it, its state right after it, or a
capital after "in", "at", "near" or before "me", "ke", "में"); a name two states share
(Aurangabad) counts only when one of its states is named too. Two-letter codes count in
capitals only, and not those that are words or other countries ("UK", "AS", "OR"). The state
named most often wins; a tie goes to the state named first.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from routing.states import STATE_RECORDS

DISTRICTS: Final = Path(__file__).resolve().parents[1] / "routing" / "data" / "districts.yaml"

_NUKTA: Final = "\u093c"
_CHANDRABINDU: Final = "\u0901"
_ANUSVARA: Final = "\u0902"
_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# A word: letters and digits of any script, Devanagari vowel signs and virama included.
_WORD: Final = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u097f\u0300-\u036f])+|&")
# State codes that are words, other countries or abbreviations of other things in capitals
# ("UK" exports, "AS" in "AS PER", "CH" in "CH 4", "DD" a demand draft).
_NOT_CODES: Final = frozenset(
    {"AS", "AN", "OR", "LA", "UT", "UK", "CH", "GA", "PY", "DH", "LD", "ML", "TR", "SK", "NL",
     "MN", "BR", "PB", "HR", "KL", "KA", "CG", "CT", "OD", "AR", "MZ", "DL", "TS", "TG"}
)  # fmt: skip
# State aliases too short or too common to count in running text ("dd", "nct", "dadra").
_MIN_ALIAS_LENGTH: Final = 4
_PLACE_WORDS: Final = frozenset({"in", "at", "near"})
# Postpositions after a place: "Salem me", "Erode ke", "मंडी में".
_AFTER_PLACE_WORDS: Final = frozenset(
    {"me", "mein", "ke", "ki", "ka", "se", "में", "के", "की", "का", "से"}
)


def fold_word(word: str) -> str:
    """One word folded: lower case, no accents, Devanagari without nukta, chandrabindu as
    anusvara (as ``actions/districts.py`` folds them)."""
    if word.isascii():
        return "and" if word == "&" else word.lower()
    decomposed = unicodedata.normalize("NFD", word.translate(_INVISIBLE))
    kept = [
        _ANUSVARA if char == _CHANDRABINDU else char
        for char in decomposed
        if char != _NUKTA
        and not (unicodedata.category(char) == "Mn" and not "\u0900" <= char <= "\u097f")
    ]
    return unicodedata.normalize("NFC", "".join(kept)).lower()


def _key(name: str) -> str:
    return " ".join(fold_word(word) for word in _WORD.findall(name))


@dataclass(frozen=True)
class _Name:
    states: tuple[str, ...]  # several for a name two states share
    is_state: bool  # a state's own name (not a district's)
    needs_cue: bool  # an everyday word or a person's name


@dataclass(frozen=True)
class Gazetteer:
    names: dict[str, _Name]
    longest: dict[str, int]  # first word -> most words of a name starting with it
    codes: dict[str, str]  # a code in capitals -> state
    district_words: frozenset[str]


def _add(table: dict[str, dict[str, Any]], name: str, state: str, **flags: bool) -> None:
    key = _key(name)
    if not key:
        return
    entry = table.setdefault(key, {"states": [], "is_state": False, "needs_cue": False})
    if state not in entry["states"]:
        entry["states"].append(state)
    entry["is_state"] = entry["is_state"] or flags.get("is_state", False)
    entry["needs_cue"] = entry["needs_cue"] or flags.get("needs_cue", False)


@functools.cache
def gazetteer() -> Gazetteer:
    """The index, built once per process (about 5,000 names)."""
    raw: dict[str, Any] = yaml.safe_load(DISTRICTS.read_text(encoding="utf-8"))
    words = raw["words"]
    wordlike = {_key(word) for word in (*words["everyday"], *words["personal"])}
    table: dict[str, dict[str, Any]] = {}
    for record in STATE_RECORDS:
        _add(table, record.canonical, record.canonical, is_state=True)
        for name in record.hindi:
            _add(table, name, record.canonical, is_state=True)
        for alias in record.aliases:
            if len(alias.replace(" ", "")) >= _MIN_ALIAS_LENGTH and _key(alias) not in wordlike:
                _add(table, alias, record.canonical, is_state=True)
    for state, items in raw["districts"].items():
        for item in items:
            for name in (item["name"], *(item.get("hindi") or ()), *(item.get("aliases") or ())):
                _add(table, name, state, needs_cue=_key(name) in wordlike)
            for name in item.get("shared") or ():
                _add(table, name, state, needs_cue=True)
    names = {
        key: _Name(tuple(entry["states"]), entry["is_state"], entry["needs_cue"])
        for key, entry in table.items()
    }
    longest: dict[str, int] = {}
    for key in names:
        parts = key.split(" ")
        longest[parts[0]] = max(longest.get(parts[0], 0), len(parts))
    codes = {
        record.code: record.canonical for record in STATE_RECORDS if record.code not in _NOT_CODES
    }
    return Gazetteer(names, longest, codes, frozenset(_key(w) for w in words["district"]))


@dataclass(frozen=True)
class Mention:
    at: int  # the word where the name starts
    state: str | None  # None: a name two states share, decided only by the other mentions
    states: tuple[str, ...]
    is_state: bool


def mentions(text: str) -> list[Mention]:
    """Every place named in ``text``, in order."""
    index = gazetteer()
    words = _WORD.findall(text or "")
    keys = [fold_word(word) for word in words]
    found: list[Mention] = []
    at = 0
    while at < len(keys):
        code = index.codes.get(words[at])
        if code is not None:
            found.append(Mention(at, code, (code,), True))
            at += 1
            continue
        step = 1
        for size in range(min(index.longest.get(keys[at], 0), len(keys) - at), 0, -1):
            name = index.names.get(" ".join(keys[at : at + size]))
            if name is None:
                continue
            step = size
            if name.needs_cue and not _cued(words, keys, at, at + size, name, index):
                break
            state = name.states[0] if len(name.states) == 1 else None
            found.append(Mention(at, state, name.states, name.is_state))
            break
        at += step
    return found


def _cued(
    words: list[str], keys: list[str], start: int, end: int, name: _Name, index: Gazetteer
) -> bool:
    if (start > 0 and keys[start - 1] in index.district_words) or (
        end < len(keys) and keys[end] in index.district_words
    ):
        return True
    if end < len(keys):  # "Mandi, Himachal Pradesh": its state right after it
        state = index.names.get(keys[end]) or index.names.get(" ".join(keys[end : end + 2]))
        if state is not None and state.is_state and set(state.states) & set(name.states):
            return True
    capital = not words[start].isascii() or words[start][:1].isupper()
    before = start > 0 and keys[start - 1] in _PLACE_WORDS
    after = end < len(keys) and keys[end] in _AFTER_PLACE_WORDS
    return capital and (before or after)


def state_of(text: str) -> str | None:
    """The state or UT the text concerns, or None when it names none."""
    return choose(mentions(text))


def choose(found: Iterable[Mention]) -> str | None:
    found = list(found)
    decided = {m.state for m in found if m.state is not None}
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for mention in found:
        state = mention.state
        if state is None:  # a shared name: the one of its states named elsewhere
            named = [s for s in mention.states if s in decided]
            if len(named) != 1:
                continue
            state = named[0]
        counts[state] = counts.get(state, 0) + 1
        first.setdefault(state, mention.at)
    if not counts:
        return None
    return min(counts, key=lambda state: (-counts[state], first[state]))
