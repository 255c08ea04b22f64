"""Recognising what people type for a mobile number and a Udyam registration number."""

from __future__ import annotations

import re

_UDYAM = re.compile(r"^UDYAM-([A-Z]{2})-(\d{2})-(\d{7})$")
_UDYAM_LOOSE = re.compile(r"^UDYAM[\s\-_]*([A-Z]{2})[\s\-_]*(\d{2})[\s\-_]*(\d{7})$")
_MOBILE_DIGITS = re.compile(r"^(?:\+?91|0)?([6-9]\d{9})$")


def normalize_mobile(text: str) -> str | None:
    """E.164 (+91XXXXXXXXXX) for an Indian mobile in any common writing, else None.

    Accepts +91, 91 or 0 prefixes, spaces, dashes, dots and brackets.
    """
    digits = re.sub(r"[\s\-().]", "", text.strip())
    match = _MOBILE_DIGITS.match(digits)
    return f"+91{match.group(1)}" if match else None


def normalize_udyam(text: str) -> str | None:
    """``UDYAM-XX-00-0000000`` for a Udyam number in any case or spacing, else None."""
    match = _UDYAM_LOOSE.match(text.strip().upper())
    return f"UDYAM-{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else None


def is_udyam(text: str) -> bool:
    return bool(_UDYAM.match(text))
