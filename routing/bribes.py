"""What tells of a bribe, in English, Hindi and Hinglish: one home for routing (a bribe at a
named unit of the ministry goes to that unit's vigilance, ``routing.rules``) and urgency (a
bribe with a deadline is high, ``routing.urgency``).

A bribe is told either by a word that means one ("bribe", "rishwat", "घूस", "speed money",
"kickback"), or by an official who asks for or takes money: a person of an office ("officer",
"clerk", "babu", "banda", "अधिकारी", "कर्मचारी") and a demand or taking ("asked for",
"maang raha", "माँगा", "took", "पैसे लिए") of money ("cash", "commission", "5000", "10%",
"हजार") in the same sentence, unless the money is a lawful charge (a fee, a guarantee)
that is not asked in cash or as a commission.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

BRIBE_WORDS: Final = re.compile(
    r"\bbribe|\bspeed money|\bkick-?backs?\b|\brishwat|\brishvat|\bghoos|\bchai[- ]pani"
    r"|\billegal gratification|\bunder the table|रिश्वत|घूस|सुविधा शुल्क",
    re.IGNORECASE,
)
_OFFICIAL: Final = re.compile(
    r"\b(?:officer|official|officials|clerk|babu|inspector|staff|employee|assessor|peon|banda"
    r"|adhikari|karmchari|karmachari|afsar|sahab|saheb|manager|middlem[ae]n|dalal|agent)\b"
    r"|अधिकारी|कर्मचारी|बाबू|क्लर्क|अफसर|साहब|निरीक्षक|बंदा|दलाल|मैनेजर",
    re.IGNORECASE,
)
_ASKS_OR_TAKES: Final = re.compile(
    r"\b(?:ask(?:s|ed|ing)? (?:for|us for|me for|(?:me|us) to pay)|demand(?:s|ed|ing)?"
    r"|wants?|took|taking|takes"
    r"|collect(?:s|ed|ing)|maang\w*|mang(?:a|e|i|ta|te|raha|rahe)\b|le (?:liye|liya|raha|rahe)"
    r"|dena (?:pad\w*|hoga|hogi)|de do|dedo|pay (?:him|them|up)"
    r"|(?:paise|cash|rupaye) (?:liye|liya|le))\b"
    r"|माँग|मांग|मंगा|ले लिए|ले लिया|ले रहा|ले रहे|(?:पैसे|रुपये|नकद) (?:लिए|लिया|ले)|वसूल"
    r"|देना (?:पड|होगा|होगी)",
    re.IGNORECASE,
)
MONEY: Final = re.compile(
    r"\bcash\b|\bcommission\b|\bmoney\b|\bdonation|\ba cut\b|\bpaise?\b|\bpaisa\b"
    r"|\brs\.? ?\d|₹ ?\d|\binr ?\d|\b\d+ ?%"
    r"|\b\d[\d,.]* ?(?:k|hazar|hazaar|thousand|lakh|rupees?|rupaye|/-)(?!\w)"
    r"|\b\d[\d,]{2,}(?= ?(?:maang|mang|माँग|मांग))"
    r"|नकद|कमीशन|पैसे|पैसा|रुपये|हजार|हज़ार|लाख|\d+ ?%",
    re.IGNORECASE,
)
# Charges that are lawful ("a bank guarantee", "the fee", "EMD"): asked for by an official,
# they are no bribe unless in cash or as a commission.
_LAWFUL: Final = re.compile(
    r"\b(?:fees?|guarantee|deposit|emd|challan|receipt|penalty|arrears|dues|tax)\b"
    r"|\bbg\b|शुल्क|फीस|गारंटी|जमा|रसीद|जुर्माना|बकाया",
    re.IGNORECASE,
)
_OFF_BOOKS: Final = re.compile(
    r"\bcash\b|\bcommission\b|नकद|कमीशन|without (?:a(?:ny)? )?receipt|\bno receipt"
    r"|receipt (?:bhi )?nahi|बिना रसीद|रसीद (?:भी )?नहीं",
    re.IGNORECASE,
)
# Sentences and clauses; not the comma of "15,000".
_SENTENCE: Final = re.compile(r"[.!?\n।|;]+|,(?!\d)")


def tells_of_bribe(text: str) -> bool:
    """Whether ``text`` tells of a bribe (asked for or paid)."""
    text = unicodedata.normalize("NFC", text)
    if BRIBE_WORDS.search(text):
        return True
    return any(_asks_for_money(sentence) for sentence in _SENTENCE.split(text))


def _asks_for_money(sentence: str) -> bool:
    if not (_OFFICIAL.search(sentence) and _ASKS_OR_TAKES.search(sentence)):
        return False
    if not MONEY.search(sentence):
        return False
    return not _LAWFUL.search(sentence) or bool(_OFF_BOOKS.search(sentence))
