"""How urgent a grievance is: critical, high or normal, with the reasons (pure, no I/O).

- **critical**: a threat to life or safety, self-harm or suicidal thoughts, violence or threats
  of violence;
- **high**: wages unpaid, closure or job losses imminent, sealing / seizure / eviction
  threatened, a disaster, a bribe demanded with a deadline;
- **normal** otherwise.

Two parts. *Keyword guards* (English, Hindi, Hinglish) over the whole text, each with a reason
code; they can only raise the level. The *trained reader* (``routing/urgency_model.py``, many
writers' examples) reads what the words do not say outright ("my family will be better off
with the insurance money"). The level is the higher of the two.

Reason codes (stable: the assistant and the dashboard read them): ``self_harm``,
``violence``, ``safety``, ``wages_unpaid``, ``closure``, ``sealing_seizure``, ``disaster``,
``bribe_deadline``, and ``model`` when only the reader raised the level (for another reason
than self-harm, which it names).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from routing.bribes import BRIBE_WORDS, MONEY, tells_of_bribe

if TYPE_CHECKING:
    from routing.urgency_model import Reading, UrgencyReader

Level = Literal["critical", "high", "normal"]
LEVELS: Final[tuple[Level, ...]] = ("normal", "high", "critical")  # ascending
CRITICAL: Final = "critical"
HIGH: Final = "high"
NORMAL: Final = "normal"

# Reason code -> what it means, for officers (the dashboard shows these).
REASON_TITLES: Final = {
    "self_harm": "Self-harm or suicidal thoughts",
    "violence": "Violence or threats",
    "safety": "Threat to life or safety",
    "wages_unpaid": "Wages unpaid",
    "closure": "Closure or job losses imminent",
    "sealing_seizure": "Sealing, seizure or eviction threatened",
    "disaster": "Disaster",
    "bribe_deadline": "Bribe demanded with a deadline",
    "model": "Reads as urgent (model)",
}

# (reason, level, pattern) over the folded text (lower case, NFC, no nukta). Devanagari words
# match inside words (Hindi inflects); Latin ones at a word start.
_GUARDS: Final[tuple[tuple[str, Level, str], ...]] = (
    (
        "self_harm",
        CRITICAL,
        r"\bsuicid|\bkill (?:my|him|her)sel|\bend(?:ing)? (?:my|his|her|our) (?:own )?li(?:fe|ves)"
        r"|\btake (?:my|his|her) (?:own )?life|\btook (?:their|his|her) (?:own )?li(?:fe|ves)"
        r"|\btaken (?:their|his|her) (?:own )?li(?:fe|ves)|\bend(?:ing)? it all|\bwant(?:s)? to die"
        r"|\b(?:don'?t|do not|no longer) want to live|\bno (?:reason|point) (?:in |to )?liv"
        r"|\bnot worth living|\bbetter off without me|\bhang (?:my|him|her)self"
        r"|\bjump(?:ing)? (?:from|off) (?:the )?(?:terrace|roof|building|bridge)"
        r"|\b(?:consume|drink|take|taking|eat) poison|\bsleeping pills|\bset (?:my|him|her)self"
        r" on fire|\bgiving up on life|\bkhud ?kh?ushi|\ba+tm(?:a)? ?h(?:a)?tya|\bsuicide"
        r"|\bwish i (?:was|were) dead|\bbetter off dead|\bmar (?:jaunga|jaungi|jaaunga|jaaungi)"
        r"|\bzaha?r kh?a|\bjaan de doonga"
        r"|\bjaan de (?:dunga|dungi|denge|dega|doon)"
        r"|\bjeene? (?:ka|ki) (?:koi )?(?:mann?|ichha|wajah) nahi|\bjeena nahi chaht"
        r"|\bzeh?e?r kh?a|\bjahar kh?a|\bf[a]?ns?i laga|\bphaa?nsi"
        r"|\bkhud ko khatam|\bmar jaa?na chaht|\bmarne ka (?:mann?|khayal|vichar)"
        r"|आत्महत्या|खुदकुशी|जान दे दू|जान दे दे|जीने की इच्छा नहीं|जीने का मन नहीं"
        r"|जहर खा|फा[ँं]?सी|खुद को खत्म|मरने का (?:मन|ख्याल|विचार)|मर जाना चाहत|अब और नहीं जी"
        r"|मर जाऊ[ंँ]?(?:गा|गी)",
    ),
    (
        "violence",
        CRITICAL,
        r"\bthreat\w* to (?:kill|beat|hurt|harm|shoot|burn|attack|break|stab|kidnap|abduct)"
        r"|\b(?:will|would|going to) (?:kill|shoot|stab|burn|beat|attack|break (?:my|his|her))"
        r"|\bkill (?:me|us|him|her|my)|\bbeat(?:en)? (?:me|him|her|us|up|my)|\bbeaten\b"
        r"|\bassault|\battacked|\bslapped|\bhit (?:me|him|her|my \w+) with|\bgoons?\b"
        r"|\bgun\b|\bknife|\bacid\b|\bkidnap|\babduct|\bset fire|\bburn (?:down )?(?:the|our|my)"
        r" (?:unit|house|shop|factory|godown|home)|\bnot come back alive|\bprotection money"
        r"|\bdeath threat|\bmolest|\bsexual(?:ly)? harass|\bmob\b|\bharm my (?:children|family)"
        r"|\bjaan se maar|\bmaar (?:denge|dalenge|dunga|dega|diya)|\bmaa?renge\b|\bmaara\b"
        r"|\bhaath pair tod|\bhath pair tod|\btod (?:denge|dega|dunga)\b|\baag laga (?:denge|dunga)"
        r"|\bjala denge|\bgoli maar|\bapharan|\buthwa|\bpeet(?:a|e|i)\b|\bpitai|\bmaa?r ?peet"
        r"|\bgunde|\bgundon|\bthappad|\bchaku|\btezaab|\btejab"
        r"|जान से मार|मार देंगे|मार डालेंगे|मारपीट|पिटाई|पीटा|हमला|तेजाब|अपहरण|अगवा|गोली मार"
        r"|आग लगा देंगे|गुंडे|गुंडों|चाकू|गालियाँ दीं",
    ),
    (
        "safety",
        CRITICAL,
        r"\bgas leak|\bleak\w* (?:of )?(?:gas|ammonia|chemical)|\bammonia|\bexplo(?:de|sion)"
        r"|\babout to burst|\bcollaps|\belectrocut|\belectric shock|\bgot a shock"
        r"|\blive (?:electric )?wires?|\bexposed wires|\bno fire exit"
        r"|\bexit (?:is )?(?:closed|blocked|locked)"
        r"|\binjur|\blost (?:a|his|her) (?:finger|hand|arm|leg)|\bfinger (?:was )?cut"
        r"|\b(?:could|may|might|will) die|\bpeople (?:could|may|will) die|\bfaint|\bunconscious"
        r"|\bvomit|\btoxic|\bburns\b|\bsafety (?:guard|valve)|\blives? (?:are |is )?at risk"
        r"|\bbehosh|\bhaadsa|\bungli kat|\bhaath kat|\bcurrent laga|\bnange taar"
        r"|\bgir sakti|\bgir sakta|\bjaan (?:ka )?khatra|\bbimar pad"
        r"|गैस (?:का )?रिसाव|रिसाव|बेहोश|करंट|घायल|जान खतरे|जान को खतरा|गिर सकती|हाथ कट|विस्फोट",
    ),
    (
        "wages_unpaid",
        HIGH,
        r"\b(?:wages?|salar(?:y|ies)|pay ?checks?)\b[^.\n]{0,40}\b(?:not|unpaid|pending|due|delayed"
        r"|withheld|stopped|arrears)|\bunpaid (?:wages|salar)"
        r"|\b(?:not|unable to|cannot|can't|could not|have not|haven't)"
        r" (?:been able to )?(?:pay|paying|paid)"
        r" (?:the |our |their |my )?(?:workers|wages|salar\w*|staff"
        r"|employees|tailors|karigars|labou?r)|\bdefault on wages"
        r"|\b(?:not|haven'?t|have not|hasn'?t|has not) (?:received|got(?:ten)?|been given)"
        r" (?:their |any |the |our )?(?:salary|salaries|wages|pay)\b"
        r"|\bhaven'?t been paid|\bnot been paid (?:for|since)|\bwithout pay\b|\bno (?:salary|wages)"
        r"|\b(?:tankh?waa?h|tankha|salary|majdoori|mazdoori|majduri|pagar|vetan)\b[^.\n]{0,30}"
        r"(?:nahi|nahin|ruki|baaki|bakaya)|\bnahi (?:di|mili)[^.\n]{0,10}(?:tankh|majd|mazd|salary)"
        r"|(?:वेतन|मजदूरी|पगार|तनख्वाह)[^।\n]{0,30}(?:नहीं|बकाया|रुक|न मिल)",
    ),
    (
        "closure",
        HIGH,
        r"\b(?:have|had|forced|going) to (?:shut|close)|\bwill (?:have to )?(?:shut|close)"
        r"|\bshut(?:ting)? (?:down )?(?:the |our )?(?:unit|factory|business|shop)"
        r"|\bclosing (?:down|next|this|the unit)|\bverge of (?:closure|closing|shutting)"
        r"|\bclosure notice|\blay ?off"
        r"|\blaying off|\bretrench|\blose (?:their|our|his|her) (?:jobs?|livelihood)"
        r"|\bjobs? (?:will be|are) (?:lost|at risk)|\bwalk out|\bwe shut down|\bunemployed"
        r"|\bband (?:karni|karna|ho) (?:padegi|padega|jayegi|jaayegi|jayega)|\bband hone (?:ki|wal)"
        r"|\bband karne ki naubat|\bnaukri (?:chali )?jayegi|\bnikalna padega|\bchhatni|\bchhantni"
        r"|\bberozgar|\broji roti band"
        r"|बंद करनी पडेगी|बंद करनी होगी|बंद हो जाएगा|बंद हो जाएगी|बंद होने (?:की|वाला|वाली)"
        r"|छ[ँं]?टनी|नौकरी (?:चली )?जाएगी|नौकरी खतरे|रोजगार चला जाएगा|निकालना (?:होगा|पडेगा)|बेरोजगार",
    ),
    (
        "sealing_seizure",
        HIGH,
        r"\bseal(?:ed|ing)?\b|\bseiz(?:e|ed|ure)|\battach(?:ed)? (?:our |my )?(?:bank )?account"
        r"|\bsarfaesi|\bpossession (?:notice|of)|\bauction|\bdemolish|\bevict|\bvacate"
        r"|\block(?:ed)? (?:the|our) unit|\bwill be locked|\bdisconnect"
        r"|\bcut (?:the |our )?(?:power|connection)"
        r"|\bconfiscat|\btake possession"
        r"|\bdetained (?:our )?(?:export )?(?:consignment|goods|truck)"
        r"|\bkabz|\bkurki|\bneelam|\butha ke le ja|\bconnection kaat|\bkhali karna"
        r"|सील|जब्त|कब्जा|कुर्की|नीलाम|अतिक्रमण|तोड देंगे|खाली कर|बेदखल|कनेक्शन काट",
    ),
    (
        "disaster",
        HIGH,
        r"\bflood|\bcyclone|\bearthquake|\blandslide|\btremor|\bdrought|\bhailstorm|\bstorm\b"
        r"|\bfire (?:destroyed|broke out|gutted|spread)|\bgutted|\bburnt down|\bwashed away"
        r"|\broof (?:collapsed|caved|blew)|\btsunami|\bsubmerged|\bunder water"
        r"|\bbaa(?:dh|rh)\b|\btoofan|\btufan|\baag lag (?:gayi|gai)|\bbhukamp|\bchhat (?:gir|ud)"
        r"|बाढ|तूफान|भूकंप|ओलावृष्टि|आग लग|सूखा|भूस्खलन|चक्रवात",
    ),
)
# A bribe demanded with a deadline: money asked for, a time limit, and a "or else". Money is
# what routing/bribes.py reads as money, or an amount or way of asking that, beside a threat
# and a deadline, is one ("15,000", "kharcha", "pay him").
_ASKED = re.compile(
    r"\b\d{1,3}(?:,\d{2,3})+\b|\bone lakh|\bkharcha|\bpay (?:him|them|me)|\bwants? rs"
    r"|\bpaisa do|\bpaise do|खर्चा",
)
_DEADLINE = re.compile(
    r"\btomorrow|\btonight|\btoday|\bby (?:monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|the weekend|the \d+|end of)|\bbefore (?:monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|tomorrow|the \d+)|\bwithin (?:\d+|two|three|a) (?:days?|hours?|week)"
    r"|\b(?:kal|aaj|parso|monday|somvar|\w+ din) tak\b|\b\d+ din me|\bthis week|\bis hafte"
    r"|\b\d+ (?:tareekh?|tarikh|tarik) tak|कल तक|आज तक|परसों तक|सोमवार तक|दिन में|दिन की मोहलत"
    r"|इस हफ्ते|तारीख तक",
)
_OR_ELSE = re.compile(
    r"\bor (?:else|he|she|they|it|we|the|our)|\botherwise|\bunless|\bwarna|\bnahi to|\bnahin to"
    r"|वरना|नहीं तो|अन्यथा|अगर[^।]{0,60}तो",
)
_REASONS: Final = (*(reason for reason, _, _ in _GUARDS), "bribe_deadline")
_LEVEL_OF_REASON: Final[dict[str, Level]] = {
    **{reason: level for reason, level, _ in _GUARDS},
    "bribe_deadline": HIGH,
}


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex (outside groups and character classes)."""
    parts: list[str] = []
    depth, in_class, start, i = 0, False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def factor_word_start(pattern: str) -> str:
    """The same matches with the word-start test taken out of the alternation: Python's re
    then tries the Latin words only at word starts (as routing/classifier.py does for its
    keywords; several times faster on long letters)."""
    latin: list[str] = []
    others: list[str] = []
    for part in _alternatives(pattern):
        if part.startswith("\\b"):
            latin.append(part[2:])
        else:
            others.append(part)
    groups = [f"\\b(?:{'|'.join(latin)})"] if latin else []
    groups += [f"(?:{part})" for part in others]
    return "|".join(groups)


_COMPILED: Final = tuple(
    (reason, re.compile(factor_word_start(pattern))) for reason, _, pattern in _GUARDS
)
_NUKTA = "\u093c"


@dataclass(frozen=True)
class Urgency:
    level: Level
    reasons: tuple[str, ...]  # reason codes (REASON_TITLES), the most serious first

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "reasons": list(self.reasons)}


def fold(text: str) -> str:
    """Lower case, NFC, no nukta: "ज़हर" and "जहर" match alike."""
    return unicodedata.normalize("NFC", text).replace(_NUKTA, "").lower()


def guard_counts(text: str) -> dict[str, int]:
    """How often each guard's words occur in ``text`` (features of the model, too)."""
    folded = fold(text)
    counts = {reason: len(pattern.findall(folded)) for reason, pattern in _COMPILED}
    # Words that say "bribe" outright: with a deadline that is enough, no "or else" needed.
    explicit = BRIBE_WORDS.search(folded) or tells_of_bribe(folded)
    asked = explicit or MONEY.search(folded) or _ASKED.search(folded)
    or_else = explicit or _OR_ELSE.search(folded)
    counts["bribe_deadline"] = int(bool(asked and or_else and _DEADLINE.search(folded)))
    return counts


def keyword_urgency(text: str) -> Urgency:
    """The keyword guards alone (also the baseline the trained model is measured against)."""
    return urgency_of_counts(guard_counts(text))


def urgency_of_counts(counts: dict[str, int]) -> Urgency:
    fired = [reason for reason, count in counts.items() if count]
    if not fired:
        return Urgency(NORMAL, ())
    fired.sort(key=lambda reason: -LEVELS.index(_LEVEL_OF_REASON[reason]))
    return Urgency(_LEVEL_OF_REASON[fired[0]], tuple(fired))


def combine(guarded: Urgency, read: Reading) -> Urgency:
    """Guards can only raise: the level is the higher of the two. A self-harm reading adds
    ``self_harm`` to the reasons; "model" joins them when the model alone set the level."""
    reasons = guarded.reasons
    if read.self_harm and "self_harm" not in reasons:
        reasons = ("self_harm", *reasons)
    if LEVELS.index(read.level) > LEVELS.index(guarded.level):
        return Urgency(read.level, reasons if read.self_harm else ("model", *reasons))
    return Urgency(guarded.level, reasons)


def assess(text: str, reader: UrgencyReader | None = None) -> Urgency:
    """Urgency of ``text``: the guards, raised by the trained reader when there is one."""
    guarded = keyword_urgency(text)
    if reader is None or not text.strip():
        return guarded
    return combine(guarded, reader.read(text))


def mentions_self_harm(text: str, reader: UrgencyReader | None = None) -> bool:
    """Whether ``text`` speaks of self-harm or suicide (the self-harm guard, or the reader):
    the assistant's caring reply with the helpline hangs on this."""
    if guard_counts(text).get("self_harm"):
        return True
    return reader is not None and bool(text.strip()) and reader.read(text).self_harm


def is_reason(code: str) -> bool:
    return code in _REASONS or code == "model"
