"""The answer to the question asked, read from the message: the value of one field when the
whole message (or its first clause) answers it, a place given for the name, the Udyam question
answered late or together with the enterprise, and the state a district names.

Pure functions, no Rasa imports: tests generate many messages against them directly.
"""

from __future__ import annotations

import re

from actions.districts import canonical_district, find_district_in_text, states_of_district
from actions.grievance_fields import (
    NO_UDYAM,
    category_from_text,
    clean_description,
    clean_district,
    clean_enterprise_name,
    clean_person_name,
    is_placeholder,
    normalize_mobile,
    normalize_udyam,
    says_no_udyam,
    to_ascii_digits,
)
from actions.messages import CATEGORY_TITLES
from actions.reading import fold, is_no, is_skip, is_small_talk
from actions.states import canonical_state, find_state_in_text


def answer_for(asked: str, text: str, state: str | None = None) -> str | None:
    """The value of ``asked`` when the whole message is its answer, or None."""
    if asked == "udyam_number":
        found = normalize_udyam(text)
        if found:
            return found
        no = says_no_udyam(text) or is_skip(text) or is_no(text) or is_placeholder(text)
        return NO_UDYAM if no else None
    if is_placeholder(text) or is_small_talk(text) or is_skip(text):
        return None
    if asked == "name":
        return clean_person_name(text)
    if asked == "mobile":
        return normalize_mobile(text)
    if asked == "enterprise_name":
        bare = _UDYAM_WORDS.sub("", re.sub(r"\(\s*\)", "", without_udyam_number(text)))
        found = clean_enterprise_name(bare)
        return without_trailing_place(found) if found else None
    if asked == "state":
        found = canonical_state(text)
        if found:
            return found
        match = canonical_district(text)
        candidates = states_of_district(match.district) if match else ()
        return candidates[0] if len(candidates) == 1 else None
    if asked == "district":
        match = canonical_district(text, state)
        if match:
            return match.district
        return clean_district(text)
    if asked == "category":
        return category_answer(text)
    if asked == "description":
        return clean_description(text)
    return None


def category_answer(text: str) -> str | None:
    """A category from its code, list number, button label in any language, or words."""
    folded = fold(text)
    for code, titles in CATEGORY_TITLES.items():
        if folded in {fold(title) for title in titles.values()}:
            return code
    return category_from_text(text)


_UDYAM_NAMED = re.compile(r"\budyam\b|उद्यम", re.I)


def place_instead_of_name(text: str) -> dict[str, str] | None:
    """The name question answered with a place ("Banglore", "Pune", "UP"): the district and
    state it names, or None. Only a message that is a place and nothing else counts, and
    districts that are also people's names (Sagar, Anand, Salem...) stay names."""
    if len(text.split()) > 2:
        return None
    exact = find_district_in_text(text)  # personal-name districts need a cue: none here
    whole = canonical_district(text)
    if exact is not None and exact == whole:
        return {"district": exact.district, "state": exact.state}
    state = canonical_state(text)
    return {"state": state} if state and exact is None else None


def late_udyam_answer(text: str) -> str | None:
    """The Udyam question answered after the form moved on ("udyam nahi hai", "no udyam",
    "उद्यम नंबर नहीं है" to "Which district?"): NO_UDYAM, or the number; None otherwise. Only a
    short message that names Udyam counts: "udyam registration nahi ho raha, portal error"
    is a problem, not an answer."""
    found = normalize_udyam(to_ascii_digits(text))
    if found:
        return found
    short = len(text.split()) <= 6
    return NO_UDYAM if short and _UDYAM_NAMED.search(text) and says_no_udyam(text) else None


def without_udyam_answer(text: str) -> str:
    """The message without its "no Udyam" clause: "Yadav Steel Works, Udyam nahi hai" and
    "Yadav Steel Works - no udyam" -> "Yadav Steel Works" (the enterprise question asks for
    both); "" when nothing else is said; the message itself when it has no such clause."""
    match = _UDYAM_NAMED.search(text)
    if not match or normalize_udyam(to_ascii_digits(text)):
        return text.strip()  # no clause, or a number given ("Udyam no. UDYAM-...": not "no")
    cut = max(text.rfind(mark, 0, match.start()) for mark in ",;(–-")
    if cut >= 0 and says_no_udyam(text[cut + 1 :]):
        head = text[:cut]
    elif says_no_udyam(text[match.start() :]):
        head = text[: match.start()]
    else:
        return text.strip()
    return _JOINED_NO.sub("", head).strip(" ,;:-–(")


# What joins a "no Udyam" clause to the name before it: ", no", " - koi", " and no", " par".
_JOINED_NO = re.compile(
    r"[\s,;:\-–(]*(?:\b(?:and|aur|but|par|no|koi|without|bina)\b[\s,;:\-–]*)*$", re.IGNORECASE
)


def is_district(text: str) -> bool:
    """The whole message names a known district."""
    return canonical_district(text) is not None


def state_in(text: str) -> str | None:
    """A state named anywhere in the message (by name, not by a guess)."""
    return find_state_in_text(text)


def state_of(district: str) -> str | None:
    """The state of a district when only one state has a district of that name."""
    candidates = states_of_district(district)
    return candidates[0] if len(candidates) == 1 else None


_CLAUSE_BREAK: dict[str, re.Pattern[str]] = {
    "name": re.compile(r"\s*[,;।\n(]|\s+(?:from|of|se|and|aur|और|से|my|mera|meri)\s", re.I),
    "district": re.compile(r"\s*[,;।\n(]|\s+(?:in|mein|में)\s", re.I),
}
_DEFAULT_BREAK = re.compile(r"\s*[,;।\n]")


def clause_head(asked: str, text: str) -> str:
    """The part of an answer before a clause that states something else: "Ram Prasad, from
    Kanpur" answers the name question with "Ram Prasad"."""
    pattern = _CLAUSE_BREAK.get(asked, _DEFAULT_BREAK)
    return pattern.split(text, maxsplit=1)[0].strip()


def without_trailing_place(enterprise: str) -> str:
    """ "Devi Foods Patna" -> "Devi Foods": the place said after the firm's name."""
    words = enterprise.split()
    last = words[-1] if words else ""
    if len(words) > 2 and (states_of_district(last) or find_state_in_text(last)):  # exact only
        return " ".join(words[:-1])
    return enterprise


# What is left of "Gupta Plastics udyam number UDYAM-UP-45-0012345" without the number.
_UDYAM_WORDS = re.compile(
    r"[\s,;:(-]*(?:and\s+|aur\s+|और\s+)?(?:my\s+|its\s+|mera\s+)?(?:udyam|उद्यम)"
    r"(?:\s+(?:registration|reg\.?|पंजीकरण))?(?:\s+(?:no\.?|number|num|नंबर|संख्या))?"
    r"(?:\s+(?:is|hai|है|:))?[\s:)]*$",
    re.IGNORECASE,
)


def without_udyam_number(text: str) -> str:
    return re.sub(r"UDYAM[\s\-_./]*[A-Z]{2}[\s\-_./]*\d{2}[\s\-_./]*\d{7}", " ", text, flags=re.I)
