"""Which language a message is written in: English, Hindi (Devanagari) or Hinglish.

Used by the NLU pipeline (``nlu/components/language_detector.py``), which turns the answer
into a ``detected_language`` entity that sets the ``language`` slot, and by the pulse reader
(``pulse/reader.py``); standard library only, so both Pythons import it. It answers None when a
message gives no clear sign (a name, a number, "ok"), so the conversation keeps its language.
"""

from __future__ import annotations

import re

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[a-z0-9']+")
# Codes in capitals with hyphens (ticket numbers "MS-WRTZHQ-G", Udyam numbers "UDYAM-UP-43-..."):
# their letters are no sign of the language ("MS-WRTZHQ-G की स्थिति" is Hindi).
_CODE = re.compile(r"\b[A-Z0-9]+(?:-[A-Z0-9]+)+\b")

# Words that are Hindi written in Latin letters and are not also common English words
# ("main", "me", "to", "hi", "the" are left out on purpose).
HINGLISH_MARKERS = frozenset(
    """
    hai hain mera meri mere mujhe muje mujhko mjhe hum humko hamara hamari hamare humara
    humari apna apni apne aap aapka aapki aapke ap apka apki kya kyu kyun kyon kaise kaisa
    kaisi kab kahan kaha kitna kitne kitni nahi nahin nhi nai haan haanji ji karna karni karo
    kare karein karen kijiye kariye krna kro krdo kardo kar karke chahiye chahta chahti chaiye
    chahiye chahie batao bataiye btao bataye bataen batayein dijiye dedo dena dena hoga hogi
    gaya gayi gya gyi raha rahi rahe tha thi abhi bhi aur lekin se ka ki ke ko mein liye
    wala wali wale paisa paise shikayat shikayaat yojana yojna sarkar sarkari kaam bhai bhaiya
    namaste namaskar dhanyavad dhanyawad dhanyavaad shukriya theek thik accha acha achha
    bilkul madad jankari jaankari kripya krpya pata sakta sakte sakti hu hoon hun kuch koi
    sab baat bolo milega mila mili nikal band chalo jaldi kab tak abhi tak dobara phir fir
    kyunki kyuki isliye woh wo yeh ye iska uska unka hamko ham
    """.split()
)
ENGLISH_MARKERS = frozenset(
    """
    i my me the is are was were am what how when where which why who please want would
    could should can will have has had not do does did you your yours this that these those
    with about for from of and it its there their they our we an a any some tell know
    thanks thank hello need get got been being
    """.split()
)


# Short replies that Hindi speakers type in Latin letters too ("haan", "ji", "theek hai"): on
# their own they say nothing about the conversation's language (a Hindi conversation must not
# turn Hinglish, and its notifications with it, because someone typed "haan" at the summary).
AMBIGUOUS_REPLIES = frozenset(
    """
    haan han haa ha ji jee hanji haanji ok okay ok ji theek thik hai h nahi nahin nhi na accha
    acha achha thik hai theek hai sahi sahi hai bilkul done yes no
    """.split()
)


def detect_language(text: str) -> str | None:
    """ "hi", "hinglish", "en", or None when the message does not say."""
    if not text or text.lstrip().startswith("/"):  # a button payload, not typed text
        return None
    devanagari = len(_DEVANAGARI.findall(text))
    latin = len(_LATIN.findall(_CODE.sub(" ", text)))
    if devanagari >= 2 and devanagari >= latin:
        return "hi"
    if devanagari == 0 and all(w in AMBIGUOUS_REPLIES for w in _WORD.findall(text.lower())):
        return None
    # Tokens with digits are numbers, ticket or Udyam numbers: no language in them.
    words = [w for w in _WORD.findall(text.lower()) if not any(ch.isdigit() for ch in w)]
    hinglish = sum(word in HINGLISH_MARKERS for word in words)
    english = sum(word in ENGLISH_MARKERS for word in words)
    if hinglish >= 1 and hinglish >= english:
        return "hinglish"
    if english >= 2 or (
        english >= 1 and len(words) <= 3 and hinglish == 0 and english == len(words)
    ):
        return "en"
    return None
