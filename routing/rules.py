"""Routing rules: category (+ state, + what the text says) -> the department that handles it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from routing.categories import OTHER, is_category
from routing.directory import SAMADHAAN_CODE, Directory, load_directory
from routing.states import canonical_state, find_state_in_text

# The classifier overrides a category the citizen chose only when it is this sure: a wrong
# button press is common, but so is a long text that mentions several matters.
OVERRIDE_CONFIDENCE = 0.85

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

# Units of the ministry a grievance can name, for vigilance, employee and policy matters.
_UNIT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        ("NSIC", r"\bnsic\b|national small industries corporation|एनएसआईसी|लघु उद्योग निगम"),
        (
            "KVIC",
            r"\bkvic\b|khadi\s+(?:and|&)\s+village\s+industries\s+commission|khadi commission"
            r"|केवीआईसी|खादी\s+(?:और|एवं|व)\s+ग्रामोद्योग\s+आयोग|खादी आयोग",
        ),
        ("COIR", r"coir\s+board|कॉयर\s+बोर्ड|कयर\s+बोर्ड|कोयर\s+बोर्ड|कॉयर बोर्ड"),
        ("MGIRI", r"\bmgiri\b|mahatma gandhi institute for rural industriali[sz]ation|एमगिरि"),
        (
            "NIMSME",
            r"\bni[- ]?msme\b|national institute for (?:micro, small and medium enterprises|msme)"
            r"|निम्समे",
        ),
        (
            "DCMSME",
            r"\bdc\s*\(?\s*msme\s*\)?|development commissioner|\bmsme[- ]?d[fi]o\b|\bdfo\b"
            r"|msme development (?:and facilitation office|institute)|विकास आयुक्त",
        ),
    )
)


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


def unit_named_in(text: str) -> str | None:
    """The ministry unit that ``text`` names first (NSIC, KVIC, COIR, MGIRI, NIMSME, DCMSME)."""
    best: tuple[int, str] | None = None
    for code, pattern in _UNIT_PATTERNS:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), code)
    return best[1] if best else None


def route(
    category: str | None,
    state: str | None,
    description: str = "",
    classifier: CategoryPredictor | None = None,
) -> RouteDecision:
    """Decide the department for a grievance.

    The citizen's category is trusted unless it is missing, "other", unknown, or the classifier
    is at least ``OVERRIDE_CONFIDENCE`` sure the text is about something else.
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
        elif predicted != chosen and score >= OVERRIDE_CONFIDENCE:
            final, confidence = predicted, score
            notes.append(f"text says {predicted} ({score:.2f}), not the chosen {chosen}")
        elif predicted != chosen:
            notes.append(f"chosen category kept; text suggests {predicted} ({score:.2f})")
    elif chosen is None:
        notes.append("no category and no classifier: general grievance")

    resolved_state = canonical_state(state) if state else None
    if state and resolved_state is None:
        notes.append(f"state {state!r} not recognised")
    if resolved_state is None and description:
        resolved_state = find_state_in_text(description)
        if resolved_state:
            notes.append(f"state {resolved_state} taken from the text")

    department, rule = _department_for(final, resolved_state, description, load_directory())
    return RouteDecision(
        department_code=department,
        category=final,
        confidence=round(float(confidence), 4),
        reason="; ".join([rule, *notes]),
        state=resolved_state,
    )


def _department_for(
    category: str, state: str | None, text: str, directory: Directory
) -> tuple[str, str]:
    """(department code, the rule applied) for a known category."""
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
    unit = unit_named_in(text) if text else None
    if category == "corruption_vigilance":
        vigilance = directory.vigilance_of(unit or "MIN-MAIN")
        where = f"the text names {unit}" if unit else "no unit named"
        return vigilance.code, f"corruption -> vigilance {vigilance.code} ({where})"
    if category == "policy_suggestion" and unit not in _UNITS_FOR_POLICY:
        unit = None
    if unit is not None and category in _UNIT_DEFAULT:
        return unit, f"{category} -> {unit} (named in the text)"
    default = _UNIT_DEFAULT.get(category, "MIN-MAIN")
    return default, f"{category} -> {default}"
