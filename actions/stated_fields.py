"""Every field a message states in passing, with a cue or a form only that field takes: "I
am Suresh Gupta, my firm Gupta Plastics in Kanpur, UP, mobile 94150 12345. UP Jal Nigam has
not paid ..." states the name, the enterprise, the district and its state, the mobile, and the
story (the sentences that are not about the person) as the description. An opening message
fills every field it states (``actions.grievance``); in the form, an answer fills the others
it states too (``actions.filing``).

Pure functions, no Rasa imports: tests generate many messages against them directly.
"""

from __future__ import annotations

import re

from actions.answers import without_trailing_place, without_udyam_number
from actions.districts import canonical_district, find_district_in_text, states_of_district
from actions.grievance_fields import (
    clean_description,
    clean_enterprise_name,
    clean_person_name,
    is_placeholder,
    normalize_mobile,
    normalize_udyam,
    to_ascii_digits,
)
from actions.reading import PROBLEM_CUE, is_small_talk
from actions.states import canonical_state, find_state_in_text

_STOP = (
    r"(?=\s*(?:[,.;:!?\n।]|$|\s(?:and|from|of|in|at|my|mobile|phone|based|located|se|aur|mera|"
    r"meri|hai|hoon|hun|hu|here|is|mein|me|mai|और|से|मेरा|मेरी|है|हूं|हूँ|में)(?![\w\u0900-\u0963\u0966-\u097f])))"
)
_NAME_CUE = re.compile(
    r"(?:\bmy name is|\bmy name's|\bname is|\bname:|\bi am|\bi'm|\bthis is|\bmyself|"
    r"\bmera naam|\bmera nam|मेरा नाम|\bmain|मैं)\s+"
    r"(?P<value>(?!from\b|in\b|a\b|an\b|the\b|running\b|owner\b|proprietor\b|not\b|calling\b)"
    r"[^\W\d_][\w.'\u0900-\u0963\u0966-\u097f]*(?:\s+[^\W\d_][\w.'\u0900-\u0963\u0966-\u097f]*){0,3}?)"
    + _STOP,
    re.IGNORECASE,
)
_ENTERPRISE_CUE = re.compile(
    r"(?:\bmy (?:firm|company|enterprise|unit|shop|business|factory|industry)"
    r"(?: name)?(?: is| called| named|:)?|\b(?:firm|company|enterprise|unit) name(?: is|:)?|"
    r"\b(?:owner|proprietor|partner|director) of|\bi run|\bwe run|\bi own|"
    r"\bmeri (?:firm|company|dukaan|factory|unit)(?: ka naam)?|"
    r"मेरी (?:फर्म|कंपनी|दुकान|फैक्ट्री|यूनिट)(?: का नाम)?|मेरे उद्यम का नाम)\s+"
    r"(?P<value>[^\W_][\w.&'\-\u0900-\u0963\u0966-\u097f]*(?:\s+[^\W_][\w.&'\-\u0900-\u0963\u0966-\u097f]*){0,5}?)"
    + _STOP,
    re.IGNORECASE,
)
_ENTERPRISE_SUFFIX = re.compile(
    r"\b(?P<value>(?:[A-Z][\w.&'\-]*\s+){1,4}(?:Enterprises?|Industries|Industry|Traders|"
    r"Trading|Textiles|Plastics|Garments|Works|Udyog|Pvt\.? Ltd\.?|Private Limited|Limited|Ltd\.?|"
    r"LLP|& Co\.?|Company|Agro|Foods|Exports|Engineering|Engineers|Printers|Stores|Mills|"
    r"Fabrics|Crafts|Handicrafts|Steels?|Polymers|Chemicals|Pharma|Furniture|Tailoring Unit|"
    r"Auto Parts|Electricals|Electronics|Solutions|Services|Products|Packaging))\b"
)
_PLACE_CUE = re.compile(
    r"(?:\bfrom|\bin|\bat|\bbased in|\blocated in|\bdistrict|\bdist\.?|\bjila|\bzila|"
    r"जिला|ज़िला)\s+(?P<value>[^\W\d_][\w\u0900-\u0963\u0966-\u097f]*(?:\s+[^\W\d_][\w\u0900-\u0963\u0966-\u097f]*){0,2})",
    re.IGNORECASE,
)
_IDENTITY_CUE = re.compile(
    r"\b(?:my name|i am|i'm|myself|this is|my (?:firm|company|enterprise|unit|shop|business|"
    r"factory)|mobile|phone|contact|udyam|owner of|proprietor of|based in|located in|i run|"
    r"we run|i own|"
    r"mera naam|meri (?:firm|company|dukaan))\b|मेरा नाम|मैं\s|मेरी (?:फर्म|कंपनी|दुकान)|मोबाइल",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?।])\s+|\n+")


def _identity_sentence(sentence: str) -> bool:
    return bool(_IDENTITY_CUE.search(sentence) or normalize_mobile(sentence))


def stated_fields(text: str, known_state: str | None = None) -> dict[str, str]:
    """Every field the message states in passing, with a cue or a form only it can take:
    a mobile or Udyam number anywhere, a name after "I am", an enterprise after "my firm" or
    ending in "Industries", a state or district in a sentence about the person, and the story
    (the sentences that are not about the person) as the description."""
    values: dict[str, str] = {}
    plain = to_ascii_digits(text)
    mobile = normalize_mobile(without_udyam_number(plain))
    if mobile:
        values["mobile"] = mobile
    udyam = normalize_udyam(plain)
    if udyam:
        values["udyam_number"] = udyam
    sentences = [_unprotect(s) for s in _SENTENCE.split(_protect(text.strip())) if s.strip()]
    identity = [s for s in sentences if _identity_sentence(s)]
    # A sentence about the person that also tells the problem belongs to the story too.
    story = [s for s in sentences if not _identity_sentence(s) or _tells_problem_too(s)]
    about_person = " ".join(identity)
    if about_person:
        name = _cued(_NAME_CUE, about_person, clean_person_name)
        if name:
            values["name"] = name
        # "my factory licence renewal is pending" names no firm: a name after "my firm" is
        # written with a capital (or in Devanagari).
        enterprise = _cued(_ENTERPRISE_CUE, about_person, clean_enterprise_name, capital=True)
        if enterprise is None:
            suffixed = _ENTERPRISE_SUFFIX.search(about_person)
            enterprise = clean_enterprise_name(suffixed.group("value")) if suffixed else None
        if enterprise:
            values["enterprise_name"] = without_trailing_place(enterprise)
        # Places are looked for outside the names: "Krishna Dairy" names no district.
        place_text = about_person
        for said in (values.get("enterprise_name"), values.get("name")):
            if said:
                place_text = place_text.replace(said, " ")
        state = find_state_in_text(place_text) or _state_code_in(without_udyam_number(place_text))
        if state:
            values["state"] = state
        district = _district_in(place_text, state or known_state)
        if district:
            values["district"] = district
            if "state" not in values and not known_state:
                candidates = states_of_district(district)
                if len(candidates) == 1:
                    values["state"] = candidates[0]
    if "state" not in values:
        for match in _FROM_PLACE.finditer(text):  # "complaint from Gujarat about payment"
            state = find_state_in_text(match.group("value"))
            if state:
                values["state"] = state
                break
    if story:
        description = clean_description("\n".join(s.strip() for s in story))
        if description and len(description.split()) >= 5:
            values["description"] = description
    return values


_FROM_PLACE = re.compile(
    r"\b(?:from|se)\s+(?P<value>[^\W\d_][\w\u0900-\u0963\u0966-\u097f]*(?:\s+[^\W\d_][\w\u0900-\u0963\u0966-\u097f]*)?)",
    re.IGNORECASE,
)
_CODE = re.compile(r"\b[A-Z]{2}\b")
# Capitals that are words or abbreviations more often than state codes.
_NOT_CODES = frozenset(
    {"AM", "PM", "OK", "ID", "NO", "IN", "MY", "GO", "TO", "AN", "OR", "AS", "IT"}
)


def _state_code_in(text: str) -> str | None:
    """ "Kanpur UP": a state's code written in capitals, in a sentence about the person."""
    found = {canonical_state(code) for code in _CODE.findall(text) if code not in _NOT_CODES}
    found.discard(None)
    return found.pop() if len(found) == 1 else None  # type: ignore[return-value]


# "Rs. 2 lakh", "No. 114": a full stop that ends an abbreviation, not a sentence.
_ABBREVIATION = re.compile(
    r"\b(Rs|No|Nos|Mr|Mrs|Ms|Dr|Smt|Shri|Sri|Ltd|Pvt|Co|St|Inv|Vs|Ref)\.", re.I
)
_KEPT_DOT = "\u2024"


def _protect(text: str) -> str:
    return _ABBREVIATION.sub(lambda m: m.group(1) + _KEPT_DOT, text)


def _unprotect(text: str) -> str:
    return text.replace(_KEPT_DOT, ".")


def _tells_problem_too(sentence: str) -> bool:
    return len(sentence.split()) >= 8 and len(PROBLEM_CUE.findall(sentence)) >= 2


def _cued(pattern: re.Pattern[str], text: str, clean: object, capital: bool = False) -> str | None:
    match = pattern.search(text)
    if not match:
        return None
    value = match.group("value")
    if capital and value[:1].isascii() and value[:1].islower():
        return None
    if is_placeholder(value) or is_small_talk(value):
        return None
    cleaned = clean(value)  # type: ignore[operator]
    return cleaned if isinstance(cleaned, str) else None


def _district_in(text: str, state: str | None) -> str | None:
    found = find_district_in_text(text, state)
    if found:
        return found.district
    for match in _PLACE_CUE.finditer(text):
        words = match.group("value").split()
        for size in range(len(words), 0, -1):
            candidate = canonical_district(" ".join(words[:size]), state)
            if candidate:
                return candidate.district
    return None
