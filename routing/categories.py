"""Grievance categories: the codes used everywhere (backend validation, the assistant's
buttons, routing, the pulse reader), in the order the assistant offers them. What people
read for each (the button titles, in every language) is in the text catalogue
(``infra/texts.yaml``, kind ``category``)."""

from __future__ import annotations

from typing import Final

CATEGORY_CODES: Final[tuple[str, ...]] = (
    "delayed_payment",
    "finance_credit",
    "raw_material",
    "marketing_procurement",
    "labour",
    "regulation_licensing",
    "infrastructure_power",
    "skill_technology",
    "udyam_registration",
    "schemes_subsidy",
    "pmegp_khadi",
    "coir",
    "corruption_vigilance",
    "employee_related",
    "policy_suggestion",
    "other",
)
CATEGORIES: Final = frozenset(CATEGORY_CODES)
OTHER: Final = "other"


def is_category(code: str | None) -> bool:
    return code is not None and code in CATEGORIES
