"""Grievance categories: the codes used everywhere (backend validation, Rasa buttons, routing)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class Category:
    code: str
    name_en: str
    name_hi: str
    # Shown on chat buttons: Telegram and WhatsApp truncate long titles, so at most 20 characters.
    short_title: str


_ALL: Final = (
    Category(
        "delayed_payment",
        "Delayed payment from a buyer (MSMED Act)",
        "खरीदार से विलंबित भुगतान (एमएसएमईडी अधिनियम)",
        "Delayed payment",
    ),
    Category(
        "finance_credit",
        "Bank loan, credit or working capital",
        "बैंक ऋण, क्रेडिट या कार्यशील पूंजी",
        "Loan / credit",
    ),
    Category("raw_material", "Raw material supply", "कच्चे माल की आपूर्ति", "Raw material"),
    Category(
        "marketing_procurement",
        "Marketing and public procurement",
        "विपणन और सरकारी खरीद",
        "Marketing / tenders",
    ),
    Category("labour", "Labour issues", "श्रम संबंधी समस्याएँ", "Labour"),
    Category(
        "regulation_licensing",
        "Licences, approvals and inspections",
        "लाइसेंस, अनुमोदन और निरीक्षण",
        "Licences / approvals",
    ),
    Category(
        "infrastructure_power",
        "Infrastructure, power and land",
        "बुनियादी ढांचा, बिजली और भूमि",
        "Power / infra",
    ),
    Category(
        "skill_technology",
        "Skills, training and technology",
        "कौशल, प्रशिक्षण और प्रौद्योगिकी",
        "Skills / technology",
    ),
    Category(
        "udyam_registration",
        "Udyam registration and classification",
        "उद्यम पंजीकरण और वर्गीकरण",
        "Udyam registration",
    ),
    Category(
        "schemes_subsidy",
        "Government schemes and subsidies",
        "सरकारी योजनाएँ और सब्सिडी",
        "Schemes / subsidy",
    ),
    Category(
        "pmegp_khadi", "PMEGP, Khadi and village industries", "पीएमईजीपी और खादी", "PMEGP / Khadi"
    ),
    Category("coir", "Coir industry", "कॉयर उद्योग", "Coir"),
    Category(
        "corruption_vigilance",
        "Corruption or vigilance complaint",
        "भ्रष्टाचार/सतर्कता शिकायत",
        "Corruption",
    ),
    Category(
        "employee_related",
        "Employee matters (pension, gratuity, leave)",
        "कर्मचारी संबंधी (पेंशन, ग्रेच्युटी, छुट्टी)",
        "Employee / pension",
    ),
    Category(
        "policy_suggestion",
        "Policy matter or suggestion",
        "नीतिगत मामला या सुझाव",
        "Policy / suggestion",
    ),
    Category("other", "Something else", "अन्य", "Other"),
)

CATEGORIES: Final[MappingProxyType[str, Category]] = MappingProxyType(
    {category.code: category for category in _ALL}
)
CATEGORY_CODES: Final[tuple[str, ...]] = tuple(CATEGORIES)
OTHER: Final = "other"


def is_category(code: str | None) -> bool:
    return code is not None and code in CATEGORIES
