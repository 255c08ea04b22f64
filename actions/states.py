"""Recognising the 36 states and union territories in what people type.

The table ``actions/data/states.yaml`` is a verbatim copy of ``routing/data/states.yaml`` (a
test keeps them equal) and the matching follows ``routing/states.py``: canonical names, ISO
codes, Hindi names, old names and common misspellings, then a conservative fuzzy match so a
typo finds its state but a different word does not.
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

_FUZZY_CUTOFF = 0.84
_FUZZY_MIN_LENGTH = 4
_NUKTA = "\u093c"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
# Two-letter codes that are also English words are accepted in capitals only.
_WORDLIKE_CODES = frozenset({"as", "an", "or", "la", "ut"})
_AFFIXES = re.compile(
    r"^(?:the |state of |ut of |union territory of |uts? |rajya |my state is |state is "
    r"|i am from |from |mera rajya |राज्य )+"
    r"|(?: state| ut| union territory| india| राज्य| hai| है| se| से| me| mein| में)+$"
)


@dataclass(frozen=True)
class StateRecord:
    canonical: str
    code: str
    kind: str
    hindi: tuple[str, ...]
    aliases: tuple[str, ...]
    legacy_codes: tuple[str, ...]


@functools.cache
def state_records() -> tuple[StateRecord, ...]:
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


def hindi_name(canonical: str) -> str:
    for record in state_records():
        if record.canonical == canonical and record.hindi:
            return record.hindi[0]
    return canonical


def normalize_name(text: str) -> str:
    """Lower case, no accents, no punctuation, "&" as "and", Devanagari without nukta."""
    text = unicodedata.normalize("NFD", text.translate(_INVISIBLE))
    out: list[str] = []
    for char in text:
        if char == _NUKTA:
            continue
        category = unicodedata.category(char)
        if category == "Mn" and not ("\u0900" <= char <= "\u097f"):
            continue
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
    table: dict[str, str] = {}
    for record in state_records():
        for name in (record.canonical, *record.hindi, *record.aliases):
            key = normalize_name(name)
            if key:
                table[key] = record.canonical
        table[normalize_name(record.canonical.replace(" and ", " "))] = record.canonical
    return table


@functools.cache
def _codes() -> dict[str, str]:
    table: dict[str, str] = {}
    for record in state_records():
        table[record.code] = record.canonical
        if record.code.lower() not in _WORDLIKE_CODES:
            table[record.code.lower()] = record.canonical
        for legacy in record.legacy_codes:
            table[legacy] = record.canonical
    return table


def canonical_state(text: str) -> str | None:
    """The canonical state or UT that ``text`` names, or None when unsure."""
    if not text or not text.strip():
        return None
    found = _match_whole(text)
    if found:
        return found
    # "Pune, Maharashtra": the state is usually the last part.
    parts = [part for part in re.split(r"[,\n;/|()\-–]+", text) if part.strip()]
    if len(parts) > 1:
        for part in reversed(parts):
            found = _match_whole(part)
            if found:
                return found
    return find_state_in_text(text)


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


def find_state_in_text(text: str) -> str | None:
    """A state named in a sentence, by exact name or alias only (no codes, no fuzzy match);
    None unless exactly one state is named."""
    words = normalize_name(text).split()
    names = _names()
    found: set[str] = set()
    for size in range(8, 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in names and len(phrase) >= 3:
                found.add(names[phrase])
    return found.pop() if len(found) == 1 else None
