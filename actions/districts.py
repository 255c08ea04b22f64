"""Recognising districts (and the towns people name instead) in what people type.

The table ``routing/data/districts.yaml`` holds every district of the 36 states and union
territories with its Hindi names, other spellings, old names and main towns ("bangalore" is
Bengaluru Urban, "noida" Gautam Buddha Nagar). Names are folded like ``actions/states.py``
(case, punctuation, accents, Devanagari nukta, invisible characters; chandrabindu as
anusvara) and looked up in indexes built once, so a lookup costs a few dictionary probes.

Two kinds of answers:

- ``canonical_district`` reads a typed answer to "which district?": the whole answer is a
  district, maybe with "district"/"jila" or its state ("Aurangabad, Bihar"), maybe misspelt
  (a conservative fuzzy match, within the state when one is known).
- ``find_district_in_text`` finds a district named anywhere in a sentence, by exact name only.

Names several states share (Aurangabad, Bilaspur, Hamirpur, Pratapgarh, Balrampur, Bijapur,
Lakhimpur) never decide the state by themselves: they need the state (given, or named in the
same message). District names that are everyday words ("mandi", "gaya", "kota", "erode") or
common names of people and firms ("Anand", "Sagar", "Krishna Dairy") count in a sentence only
with a cue, see ``find_district_in_text``.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.states import canonical_state, state_records

# One table for the action server and the pulse reader (pulse/places.py).
_DATA = Path(__file__).resolve().parents[1] / "routing" / "data" / "districts.yaml"

_FUZZY_CUTOFF = 0.85
# A typo is looked for in answers of 6 letters or more, and never onto an everyday word or a
# person's name: at 0.85 alone, "bank" found Banka, "karna" Karnal and "mandir" Mandi.
_FUZZY_MIN_LENGTH = 6
_NUKTA = "\u093c"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# A word: letters and digits of any script, Devanagari vowel signs and virama included (they
# are not "\w"), danda excluded; "&" is a word of its own ("and").
_WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u097f\u0300-\u036f])+|&")

_WORD_LISTS: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))["words"]
# District names that are everyday words or common names of people and firms, and the words
# that mark a district next to them: routing/data/districts.yaml, "words" (the pulse reader's
# gazetteer reads the same lists).
_EVERYDAY = frozenset(_WORD_LISTS["everyday"])
_PERSONAL = frozenset(_WORD_LISTS["personal"])
_WORDLIKE = _EVERYDAY | _PERSONAL
_DISTRICT_WORDS = frozenset(_WORD_LISTS["district"])
# Words before a place: "in Mandi", "from Gaya" (with a capital).
_PLACE_WORDS = frozenset({"in", "at", "near", "from"})
_FROM_WORDS = frozenset({"from"})  # "payment from Anand": a person more often than a place
# Words around an answer that are not part of the name ("my district is Pune", "Pune se").
_LEADING = frozenset(
    {"my", "our", "the", "is", "i", "am", "we", "are", "from", "in", "at", "of", "mera",
     "hamara", "mai", "main", "hum", "मेरा", "हमारा", "मैं", "हम", *_DISTRICT_WORDS}
)  # fmt: skip
_TRAILING = frozenset(
    {"se", "me", "mein", "hai", "hu", "hoon", "city", "town", "shahar", "से", "में", "है", "हूं",
     "शहर", *_DISTRICT_WORDS}
)  # fmt: skip


@dataclass(frozen=True)
class DistrictMatch:
    district: str
    state: str


@dataclass(frozen=True)
class DistrictRecord:
    """One district of the table: ``shared`` are names it shares with another district."""

    name: str
    state: str
    hindi: tuple[str, ...]
    aliases: tuple[str, ...]
    shared: tuple[str, ...]

    @property
    def match(self) -> DistrictMatch:
        return DistrictMatch(self.name, self.state)


@functools.cache
def district_records() -> tuple[DistrictRecord, ...]:
    raw: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return tuple(
        DistrictRecord(
            name=item["name"],
            state=state,
            hindi=tuple(item.get("hindi") or ()),
            aliases=tuple(item.get("aliases") or ()),
            shared=tuple(item.get("shared") or ()),
        )
        for state, items in raw["districts"].items()
        for item in items
    )


def district_hindi_name(name: str, state: str | None = None) -> str:
    """The district's first Hindi name (the one shown to Hindi speakers), else ``name``."""
    return _hindi_names().get((name, state)) or name


@functools.cache
def _hindi_names() -> dict[tuple[str, str | None], str]:
    """(district, state) and (district, None: any state) -> the first Hindi name in the
    list's order."""
    names: dict[tuple[str, str | None], str] = {}
    for record in district_records():
        if record.hindi:
            names.setdefault((record.name, record.state), record.hindi[0])
            names.setdefault((record.name, None), record.hindi[0])
    return names


@functools.lru_cache(maxsize=65536)
def _word_key(word: str) -> str:
    """One word folded: lower case, no accents, Devanagari without nukta, chandrabindu as
    anusvara."""
    if word.isascii():
        return "and" if word == "&" else word.lower()
    decomposed = unicodedata.normalize("NFD", word)
    kept = [
        char
        for char in decomposed
        if char != _NUKTA
        and not (unicodedata.category(char) == "Mn" and not "\u0900" <= char <= "\u097f")
    ]
    return "".join(kept).replace("\u0901", "\u0902").lower()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.translate(_INVISIBLE))


def fold(text: str) -> str:
    """A name as it is looked up: folded words joined by single spaces."""
    return " ".join(_word_key(word) for word in _words(text or ""))


def _state_key_names() -> dict[str, str]:
    table: dict[str, str] = {}
    for record in state_records():
        for name in (record.canonical, *record.hindi, *record.aliases):
            table[fold(name)] = record.canonical
        table[fold(record.canonical.replace(" and ", " "))] = record.canonical
    return table


@dataclass(frozen=True)
class _Index:
    names: dict[str, tuple[DistrictMatch, ...]]  # folded name -> the districts it names
    longest: dict[str, int]  # first word of a name -> most words of a name starting with it
    by_state: dict[str, tuple[str, ...]]  # state -> its folded names (for the fuzzy match)
    by_length: dict[int, tuple[str, ...]]  # length -> folded names of that length
    states: dict[str, str]  # folded state name or alias -> canonical state
    state_longest: dict[str, int]
    codes: dict[str, str]  # state codes, in capitals only ("UP", "HP")


@functools.cache
def _index() -> _Index:
    names: dict[str, list[DistrictMatch]] = {}

    def add(key: str, match: DistrictMatch) -> None:
        if key and match not in names.setdefault(key, []):
            names[key].append(match)

    for record in district_records():
        for name in (record.name, *record.hindi, *record.aliases, *record.shared):
            add(fold(name), record.match)
    # "kanpurnagar", "navimumbai": a name written as one word, unless that is another name.
    for key, found in list(names.items()):
        compact = key.replace(" ", "")
        if compact != key and compact not in names:
            names[compact] = list(found)
    states = _state_key_names()
    codes: dict[str, str] = {}
    for state_record in state_records():
        for code in (state_record.code, *state_record.legacy_codes):
            codes[code] = state_record.canonical
    by_state: dict[str, list[str]] = {}
    by_length: dict[int, list[str]] = {}
    for key, found in names.items():
        for match in found:
            by_state.setdefault(match.state, []).append(key)
        by_length.setdefault(len(key), []).append(key)
    return _Index(
        names={key: tuple(found) for key, found in names.items()},
        longest=_longest(names),
        by_state={state: tuple(dict.fromkeys(keys)) for state, keys in by_state.items()},
        by_length={length: tuple(keys) for length, keys in by_length.items()},
        states=states,
        state_longest=_longest(states),
        codes=codes,
    )


def _longest(table: dict[str, Any]) -> dict[str, int]:
    longest: dict[str, int] = {}
    for key in table:
        parts = key.split(" ")
        longest[parts[0]] = max(longest.get(parts[0], 0), len(parts))
    return longest


def _canonical_state_name(state: str | None) -> str | None:
    if not state:
        return None
    if state in _index().by_state:
        return state
    return canonical_state(state)


def _pick(found: tuple[DistrictMatch, ...], state: str | None) -> DistrictMatch | None:
    """The one district meant, within ``state`` when given; None when several states share
    the name and no state tells them apart."""
    if state:
        found = tuple(match for match in found if match.state == state)
    return found[0] if len(found) == 1 else None


def canonical_district(text: str, state: str | None = None) -> DistrictMatch | None:
    """The district a typed answer names (within ``state`` when given), or None when unsure.

    Tried in turn: the whole answer (names, aliases, Hindi names, written as one word),
    without words such as "district", "jila", "my district is", "se"; with its state
    ("Pune, Maharashtra", "Bilaspur HP"), which then decides a name two states share; a
    conservative fuzzy match (answers of 6 letters or more, the same first letter, ratio
    0.85, no everyday words) within the state; and last a district named in a longer
    sentence ("my unit is in Kanpur")."""
    words = _words(text or "")
    if not words:
        return None
    state = _canonical_state_name(state)
    keys = [_word_key(word) for word in words]
    attempts: list[tuple[list[str], str | None]] = [(keys, state)]
    around = _state_around(words, keys)
    if around and (state is None or state == around[1]):
        attempts.append(around)
    for fuzzy in (False, True):
        for attempt_keys, attempt_state in attempts:
            found = _lookup_answer(attempt_keys, attempt_state, fuzzy)
            if found:
                return found
    if len(words) > 1:
        return find_district_in_text(text, state)
    return None


def _lookup_answer(keys: list[str], state: str | None, fuzzy: bool) -> DistrictMatch | None:
    index = _index()
    candidates = [" ".join(keys)]
    start, end = 0, len(keys)
    while start < end and keys[start] in _LEADING:
        start += 1
    while end > start and keys[end - 1] in _TRAILING:
        end -= 1
    if (start, end) != (0, len(keys)) and start < end:
        candidates.append(" ".join(keys[start:end]))
    if not fuzzy:
        for key in candidates:
            for form in (key, key.replace(" ", "")):
                if form in index.names:
                    return _pick(index.names[form], state)
        return None
    key = candidates[-1]
    if key in index.states or len(key.replace(" ", "")) < _FUZZY_MIN_LENGTH:
        return None  # a state ("Delhi") is not a misspelt district
    return _fuzzy(key, state)


@functools.lru_cache(maxsize=4096)
def _fuzzy(key: str, state: str | None) -> DistrictMatch | None:
    """The district whose name ``key`` misspells, when the closest name is clearly closer
    than the names of other districts."""
    index = _index()
    if state:
        pool: tuple[str, ...] = index.by_state.get(state, ())
    else:
        # ratio >= cutoff needs the lengths within a factor of cutoff / (2 - cutoff).
        low = int(len(key) * _FUZZY_CUTOFF / (2 - _FUZZY_CUTOFF))
        high = int(len(key) * (2 - _FUZZY_CUTOFF) / _FUZZY_CUTOFF) + 1
        pool = tuple(
            name for length in range(low, high + 1) for name in index.by_length.get(length, ())
        )
    matcher = difflib.SequenceMatcher(b=key, autojunk=False)
    scored: list[tuple[float, str]] = []
    for name in pool:
        if name[:1] != key[:1] or name in _WORDLIKE:
            continue  # a typo rarely changes the first letter
        matcher.set_seq1(name)
        if (
            matcher.real_quick_ratio() >= _FUZZY_CUTOFF
            and matcher.quick_ratio() >= _FUZZY_CUTOFF
            and matcher.ratio() >= _FUZZY_CUTOFF
        ):
            scored.append((matcher.ratio(), name))
    if not scored:
        return None
    scored.sort(reverse=True)
    best_score, best = scored[0]
    chosen = _pick(index.names[best], state)
    if chosen is None:
        return None
    for score, name in scored[1:]:
        if best_score - score < 0.03 and chosen not in index.names[name]:
            return None  # two districts about as close: no guess
    return chosen


def _state_around(words: list[str], keys: list[str]) -> tuple[list[str], str] | None:
    """A state written before or after the rest of an answer: ("Pune", "Maharashtra")."""
    index = _index()
    for size in range(min(len(keys) - 1, 6), 0, -1):
        tail, head = keys[-size:], keys[:-size]
        state = index.states.get(" ".join(tail))
        if state is None and size == 1:
            state = index.codes.get(words[-1])
        if state:
            return head, state
        lead, rest = keys[:size], keys[size:]
        state = index.states.get(" ".join(lead))
        if state is None and size == 1:
            state = index.codes.get(words[0])
        if state:
            return rest, state
    return None


def _state_at(words: list[str], keys: list[str], start: int) -> str | None:
    """The state whose name (or code in capitals) starts at word ``start``."""
    if start >= len(keys):
        return None
    index = _index()
    code = index.codes.get(words[start])
    if code:
        return code
    most = index.state_longest.get(keys[start], 0)
    for size in range(min(most, len(keys) - start), 0, -1):
        state = index.states.get(" ".join(keys[start : start + size]))
        if state:
            return state
    return None


def _states_named(words: list[str], keys: list[str]) -> set[str]:
    return {state for at in range(len(keys)) if (state := _state_at(words, keys, at))}


def find_district_in_text(text: str, state: str | None = None) -> DistrictMatch | None:
    """The district a sentence names, or None unless exactly one district is meant.

    Only exact names, aliases and Hindi names count (no fuzzy match); the longest name wins
    ("Kanpur Dehat" over "Kanpur"), on word boundaries in either script. With ``state``,
    only that state's districts count. A name several states share counts when the state is
    given or named in the same message ("Aurangabad, Bihar").

    The rule for names that are everyday words or names of people (``_EVERYDAY``,
    ``_PERSONAL``): they count only with a cue, that is

    - a district word next to them: "district Mandi", "Mandi jila", "जिला मंडी";
    - their state right after them: "Mandi, Himachal Pradesh", "Banda UP";
    - or a capital after "in", "at", "near" (or "from", for everyday words only): "unit in
      Mandi", "from Gaya"; "rates in the mandi", "payment from Anand" name no district.

    A capital alone is no cue: sentences and firm names ("Anand Traders") start with one.
    When several districts are named, one named with a district word wins; otherwise None.
    """
    words = _words(text or "")
    if not words:
        return None
    state = _canonical_state_name(state)
    keys = [_word_key(word) for word in words]
    index = _index()
    found: dict[DistrictMatch, bool] = {}  # district -> named with a district word
    text_states: set[str] | None = None
    at = 0
    while at < len(keys):
        most = index.longest.get(keys[at], 0)
        step = 1
        for size in range(min(most, len(keys) - at), 0, -1):
            key = keys[at] if size == 1 else " ".join(keys[at : at + size])
            matches = index.names.get(key)
            if matches is None:
                continue
            step = size
            marked = _district_word_around(keys, at, at + size)
            if key in _WORDLIKE and not (marked or _cued(words, keys, at, at + size, key, matches)):
                break
            chosen = _pick(matches, state)
            if chosen is None and state is None and len(matches) > 1:
                if text_states is None:
                    text_states = _states_named(words, keys)
                named = [match for match in matches if match.state in text_states]
                chosen = named[0] if len(named) == 1 else None
            if chosen is not None:
                found[chosen] = found.get(chosen, False) or marked
            break
        at += step
    if len(found) == 1:
        return next(iter(found))
    marked_only = [match for match, marked in found.items() if marked]
    return marked_only[0] if len(marked_only) == 1 else None


def _district_word_around(keys: list[str], start: int, end: int) -> bool:
    return (start > 0 and keys[start - 1] in _DISTRICT_WORDS) or (
        end < len(keys) and keys[end] in _DISTRICT_WORDS
    )


def _cued(
    words: list[str],
    keys: list[str],
    start: int,
    end: int,
    key: str,
    matches: tuple[DistrictMatch, ...],
) -> bool:
    """An everyday word or a person's name used as a place (see find_district_in_text)."""
    after = _state_at(words, keys, end)
    if after and any(match.state == after for match in matches):
        return True
    if start == 0 or not words[start][:1].isupper():
        return False
    before = keys[start - 1]
    if before in _FROM_WORDS:
        return key in _EVERYDAY and key not in _PERSONAL
    return before in _PLACE_WORDS


def states_of_district(name: str) -> tuple[str, ...]:
    """Every state with a district of that name (official, old or other name, Hindi), in the
    order of states.yaml."""
    found = _index().names.get(fold(name or ""), ())
    return tuple(dict.fromkeys(match.state for match in found))


def state_of_district(name: str) -> str | None:
    """The state of the district named, or None when no district or several states have a
    district of that name (Aurangabad: Bihar and Maharashtra)."""
    states = states_of_district(name)
    return states[0] if len(states) == 1 else None


def district_in_state(name: str, state: str) -> bool:
    return state in states_of_district(name)
