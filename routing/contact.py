"""Recognising what people type for a mobile number and a Udyam registration number.

Digits are ASCII 0-9 when stored. Devanagari digits (०-९), which Hindi keyboards type, are read
as 0-9; digits of other scripts (Arabic-Indic, full-width...) are not read as digits at all, so
a number written in them is refused rather than stored as look-alike text.
"""

from __future__ import annotations

import re

# [0-9], not \d: in Python \d is any script's decimal digit.
_UDYAM = re.compile(r"^UDYAM-([A-Z]{2})-([0-9]{2})-([0-9]{7})$")
_UDYAM_LOOSE = re.compile(r"^UDYAM[\s\-_]*([A-Z]{2})[\s\-_]*([0-9]{2})[\s\-_]*([0-9]{7})$")
_MOBILE_DIGITS = re.compile(r"^(?:\+?91|0)?([6-9][0-9]{9})$")
DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


def normalize_mobile(text: str) -> str | None:
    """E.164 (+91XXXXXXXXXX) for an Indian mobile in any common writing, else None.

    Accepts +91, 91 or 0 prefixes, spaces, dashes, dots and brackets, and Devanagari digits.
    """
    digits = re.sub(r"[\s\-().]", "", text.strip().translate(DEVANAGARI_DIGITS))
    match = _MOBILE_DIGITS.match(digits)
    return f"+91{match.group(1)}" if match else None


def normalize_udyam(text: str) -> str | None:
    """``UDYAM-XX-00-0000000`` for a Udyam number in any case or spacing, else None."""
    match = _UDYAM_LOOSE.match(text.strip().translate(DEVANAGARI_DIGITS).upper())
    return f"UDYAM-{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else None


def is_udyam(text: str) -> bool:
    return bool(_UDYAM.match(text))
