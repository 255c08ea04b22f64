"""Routing rules: category (+ state, + what the text says) -> the department that handles it."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from routing.bribes import tells_of_bribe
from routing.categories import OTHER, is_category
from routing.directory import SAMADHAAN_CODE, Directory, load_directory
from routing.states import canonical_state, first_state_in_text

# The classifier overrides a category the citizen chose only when it is this sure: a wrong
# button press is common, but so is a long text that mentions several matters.
OVERRIDE_CONFIDENCE = 0.85
# "Scheme / subsidy" is the button of people who do not know which to press (it names most
# grievances' subject: a subsidy, a loan scheme, a plot under a scheme): the text overrides it
# at a lower confidence. Chosen on the spent blind sets (bench/routing_accuracy.py).
GENERIC_CHOICES = frozenset({"schemes_subsidy"})
GENERIC_OVERRIDE_CONFIDENCE = 0.4
# Money owed by a buyer and money owed by a bank are told alike and pressed alike: between
# these two buttons, the text decides at the lower confidence too.
MONEY_CHOICES = frozenset({"delayed_payment", "finance_credit"})

# Local facilitation is the job of the MSME-DFO of the state.
_DFO_CATEGORIES = frozenset(
    {"labour", "regulation_licensing", "infrastructure_power", "skill_technology"}
)
_FIXED_DEPARTMENT = {
    "pmegp_khadi": "KVIC",
    "coir": "COIR",
    "raw_material": "NSIC",
    "marketing_procurement": "NSIC",
    "udyam_registration": "DCMSME",
    "finance_credit": "CREDIT-CELL",
    "schemes_subsidy": "DCMSME-SCHEMES",
}
# Where a category goes when the text names no particular unit (CPGRAMS tree: Ministry Main for
# employees and others, the SME Division for policy).
_UNIT_DEFAULT = {"employee_related": "MIN-MAIN", "policy_suggestion": "MIN-SME", OTHER: "MIN-MAIN"}
_UNITS_FOR_POLICY = frozenset({"DCMSME", "KVIC", "COIR", "MIN-SME"})

# Units of the ministry, and schemes with a nodal body, that a grievance can name (English,
# Hindi, Hinglish). Scheme names stand for their nodal body: PMEGP, Khadi and the Gramodyog
# schemes -> KVIC; coir schemes -> Coir Board; single point registration, the SC-ST Hub and raw
# material assistance -> NSIC; Samadhaan and the Facilitation Councils -> the state's MSEFC.
MSEFC_OF_THE_STATE = "MSEFC"  # stands for "the MSEFC of the grievance's state" until resolved
_UNIT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        (
            "NSIC",
            r"\bnsic\b|national small industries corporation|एनएसआईसी|लघु उद्योग निगम"
            r"|single[- ]point registration|\bsc[- /]?st hub\b|raw material assistance"
            r"|कच्चा माल सहायता",
        ),
        (
            "KVIC",
            r"\bkvic\b|khadi\s+(?:and|&)\s+village\s+industries\s+commission|khadi commission"
            r"|केवीआईसी|खादी\s+(?:और|एवं|व)\s+ग्रामोद्योग\s+आयोग|खादी आयोग"
            r"|\bpm\s*egp\b|prime minister'?s employment generation|पीएमईजीपी"
            r"|प्रधानमंत्री रोजगार सृजन|\bkvib\b|\bkhadi\b|खादी|gramodyog vikas|ग्रामोद्योग विकास"
            r"|honey mission|solar charkha|kumhar sashaktikaran|हनी मिशन|सोलर चरखा"
            r"|कुम्हार सशक्तिकरण",
        ),
        (
            "COIR",
            r"coir\s+board|कॉयर\s+बोर्ड|कयर\s+बोर्ड|कोयर\s+बोर्ड|कॉयर बोर्ड|\bcoir\b|कॉयर|कयर|कोयर"
            r"|കയർ",
        ),
        (
            "MGIRI",
            r"\bmgiri\b|mahatma gandhi institute for rural industriali[sz]ation|एमगिरि"
            r"|एमजीआईआरआई|महात्मा गांधी ग्रामीण औद्योग\S{0,4}करण",
        ),
        (
            "NIMSME",
            r"\bni[- ]?msme\b|national institute for (?:micro, small and medium enterprises|msme)"
            r"|निम्समे|राष्ट्रीय एमएसएमई संस्थान|एनआई[- ]?एमएसएमई",
        ),
        (
            MSEFC_OF_THE_STATE,
            r"\bmsefc\b|facilitation council|सुविधा परिषद|samadhaan|samadhan\s+portal"
            r"|msme\s+samadhan|समाधान पोर्टल|एमएसएमई समाधान",
        ),
        (
            "DCMSME",
            r"\bdc\s*\(?\s*msme\s*\)?|development commissioner|\bmsme[- ]?d[fi]o\b|\bdfo\b"
            r"|msme development (?:and facilitation office|institute)|विकास आयुक्त",
        ),
    )
)
# Words that name a Technology Centre without saying which; with a town nearby they name the
# centre there (routing/data/departments.yaml `city_names`), alone the Technology Centres division.
_TECHNOLOGY_CENTRE_WORDS = (
    r"(?:msme\s+)?(?:technology|tech)\s+cent(?:re|er)s?|tool\s*rooms?|\bmsme[- ]tcs?\b|\bcttc\b"
    r"|\bigtr\b|indo[- ]german tool room|\bppdc\b|process[- ]cum[- ]product development"
    r"|\bcfti\b|central footwear training institute"
    r"|प्रौद्योगिकी\s+केंद्र|टूल\s*रूम|टेक्नोलॉजी\s+सेंटर|पीपीडीसी|सीएफटीआई"
)
TECHNOLOGY_DIVISION = "DCMSME-TECH"
# Named bodies whose remit is a set of schemes (KVIC, Coir Board, NSIC): naming them moves a
# grievance filed under a generic or neighbouring category, not one under a category that has
# its own home (delayed payment, labour, licences, power, Udyam), where they are often named in
# passing ("my PMEGP unit's power bill").
_SCHEME_BODIES = frozenset({"KVIC", "COIR", "NSIC"})
_MOVABLE_BY_SCHEME_BODY = frozenset(
    {
        OTHER,
        "schemes_subsidy",
        "finance_credit",
        "marketing_procurement",
        "raw_material",
        "skill_technology",
        "employee_related",
        "pmegp_khadi",
        "coir",
    }
)
# A named institution (a Technology Centre, MGIRI, NI-MSME) is what the grievance is about
# unless the category has a statutory home of its own.
# A policy suggestion goes to the policy units whatever it names (CPGRAMS tree).
_NOT_MOVABLE_BY_INSTITUTION = frozenset(
    {"delayed_payment", "udyam_registration", "policy_suggestion"}
)


@dataclass(frozen=True)
class NamedUnit:
    """A unit of the ministry (or a scheme's nodal body) that a grievance names."""

    code: str  # department code, or MSEFC_OF_THE_STATE
    words: str  # the words of the text that named it, for route_reason
    start: int


class CategoryPredictor(Protocol):
    """What routing needs of a text classifier (``routing.classifier.Classifier``)."""

    def predict(self, text: str) -> tuple[str, float]: ...


@dataclass(frozen=True)
class RouteDecision:
    department_code: str
    category: str
    confidence: float  # 1.0 for a rule on an explicit category; else the classifier's
    reason: str
    state: str | None = None  # canonical state the decision used, if any


def units_named_in(text: str, directory: Directory | None = None) -> list[NamedUnit]:
    """Every unit ``text`` names, in the order named (a Technology Centre by its own code)."""
    text = without_nukta(text)
    found: list[NamedUnit] = []
    for code, pattern in _UNIT_PATTERNS:
        match = pattern.search(text)
        if match:
            found.append(NamedUnit(code, match.group(0), match.start()))
    centre = technology_centre_named_in(text, directory or load_directory())
    if centre is not None:
        found.append(centre)
    return sorted(found, key=lambda unit: unit.start)


def unit_named_in(text: str) -> str | None:
    """The ministry unit that ``text`` names first (NSIC, KVIC, COIR, MGIRI, NIMSME, DCMSME, a
    Technology Centre, or MSEFC_OF_THE_STATE)."""
    units = units_named_in(text)
    return units[0].code if units else None


def technology_centre_named_in(text: str, directory: Directory) -> NamedUnit | None:
    """The Technology Centre ``text`` names: by its own name or acronym, else by the words
    "tool room" / "technology centre" (or a centre's acronym) near a town with a centre, in the
    same sentence; those words alone name the Technology Centres division."""
    own_names, towns, town_codes = _technology_centre_patterns(directory)
    match = own_names.search(text)
    if match and match.lastgroup:
        return NamedUnit(_code_of_group(match.lastgroup), match.group(0), match.start())
    first: NamedUnit | None = None
    for match in _TECHNOLOGY_CENTRE_RE.finditer(text):
        if first is None:
            first = NamedUnit(TECHNOLOGY_DIVISION, match.group(0), match.start())
        before = _SENTENCE_END.split(text[max(0, match.start() - _NEAR) : match.start()])[-1]
        after = _SENTENCE_END.split(text[match.end() : match.end() + _NEAR])[0]
        town = towns.search(after) or next(reversed(list(towns.finditer(before))), None)
        if town is not None:
            code = town_codes[town.group(0).casefold()]
            return NamedUnit(code, f"{match.group(0)} ... {town.group(0)}", match.start())
    return first


_TECHNOLOGY_CENTRE_RE = re.compile(_TECHNOLOGY_CENTRE_WORDS, re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.\n।?!]")
_NEAR = 45  # characters between "tool room" and the town, either side


def without_nukta(text: str) -> str:
    """Devanagari without the nukta dot: "फिरोज़ाबाद" (either encoding) reads as "फिरोजाबाद",
    as people type it."""
    return unicodedata.normalize("NFC", text).replace("\u093c", "")


def _code_of_group(group: str) -> str:
    return group.removeprefix("c_").replace("_", "-")


@functools.lru_cache(maxsize=4)
def _technology_centre_patterns(
    directory: Directory,
) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """(one pattern of every centre's own names, one of every town, town -> centre code)."""
    own: list[str] = []
    town_codes: dict[str, str] = {}
    for centre in directory.of_kind("technology_centre"):
        group = "c_" + centre.code.replace("-", "_")
        if centre.named_as:
            own.append(f"(?P<{group}>{without_nukta('|'.join(centre.named_as))})")
        for name in centre.city_names:
            town_codes[without_nukta(name).casefold()] = centre.code
    towns = "|".join(re.escape(name) for name in sorted(town_codes, key=len, reverse=True))
    return (
        re.compile("|".join(own) or r"(?!)", re.IGNORECASE),
        # Not \b: a Devanagari vowel sign is not a word character ("लुधियाना" ends in one).
        re.compile(rf"(?<![a-z])(?:{towns})(?![a-z])" if towns else r"(?!)", re.IGNORECASE),
        town_codes,
    )


def route(
    category: str | None,
    state: str | None,
    description: str = "",
    classifier: CategoryPredictor | None = None,
) -> RouteDecision:
    """Decide the department for a grievance.

    The citizen's category is trusted unless it is missing, "other", unknown, or the classifier
    is at least ``OVERRIDE_CONFIDENCE`` sure the text is about something else (at least
    ``GENERIC_OVERRIDE_CONFIDENCE`` for "Scheme / subsidy", and between the two money buttons).
    A text that tells of a bribe at a unit of the ministry goes to that unit's vigilance,
    whatever the button (``routing.bribes``).
    """
    notes: list[str] = []
    chosen = category if is_category(category) else None
    if category and chosen is None:
        notes.append(f"unknown category {category!r} ignored")

    final, confidence = chosen or OTHER, 1.0 if chosen else 0.0
    if classifier is not None and description.strip():
        predicted, score = classifier.predict(description)
        if chosen is None or chosen == OTHER:
            final, confidence = predicted, score
            notes.append(f"category {predicted} from the text ({score:.2f})")
        elif predicted != chosen and score >= _override_confidence(chosen, predicted):
            final, confidence = predicted, score
            notes.append(f"text says {predicted} ({score:.2f}), not the chosen {chosen}")
        elif predicted != chosen:
            notes.append(f"chosen category kept; text suggests {predicted} ({score:.2f})")
    elif chosen is None:
        notes.append("no category and no classifier: general grievance")

    directory = load_directory()
    named = units_named_in(description, directory) if description else []
    if final != "corruption_vigilance" and description and tells_of_bribe(description):
        accused = _unit_accused(named)
        if accused is not None:
            final = "corruption_vigilance"
            notes.append(f"the text tells of a bribe at {accused}")

    resolved_state = canonical_state(state) if state else None
    if state and resolved_state is None:
        notes.append(f"state {state!r} not recognised")
    if resolved_state is None and description:
        resolved_state = first_state_in_text(description)
        if resolved_state:
            notes.append(f"state {resolved_state} taken from the text")

    department, rule = _department_for(final, resolved_state, named, directory)
    return RouteDecision(
        department_code=department,
        category=final,
        confidence=round(float(confidence), 4),
        reason="; ".join([rule, *notes]),
        state=resolved_state,
    )


def _unit_accused(named: list[NamedUnit]) -> str | None:
    """The unit of the ministry a bribe is told of: the first the text names (a Facilitation
    Council is the state's, and its vigilance not the ministry's)."""
    return next((u.code for u in named if u.code != MSEFC_OF_THE_STATE), None)


def _override_confidence(chosen: str, predicted: str) -> float:
    if chosen in GENERIC_CHOICES or {chosen, predicted} <= MONEY_CHOICES:
        return GENERIC_OVERRIDE_CONFIDENCE
    return OVERRIDE_CONFIDENCE


def _department_for(
    category: str, state: str | None, named: list[NamedUnit], directory: Directory
) -> tuple[str, str]:
    """(department code, the rule applied) for a known category; ``named``: the units the
    text names (``units_named_in``), read once per grievance."""
    if category == "corruption_vigilance":
        unit = _unit_accused(named)
        vigilance = directory.vigilance_of(unit or "MIN-MAIN")
        where = f"the text names {unit}" if unit else "no unit named"
        return vigilance.code, f"corruption -> vigilance {vigilance.code} ({where})"
    for candidate in named:
        if _moves(candidate.code, category):
            return _named_department(candidate, category, state, directory)
    if category == "delayed_payment":
        council = directory.msefc_for(state)
        if council:
            return council.code, f"delayed payment -> MSE Facilitation Council of {state}"
        return SAMADHAAN_CODE, "delayed payment, state unknown -> MSME Samadhaan cell forwards"
    if category in _DFO_CATEGORIES:
        dfo = directory.dfo_for(state)
        if dfo:
            return dfo.code, f"{category} -> MSME-DFO serving {state}"
        return "DCMSME", f"{category}, state unknown so the MSME-DFO is unknown -> DC (MSME)"
    if category in _FIXED_DEPARTMENT:
        code = _FIXED_DEPARTMENT[category]
        return code, f"{category} -> {code}"
    unit = next((u.code for u in named if u.code in directory), None)
    if category == "policy_suggestion" and unit not in _UNITS_FOR_POLICY:
        unit = None
    if unit is not None and category in _UNIT_DEFAULT:
        return unit, f"{category} -> {unit} (named in the text)"
    default = _UNIT_DEFAULT.get(category, "MIN-MAIN")
    return default, f"{category} -> {default}"


def _moves(code: str, category: str) -> bool:
    """Whether naming ``code`` moves a grievance of ``category`` there."""
    if code == MSEFC_OF_THE_STATE:
        return category != "policy_suggestion"
    if code in _SCHEME_BODIES:
        return category in _MOVABLE_BY_SCHEME_BODY
    if code == "DCMSME":
        return False  # the DC (MSME) is named in passing by most grievances about its offices
    return category not in _NOT_MOVABLE_BY_INSTITUTION


def _named_department(
    unit: NamedUnit, category: str, state: str | None, directory: Directory
) -> tuple[str, str]:
    if unit.code == MSEFC_OF_THE_STATE:
        council = directory.msefc_for(state)
        code = council.code if council else SAMADHAAN_CODE
        where = f"the MSE Facilitation Council of {state}" if council else "MSME Samadhaan"
        return code, f"the text names {unit.words!r} -> {where} (category {category})"
    return unit.code, f"the text names {unit.words!r} -> {unit.code} (category {category})"
