"""The 36 states and union territories of India, and recognising them in what people type.

The table lives in ``routing/data/states.yaml`` (the Rasa lookup data copies it); this module
reads it once at import. ``canonical_state`` accepts canonical names, ISO codes, old names,
common misspellings, Hindi (Devanagari) names and Latin transliterations, and falls back to a
conservative fuzzy match so that a typo finds its state but a different word does not.
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

_DATA = Path(__file__).parent / "data" / "states.yaml"

# Below this similarity a typo is more likely another word than a state (e.g. "andhra"/"andaman").
_FUZZY_CUTOFF = 0.84
_FUZZY_MIN_LENGTH = 4
_NUKTA = "\u093c"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
# Two-letter codes that are also English words are accepted in capitals only.
_WORDLIKE_CODES = frozenset({"as", "an", "or", "la", "ut"})
_AFFIXES = re.compile(
    r"^(?:the |state of |ut of |union territory of |uts? |rajya )+"
    r"|(?: state| ut| union territory| india| राज्य)+$"
)


@dataclass(frozen=True)
class StateRecord:
    canonical: str
    code: str
    kind: str  # "state" or "union_territory"
    hindi: tuple[str, ...]
    aliases: tuple[str, ...]
    legacy_codes: tuple[str, ...]


def _load_records() -> tuple[StateRecord, ...]:
    raw: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return tuple(
        StateRecord(
            canonical=item["canonical"],
            code=item["code"],
            kind=item["kind"],
            hindi=tuple(item.get("hindi") or ()),
            aliases=tuple(item.get("aliases") or ()),
            legacy_codes=tuple(item.get("legacy_codes") or ()),
        )
        for item in raw["states"]
    )


STATE_RECORDS: tuple[StateRecord, ...] = _load_records()
STATES: tuple[str, ...] = tuple(record.canonical for record in STATE_RECORDS)
STATE_CODES: dict[str, str] = {record.canonical: record.code for record in STATE_RECORDS}
STATE_BY_CODE: dict[str, str] = {record.code: record.canonical for record in STATE_RECORDS}
UNION_TERRITORIES: frozenset[str] = frozenset(
    record.canonical for record in STATE_RECORDS if record.kind == "union_territory"
)


def normalize_name(text: str) -> str:
    """Lower case, no accents, no punctuation, "&" as "and", Devanagari without nukta."""
    text = unicodedata.normalize("NFD", text.translate(_INVISIBLE))
    out: list[str] = []
    for char in text:
        if char == _NUKTA:
            continue
        category = unicodedata.category(char)
        if category == "Mn" and not ("\u0900" <= char <= "\u097f"):
            continue  # Latin accents (e.g. "Puducherry" typed with diacritics)
        if char == "&":
            out.append(" and ")
        elif char in "\u0964\u0965" or category[0] in "PSZC":
            out.append(" ")
        else:
            out.append(char.lower())
    collapsed = " ".join("".join(out).split())
    collapsed = collapsed.replace(" aur ", " and ").replace(" और ", " and ")
    return _AFFIXES.sub("", collapsed).strip()


@functools.cache
def _names() -> dict[str, str]:
    """Normalised name or alias -> canonical state."""
    table: dict[str, str] = {}
    for record in STATE_RECORDS:
        for name in (record.canonical, *record.hindi, *record.aliases):
            key = normalize_name(name)
            if key:
                table[key] = record.canonical
        table[normalize_name(record.canonical.replace(" and ", " "))] = record.canonical
    return table


@functools.cache
def _codes() -> dict[str, str]:
    """Code as typed -> canonical: lower case allowed unless the code is also a word."""
    table: dict[str, str] = {}
    for record in STATE_RECORDS:
        table[record.code] = record.canonical
        if record.code.lower() not in _WORDLIKE_CODES:
            table[record.code.lower()] = record.canonical
        for legacy in record.legacy_codes:  # capitals only: "or", "ut" are words
            table[legacy] = record.canonical
    return table


def canonical_state(text: str) -> str | None:
    """The canonical state or UT that ``text`` names, or None when unsure.

    ``text`` is what a person typed for their state: "maharastra", "UP", "उत्तर प्रदेश",
    "Orissa", "Pune, Maharashtra". Cities are not states and are not guessed.
    """
    if not text or not text.strip():
        return None
    found = _match_whole(text)
    if found:
        return found
    # "Pune, Maharashtra" / "Hosur - Tamil Nadu": the state is usually the last part.
    parts = [part for part in re.split(r"[,\n;/|()\-–]+", text) if part.strip()]
    if len(parts) > 1:
        for part in reversed(parts):
            found = _match_whole(part)
            if found:
                return found
    return None


def _match_whole(text: str) -> str | None:
    stripped = text.strip().strip(".")
    codes = _codes()
    if stripped in codes:
        return codes[stripped]
    if stripped.lower() in codes:
        return codes[stripped.lower()]
    key = normalize_name(text)
    if not key:
        return None
    names = _names()
    if key in names:
        return names[key]
    compact = key.replace(" ", "")
    for name, canonical in names.items():
        if name.replace(" ", "") == compact:
            return canonical
    if len(key) < _FUZZY_MIN_LENGTH:
        return None
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=_FUZZY_CUTOFF)
    return names[close[0]] if close else None


def state_code(state: str) -> str:
    """ISO 3166-2:IN code (without "IN-") of a canonical state; KeyError if not canonical."""
    return STATE_CODES[state]


def find_state_in_text(text: str) -> str | None:
    """A state named in free text (a grievance), by exact name or alias only; no codes, no
    fuzzy matching, since short codes ("up", "as") and near-misses are ordinary words there.
    Returns the state only when exactly one state is named."""
    found = {state for _, state in _states_named(text)}
    return found.pop() if len(found) == 1 else None


def first_state_in_text(text: str) -> str | None:
    """The state a text names first, as ``find_state_in_text`` reads names. People tell where
    they are before where their buyer is ("unit in Moradabad, UP; the exporter in Delhi")."""
    named = _states_named(text)
    return min(named)[1] if named else None


def _states_named(text: str) -> list[tuple[int, str]]:
    """(word position, state) of every state name in ``text``."""
    words = normalize_name(text).split()
    names = _names()
    found: list[tuple[int, str]] = []
    longest = 8
    for size in range(longest, 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in names and len(phrase) >= 3:
                found.append((start, names[phrase]))
    return found
