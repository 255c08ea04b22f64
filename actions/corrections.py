"""A correction, read in context: which field it names and the new value it gives ("sorry,
the district is Thane", "mobile ko 98765 43210 kar do"), and the field a button's label names
when it is typed as text. The filing form reads a message as a correction only when it is short
and names one other field (``actions.filing``).

Pure functions, no Rasa imports: tests generate many messages against them directly.
"""

from __future__ import annotations

import re
import unicodedata

from actions.messages import FIELD_LABELS
from actions.reading import fold

_CORRECTION_CUE = re.compile(
    r"\b(?:sorry|actually|correction|change|update|edit|fix|wrong|mistake|not\b.+\bbut|instead|"
    r"galat|badlo|badal|badalna|sahi|kar do|kardo|karo)\b|गलत|बदल|माफ|कर दो|करो",
    re.IGNORECASE,
)
_FIELD_WORDS: dict[str, re.Pattern[str]] = {
    "name": re.compile(r"\b(?:my name|name|naam)\b|नाम(?!\s*(?:का|की)?\s*(?:कंपनी|फर्म))", re.I),
    "mobile": re.compile(r"\b(?:mobile|phone|number|contact|no\.)\b|मोबाइल|फोन|फ़ोन", re.I),
    "enterprise_name": re.compile(
        r"\b(?:enterprise|company|firm|business|unit|shop|factory|dukaan)\b|कंपनी|फर्म|उद्यम का",
        re.I,
    ),
    "udyam_number": re.compile(r"\budyam\b|उद्यम नंबर|पंजीकरण", re.I),
    "state": re.compile(r"\b(?:state|rajya)\b|राज्य", re.I),
    "district": re.compile(r"\b(?:district|dist|jila|zila|city|town)\b|जिला|शहर", re.I),
    "category": re.compile(r"\b(?:category|type)\b|श्रेणी", re.I),
    "description": re.compile(
        r"\b(?:description|problem|complaint text|details|samasya)\b|समस्या|विवरण", re.I
    ),
}


def corrected_field_named(text: str, hinted: bool = False) -> str | None:
    """The one field a correction names ("sorry, the district is Thane"), or None. ``hinted``:
    the NLU read a correction, which stands in for a cue word."""
    text = unicodedata.normalize("NFD", text).replace("\u093c", "")  # ज़िला = जिला
    if not (hinted or _CORRECTION_CUE.search(text)):
        return None
    named = [name for name, pattern in _FIELD_WORDS.items() if pattern.search(text)]
    if len(named) == 1:
        return named[0]
    return None


_NEW_VALUE = re.compile(
    r"(?:\bto\b|\bis\b|\binto\b|\bshould be\b|\bas\b|:|=|\bko\b|को|\bse\b|से|"
    r"\bbadal ?(?:ke|kar)\b|\bbadalkar\b|बदलकर|बदल कर)\s+",
    re.IGNORECASE,
)
_VALUE_TAIL = re.compile(
    r"\s+(?:kar ?do|kardo|karo|kr do|kijiye|kar dijiye|please|pls|कर दो|करें|कर दीजिए|"
    r"करो|hai|है)\W*$",
    re.IGNORECASE,
)
# Words of a correction request that are not the new value ("district Indore kar do").
_REQUEST_WORDS = frozenset(
    """
    change update edit fix correct correction modify replace set make my the a it its wrong
    please pls name naam mobile phone number no contact enterprise company firm business unit
    shop udyam registration state rajya district dist jila zila category type description
    problem details samasya badlo badal badalna badalni hai kar karo do dijiye galat sahi
    नाम मोबाइल नंबर फोन कंपनी फर्म उद्यम राज्य जिला ज़िला श्रेणी समस्या विवरण बदलो बदलें
    बदलना गलत है करो करें कर दो sorry actually oops arre oh sir ji kijiye माफ़ माफ कीजिए
    क्षमा सॉरी
    """.split()
)


_NOT_A_VALUE = frozenset(
    {"wrong", "incorrect", "not correct", "not right", "galat", "गलत", "a mistake", "misspelt"}
)


def correction_value(text: str) -> str | None:
    """The new value in "change the X to Y" / "X ko Y kar do" / "X बदलकर Y करो"."""
    matches = list(_NEW_VALUE.finditer(text))
    for match in matches:  # the first connector followed by a value, not by "wrong"
        value = _VALUE_TAIL.sub("", text[match.end() :]).strip(" .!\"'")
        first_word = value.split(maxsplit=1)[0].strip(",").lower() if value else ""
        if value and value.lower() not in _NOT_A_VALUE and first_word not in _NOT_A_VALUE:
            return value
    if matches:
        return None
    # No connector: what is left after the request words ("district Indore kar do").
    words = [w for w in re.split(r"[\s,]+", text) if w and w.lower() not in _REQUEST_WORDS]
    return " ".join(words).strip(" .!\"'") or None


def field_label_names() -> dict[str, set[str]]:
    """Every label of every field in every language, folded (for buttons typed as text)."""
    return {
        name: {fold(label) for label in labels.values()} for name, labels in FIELD_LABELS.items()
    }


def field_from_label(text: str) -> str | None:
    folded = fold(text)
    for name, labels in field_label_names().items():
        if folded in labels:
            return name
    return None
