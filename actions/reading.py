"""What a message says while the assistant is filing a complaint, read in context.

The filing form does not let the NLU's intent decide: a person answering "What is your
enterprise called?" with "Status Garments" is naming their enterprise, not asking a status. So
a message in the form is the answer to the question asked unless it is unmistakably something
else, tested in this order:

1. a button's payload (``/cancel``, ``/inform{"category": ...}``), taken as it is;
2. a bare command: the whole message is "cancel", "help", "start over", "हिंदी" ... (a
   command inside a longer message, as in "Cancel Traders", is not one);
3. a status question that carries a ticket number, or asks about "my complaint";
4. a question (question word or mark) about something other than the field asked;
5. a correction that names another field ("sorry, the district is Thane");
6. otherwise the answer, together with every other field the message states in passing
   ("I am Suresh Gupta, my firm Gupta Plastics in Kanpur ... UP Jal Nigam has not paid ...").

Pure functions, no Rasa imports: tests generate many messages against them directly.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from actions import ticket_number
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
from actions.messages import CATEGORY_TITLES, FIELD_LABELS
from actions.states import canonical_state, find_state_in_text
from routing import urgency
from routing.urgency_model import shipped_reader

_PHRASES: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "data" / "phrases.yaml").read_text(encoding="utf-8")
)


def _folded_set(phrases: list[str]) -> frozenset[str]:
    return frozenset(fold(str(phrase)) for phrase in phrases)


# --- questions -------------------------------------------------------------------------
_QUESTION_START = re.compile(
    r"^(?:what|how|which|when|where|why|who|whom|whose|can|could|is|are|am|do|does|did|will|"
    r"should|would|may|tell me|explain|kya|kaise|kaun|kaunsa|kitna|kitni|kab|kahan|kyun|kyon|"
    r"क्या|कैसे|कौन|कौनसा|कितना|कितनी|कब|कहां|कहाँ|क्यों)\b",
    re.IGNORECASE,
)
_QUESTION_END = re.compile(r"(?:\?|\b(?:kya hai|kaise|kya|hai kya)\s*\??|क्या है|कैसे)\s*$")
_STATUS_WORDS = re.compile(
    r"\b(?:status|sthiti|update|progress|kya hua|what happened|where is|track)\b|स्थिति|क्या हुआ",
    re.IGNORECASE,
)
_MY_COMPLAINT = re.compile(
    r"\b(?:my|mera|meri|mere|old|earlier|previous|last|purani|pichhli)\b[\w\s]{0,20}?"
    r"\b(?:complaint|ticket|grievance|shikayat|case|application)\b|"
    r"(?:मेरी|पुरानी|पिछली)\s*(?:\S+\s+){0,2}?(?:शिकायत|टिकट)",
    re.IGNORECASE,
)

# --- corrections -----------------------------------------------------------------------
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

# --- fields stated in passing ----------------------------------------------------------
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
_FOLD = re.compile(r"[^\w\u0900-\u097f\s/]+")


def fold(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: how commands are compared."""
    return " ".join(_FOLD.sub(" ", to_ascii_digits(text).lower()).split())


@functools.cache
def _commands() -> dict[str, str]:
    """Folded phrase -> ``cancel`` / ``help`` / ``restart`` / ``menu`` / ``language:<code>``."""
    table = {
        fold(str(phrase)): f"language:{code}"
        for code, phrases in _PHRASES["languages"].items()
        for phrase in phrases
    }
    for command, phrases in _PHRASES["commands"].items():
        table.update((fold(str(phrase)), command) for phrase in phrases)
    return table


@functools.cache
def _phrase_set(kind: str) -> frozenset[str]:
    return _folded_set(_PHRASES[kind])


def command_in(text: str) -> str | None:
    """The command the whole message is, or None."""
    return _commands().get(fold(text))


_CONTINUE = re.compile(
    r"^(?:(?:ok|okay|yes|haan|ha|chalo|lets|let us|let s|please|now|theek hai|ji|accha)\s+)*"
    r"(?:continue|go on|proceed|carry on|resume|go ahead|next question|aage badho|aage chalo|"
    r"jaari rakho|चलो|जारी रखें|जारी रखो|आगे बढ़ो|आगे बढ़ें)"
    r"(?:\s+(?:the|my|with|with the|with my|filing|complaint|grievance|shikayat|form|please))*$"
)


def is_continue(text: str) -> bool:
    """ "ok lets continue the complaint": back to the question, nothing answered."""
    return bool(_CONTINUE.match(fold(text)))


def is_small_talk(text: str) -> bool:
    return fold(text) in _phrase_set("small_talk")


def is_yes(text: str) -> bool:
    return fold(text) in _phrase_set("yes")


def is_no(text: str) -> bool:
    return fold(text) in _phrase_set("no")


def is_skip(text: str) -> bool:
    return fold(text) in _phrase_set("skip")


def is_question(text: str) -> bool:
    """A question word first, or a question mark (or "kya hai") at the end of a sentence of
    three words or more: "Pune?" or "UDYAM??" is an unsure answer, not a question."""
    stripped = text.strip()
    words = len(stripped.split())
    if words >= 2 and _QUESTION_START.match(stripped):
        return True
    return words >= 3 and bool(_QUESTION_END.search(stripped))


def ticket_number_in(text: str) -> str | None:
    """A ticket number as written in the message (valid or mistyped), or None."""
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9\- ]{6,14}[A-Za-z0-9]", text):
        if ticket_number.looks_like_number(token):
            return token.strip()
    match = re.search(r"\bMS[\s\-]?[A-Z0-9]{6}[\s\-]?[A-Z0-9]\b", text, re.IGNORECASE)
    return match.group(0) if match else None


def asks_status(text: str) -> bool:
    """ "status of my complaint", "meri shikayat ka kya hua" (with or without a number)."""
    if ticket_number_in(text) and (_STATUS_WORDS.search(text) or len(text.split()) <= 3):
        return True
    return bool(_STATUS_WORDS.search(text) and _MY_COMPLAINT.search(text))


def category_answer(text: str) -> str | None:
    """A category from its code, list number, button label in any language, or words."""
    folded = fold(text)
    for code, titles in CATEGORY_TITLES.items():
        if folded in {fold(title) for title in titles.values()}:
            return code
    return category_from_text(text)


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
        bare = _UDYAM_WORDS.sub("", re.sub(r"\(\s*\)", "", _without_udyam(text)))
        found = clean_enterprise_name(bare)
        return _without_trailing_place(found) if found else None
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


def _identity_sentence(sentence: str) -> bool:
    return bool(_IDENTITY_CUE.search(sentence) or normalize_mobile(sentence))


def stated_fields(text: str, known_state: str | None = None) -> dict[str, str]:
    """Every field the message states in passing, with a cue or a form only it can take:
    a mobile or Udyam number anywhere, a name after "I am", an enterprise after "my firm" or
    ending in "Industries", a state or district in a sentence about the person, and the story
    (the sentences that are not about the person) as the description."""
    values: dict[str, str] = {}
    plain = to_ascii_digits(text)
    mobile = normalize_mobile(_without_udyam(plain))
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
            values["enterprise_name"] = _without_trailing_place(enterprise)
        # Places are looked for outside the names: "Krishna Dairy" names no district.
        place_text = about_person
        for said in (values.get("enterprise_name"), values.get("name")):
            if said:
                place_text = place_text.replace(said, " ")
        state = find_state_in_text(place_text) or _state_code_in(_without_udyam(place_text))
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
    return len(sentence.split()) >= 8 and len(_PROBLEM.findall(sentence)) >= 2


def _without_trailing_place(enterprise: str) -> str:
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


def _without_udyam(text: str) -> str:
    return re.sub(r"UDYAM[\s\-_./]*[A-Z]{2}[\s\-_./]*\d{2}[\s\-_./]*\d{7}", " ", text, flags=re.I)


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


# Every word of a bare request to file comes from here, and one of them names a complaint.
_FILING_WORDS = frozenset(
    """
    i we want wanna would like need to a an my new one another please pls sir ji madam file
    register lodge make raise submit start do write put give complain complaint complaints
    grievance grievances shikayat shikayath shikaayat mujhe mujhko muje hume hamein humein
    main mai ek nayi naya darj dard karni karna karo kar krni krna kijiye karwani karwana
    chahta chahti chahte hoon hun hu hai h chahiye hello hi namaste hey ok okay now yahan
    मुझे हमें मैं एक नई नया शिकायत शिकायतें दर्ज करनी करना करें करो कीजिए करवानी चाहता चाहती
    हूं हूँ है चाहिए नमस्ते जी
    """.split()
)
_COMPLAINT_WORDS = frozenset(
    "complain complaint complaints grievance grievances shikayat shikayath shikaayat शिकायत "
    "शिकायतें".split()
)


def is_filing_request(text: str) -> bool:
    """The message only asks to file ("complaint", "file a complaint", "नई शिकायत दर्ज
    करनी है"): nothing in it answers a question."""
    words = fold(text).split()
    return (
        bool(words)
        and len(words) <= 12
        and all(word in _FILING_WORDS for word in words)
        and any(word in _COMPLAINT_WORDS for word in words)
    )


_PROBLEM = re.compile(
    r"\b(?:not paid|unpaid|no payment|payment|pending|dues|delay(?:ed)?|overdue|not (?:given|"
    r"received|released|sanctioned|approved)|refus\w*|reject\w*|harass\w*|bribe|problem|issue|"
    r"complaint|lakh|lakhs|crore|rs\.?|rupees|inr|months?|invoice|bill|loan|subsidy|"
    r"nahi (?:diya|mila|de rahe|mil raha|kiya)|nahi|paisa|paise|bakaya|pareshan|dikkat)\b|₹|"
    r"नहीं|बकाया|भुगतान|समस्या|शिकायत|परेशान|रिश्वत|लाख|महीने",
    re.IGNORECASE,
)


def tells_a_problem(text: str) -> bool:
    """A message that tells a grievance in its own words ("My buyer in Pune has not paid me
    4.5 lakh for 5 months"): long enough, and about a problem."""
    return len(text.split()) >= 6 and len(_PROBLEM.findall(text)) >= 1 and not is_question(text)


def mentions_self_harm(text: str) -> bool:
    """Whether the message speaks of self-harm or suicide, in English, Hinglish or Hindi, said
    outright or quietly ("I have written letters for my kids"): a caring reply with the helpline
    comes first, whatever else the message is. The same reading as the ticket's urgency
    (routing/urgency.py: the self-harm guard, or the trained reader for messages of three words
    or more; a name or a district is never read as distress)."""
    text = text or ""
    reader = shipped_reader() if len(text.split()) >= _SELF_HARM_MIN_WORDS else None
    return urgency.mentions_self_harm(text, reader)


_SELF_HARM_MIN_WORDS = 3
