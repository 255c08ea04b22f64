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

This module tells what kind of message it is (a command, yes or no, small talk, a question, a
status question, a bare request to file, a problem told, words of distress); a correction is
read in ``actions.corrections``, the answer to the question asked in ``actions.answers``, and
the fields stated in passing in ``actions.stated_fields``.

Pure functions, no Rasa imports: tests generate many messages against them directly.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from actions import ticket_number
from actions.grievance_fields import to_ascii_digits
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


PROBLEM_CUE = re.compile(
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
    return len(text.split()) >= 6 and len(PROBLEM_CUE.findall(text)) >= 1 and not is_question(text)


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
