"""The grievance's answers, and what a valid answer to each question of the grievance form is,
written once.

Every function takes what the person typed and returns the value to store, or None when the
answer is not usable (the form then asks again with the expected format).
"""

from __future__ import annotations

import re
from typing import Any

from routing.categories import CATEGORY_CODES

# The category codes: routing/categories.py is their one home (standard library only, so the
# Rasa environment imports it as the backend does).
CATEGORIES: tuple[str, ...] = CATEGORY_CODES

# The value stored when the person has no Udyam number: the form then counts the slot as
# answered, and the ticket is sent without one.
NO_UDYAM = "none"
MIN_DESCRIPTION_LENGTH = 20
# The chat accepts 4,000 characters, and so does the backend: a description is kept whole.
MAX_DESCRIPTION_LENGTH = 4000
# What a form must never store as a value: placeholders that code or people type for "nothing".
PLACEHOLDERS = frozenset(
    {"", "none", "null", "nil", "n/a", "na", "-", "--", "undefined", "skip", "nan", ".", "?"}
)

# The eight answers of a grievance (domain.yml's form asks them in its own order); all but the
# Udyam number are required.
GRIEVANCE_FIELDS = (
    "name",
    "mobile",
    "enterprise_name",
    "udyam_number",
    "state",
    "district",
    "category",
    "description",
)
REQUIRED = frozenset(GRIEVANCE_FIELDS) - {"udyam_number"}

_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# A landline as Indians write it: an STD code with its 0, then a separator ("080-2839 1234").
_LANDLINE = re.compile(r"^\(?0[1-8]\d{1,3}\)?[\s\-]+\d")
_MOBILE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d\s\-().]{8,18}\d")
_UDYAM = re.compile(r"UDYAM[\s\-_./]*([A-Z]{2})[\s\-_./]*(\d{2})[\s\-_./]*(\d{7})(?!\d)")
_NO_UDYAM = re.compile(
    r"\b(no|nope|none|nahi|nahin|nhi|na|skip|not registered|don'?t have|dont have|do not have|"
    r"haven'?t|not yet|abhi nahi|nahi hai|nahi h)\b|नहीं|नही|ना\b|छोड़",
    re.IGNORECASE,
)
_NAME_PREFIX = re.compile(
    r"^(?:(?:my name is|my name's|name is|name:|i am|i'm|im|this is|myself|mera naam|"
    r"mera nam|naam|मेरा नाम|मैं|नाम)(?:\s+(?:hai|he|h|है))?)\s+",
    re.IGNORECASE,
)
_NAME_SUFFIX = re.compile(r"\s+(?:hai|he|h|hu|hoon|hun|है|हूँ|हूं)\.?$", re.IGNORECASE)
_ENTERPRISE_PREFIX = re.compile(
    r"^(?:my (?:company|firm|enterprise|business|unit|shop)(?: name)? is|(?:company|firm|"
    r"enterprise|business|unit) name is|it is|it's|its|meri (?:company|firm|dukaan)(?: ka naam)?|"
    r"मेरी (?:कंपनी|फर्म|दुकान)(?: का नाम)?|(?:company|firm) ka naam)\s+",
    re.IGNORECASE,
)
# "meri firm Gupta Plastics hai": the verb is not part of the name.
_ENTERPRISE_SUFFIX = re.compile(r"\s+(?:hai|hain|he|h|है|हैं)\.?$", re.IGNORECASE)
_DISTRICT_AFFIX = re.compile(
    r"^(?:my district is|district is|district:|district|dist\.?|jila|zila|जिला|ज़िला)\s+|"
    r"\s+(?:district|dist\.?|jila|zila|जिला|ज़िला|hai|है)$",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")

# Words people use for each category, in English, Hinglish and Hindi; a typed answer that
# names exactly one category is taken, anything else is asked again with the buttons.
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "delayed_payment": (
        "payment",
        "paisa",
        "paise",
        "bhugtan",
        "भुगतान",
        "dues",
        "invoice",
        "bill",
        "samadhaan",
        "samadhan",
        "pending amount",
        "बकाया",
        "udhaar",
    ),
    "finance_credit": (
        "loan",
        "credit",
        "bank",
        "karz",
        "karza",
        "ऋण",
        "लोन",
        "बैंक",
        "mudra",
        "cgtmse",
        "collateral",
        "interest",
    ),
    "raw_material": (
        "raw material",
        "kachcha maal",
        "kacha maal",
        "कच्चा माल",
        "steel",
        "material supply",
    ),
    "marketing_procurement": (
        "marketing",
        "procurement",
        "tender",
        "gem portal",
        "gem",
        "kharid",
        "खरीद",
        "टेंडर",
        "order",
    ),
    "labour": (
        "labour",
        "labor",
        "worker",
        "mazdoor",
        "majdoor",
        "मजदूर",
        "श्रम",
        "esi",
        "epf",
        "pf",
    ),
    "regulation_licensing": (
        "licence",
        "license",
        "licensing",
        "permission",
        "noc",
        "regulation",
        "inspector",
        "लाइसेंस",
        "अनुमति",
        "gst",
    ),
    "infrastructure_power": (
        "power",
        "electricity",
        "bijli",
        "बिजली",
        "road",
        "water",
        "infrastructure",
        "industrial area",
        "sadak",
    ),
    "skill_technology": (
        "skill",
        "training",
        "technology",
        "tool room",
        "प्रशिक्षण",
        "तकनीक",
        "takneek",
    ),
    "udyam_registration": (
        "udyam",
        "registration",
        "certificate",
        "उद्यम",
        "पंजीकरण",
        "udyog aadhaar",
        "uam",
    ),
    "schemes_subsidy": ("subsidy", "scheme", "yojana", "yojna", "योजना", "सब्सिडी", "grant"),
    "pmegp_khadi": ("pmegp", "khadi", "kvic", "खादी", "village industry"),
    "coir": ("coir", "coconut fibre", "कॉयर", "नारियल"),
    "corruption_vigilance": (
        "corruption",
        "bribe",
        "rishwat",
        "रिश्वत",
        "भ्रष्टाचार",
        "bhrashtachar",
        "vigilance",
    ),
    "employee_related": ("pension", "gratuity", "ppo", "leave", "पेंशन", "employee of"),
    "policy_suggestion": ("suggestion", "policy", "sujhav", "सुझाव", "नीति"),
    "other": ("other", "others", "anya", "अन्य", "kuch aur", "something else"),
}


def to_ascii_digits(text: str) -> str:
    return text.translate(_DEVANAGARI_DIGITS)


def is_placeholder(value: object) -> bool:
    """None, blank, or a word that stands for "nothing" ("None", "null", "skip", "-")."""
    return value is None or " ".join(str(value).split()).strip(" .'\"").lower() in PLACEHOLDERS


def missing_fields(slots: dict[str, Any]) -> list[str]:
    """The required answers not (or not really) given, in the form's order."""
    return [
        name for name in GRIEVANCE_FIELDS if name in REQUIRED and is_placeholder(slots.get(name))
    ]


def normalize_mobile(text: str) -> str | None:
    """An Indian mobile in any common writing -> E.164 ``+91XXXXXXXXXX``.

    Accepts +91 / 0091 / 091 / 91 / 0 prefixes, spaces, dashes, brackets and Devanagari digits;
    the ten-digit number must start with 6-9 (Indian mobile numbering)."""
    text = to_ascii_digits(text or "")
    for candidate in _MOBILE_CANDIDATE.findall(text):
        if _LANDLINE.match(candidate.strip()):
            continue  # "080-2839 1234": an STD code, not a mobile
        digits = re.sub(r"\D", "", candidate)
        for prefix in ("0091", "091", "91", "0"):
            if len(digits) == 10 + len(prefix) and digits.startswith(prefix):
                digits = digits[len(prefix) :]
                break
        if len(digits) == 10 and digits[0] in "6789":
            return f"+91{digits}"
    return None


def normalize_udyam(text: str) -> str | None:
    """``UDYAM-XX-00-0000000`` in any spacing/case, or None."""
    match = _UDYAM.search(to_ascii_digits(text or "").upper())
    if not match:
        return None
    return "UDYAM-{}-{}-{}".format(*match.groups())


def says_no_udyam(text: str) -> bool:
    """ "I don't have one", "nahi hai", "नहीं है", "skip"..."""
    return bool(_NO_UDYAM.search(text or ""))


def _tidy(text: str) -> str:
    return " ".join((text or "").split()).strip(" .,!;:-\"'")


def _has_letters(text: str, minimum: int = 2) -> bool:
    return len(_LETTER.findall(text)) >= minimum


def _title(text: str) -> str:
    # Title-case Latin text typed all lower or all upper; leave mixed case and Devanagari be.
    if text.isascii() and (text.islower() or text.isupper()):
        return " ".join(word.capitalize() for word in text.split())
    return text


def clean_person_name(text: str) -> str | None:
    name = _tidy(_NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", _tidy(text))))
    if is_placeholder(name):
        return None
    if not (2 <= len(name) <= 80) or not _has_letters(name) or re.search(r"\d", name):
        return None
    if len(name.split()) > 6:  # a sentence, not a name
        return None
    return _title(name)


def clean_enterprise_name(text: str) -> str | None:
    name = _tidy(_ENTERPRISE_SUFFIX.sub("", _ENTERPRISE_PREFIX.sub("", _tidy(text))))
    if is_placeholder(name):
        return None
    if not (2 <= len(name) <= 120) or not _has_letters(name):
        return None
    return _title(name) if name.islower() else name


def clean_district(text: str) -> str | None:
    district = _tidy(_DISTRICT_AFFIX.sub("", _tidy(text)))
    district = _tidy(_DISTRICT_AFFIX.sub("", district))
    if is_placeholder(district):
        return None
    if not (2 <= len(district) <= 60) or not _has_letters(district) or re.search(r"\d", district):
        return None
    if len(district.split()) > 4:
        return None
    return _title(district)


def clean_description(text: str) -> str | None:
    """The problem as written: line breaks kept (spaces within a line collapsed); None when
    too short or longer than the limit (the person is told, never cut silently)."""
    lines = [" ".join(line.split()) for line in (text or "").replace("\r\n", "\n").split("\n")]
    description = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(description) < MIN_DESCRIPTION_LENGTH or not _has_letters(description, 10):
        return None
    if len(description) > MAX_DESCRIPTION_LENGTH:
        return None
    return description


def category_from_text(text: str) -> str | None:
    """A category code from a code, a list number (1-16) or words naming exactly one."""
    raw = _tidy(to_ascii_digits(text)).lower()
    if raw in CATEGORIES:
        return raw
    if raw.isdigit() and 1 <= int(raw) <= len(CATEGORIES):
        return CATEGORIES[int(raw) - 1]
    found = {
        code
        for code, words in _CATEGORY_WORDS.items()
        if any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", raw) for word in words)
    }
    return found.pop() if len(found) == 1 else None
