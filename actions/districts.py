"""Recognising districts (and the towns people name instead) in what people type.

The table is ``actions/data/districts.yaml``: every district of every state and union
territory, with its Hindi name and common spellings, old names and main towns. Matching folds
case, punctuation, nukta and invisible characters like ``actions/states.py``; a typo is found
by a conservative fuzzy match within one state. Some districts share a name across states
(Aurangabad, Bilaspur, Hamirpur, Pratapgarh, Balrampur): their state is then not guessed.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from actions.states import normalize_name

_DATA = Path(__file__).parent / "data" / "districts.yaml"
_FUZZY_CUTOFF = 0.86
_FUZZY_MIN_LENGTH = 5
# District names that are everyday words in English or Hindi: in a sentence they count only
# with a cue ("district Mandi", "in Mandi") or written with a capital.
_WORDLIKE = frozenset(
    {"mandi", "una", "mon", "mau", "dang", "diu", "mahe", "sagar", "anand", "rampur", "kota",
     "pali", "dhar", "guna", "gaya", "puri", "leh", "salem", "erode", "banda", "basti", "nuh",
     "mansa", "moga", "patan", "tonk", "durg", "sirsa", "gadag", "nalanda", "seoni", "dindori",
     "panna", "rewa", "bhind", "kheri", "khunti", "peren", "noney", "kamle", "mamit", "siang",
     "tapi", "narmada", "krishna", "nicobar", "chandel", "daman"}
)  # fmt: skip
_CUE = re.compile(r"(?:\b(?:in|at|from|district|dist|jila|zila)\s+$|(?:जिला|जिले|में)\s*$)", re.I)


@dataclass(frozen=True)
class DistrictMatch:
    district: str
    state: str


@functools.cache
def district_records() -> tuple[DistrictMatch, ...]:
    raw: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    return tuple(
        DistrictMatch(item["name"], state)
        for state, items in raw["districts"].items()
        for item in items
    )


@functools.cache
def _names() -> dict[str, tuple[DistrictMatch, ...]]:
    """Folded name -> the districts it names (several when states share a name)."""
    raw: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    table: dict[str, list[DistrictMatch]] = {}
    for state, items in raw["districts"].items():
        for item in items:
            match = DistrictMatch(item["name"], state)
            for name in (item["name"], item.get("hindi"), *(item.get("aliases") or ())):
                key = _fold(str(name)) if name else ""
                if key and match not in table.setdefault(key, []):
                    table[key].append(match)
    return {key: tuple(found) for key, found in table.items()}


def _fold(text: str) -> str:
    folded = normalize_name(text)
    return re.sub(r"\b(?:district|dist|jila|zila|जिला|जिले)\b", " ", folded).strip()


def _only(found: tuple[DistrictMatch, ...], state: str | None) -> DistrictMatch | None:
    if state:
        found = tuple(match for match in found if match.state == state)
    return found[0] if len(found) == 1 else None


def canonical_district(text: str, state: str | None = None) -> DistrictMatch | None:
    """The district the whole answer names (within ``state`` when given), or None."""
    key = " ".join(_fold(text or "").split())
    if not key:
        return None
    names = _names()
    if key in names:
        return _only(names[key], state)
    if len(key) < _FUZZY_MIN_LENGTH:
        return None
    candidates = [
        name for name, found in names.items() if not state or any(m.state == state for m in found)
    ]
    close = difflib.get_close_matches(key, candidates, n=2, cutoff=_FUZZY_CUTOFF)
    if len(close) == 1 or (close and {m for m in names[close[0]]} == {m for m in names[close[1]]}):
        return _only(names[close[0]], state)
    return None


def find_district_in_text(text: str, state: str | None = None) -> DistrictMatch | None:
    """A district named in a sentence, by exact name, Hindi name or alias (longest first);
    a name that is also a common word counts only with a cue or a capital. None unless exactly
    one district is meant."""
    words = [w for w in re.split(r"[\s,.;:!?()\"'।]+", text or "") if w]
    folded = [normalize_name(word) for word in words]  # once a word, not once a phrase
    names = _names()
    found: set[DistrictMatch] = set()
    taken: set[int] = set()
    for size in range(4, 0, -1):
        for start in range(len(words) - size + 1):
            if taken & set(range(start, start + size)):
                continue
            phrase = " ".join(words[start : start + size])
            key = " ".join(part for part in folded[start : start + size] if part)
            if key not in names or len(key) < 3:
                continue
            before = " ".join(words[:start]) + " "
            if key in _WORDLIKE and not (phrase[:1].isupper() or _CUE.search(before)):
                continue
            match = _only(names[key], state)
            if match is None and state is None and names[key]:
                continue  # a name two states share, with no state to choose by
            if match:
                found.add(match)
                taken |= set(range(start, start + size))
    return found.pop() if len(found) == 1 else None


def states_of_district(name: str) -> tuple[str, ...]:
    """Every state with a district of that name (as typed or canonical)."""
    found = _names().get(_fold(name or ""), ())
    return tuple(dict.fromkeys(match.state for match in found))


def district_in_state(name: str, state: str) -> bool:
    return state in states_of_district(name)
