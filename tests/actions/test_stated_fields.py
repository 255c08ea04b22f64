"""What a message states in passing (actions/stated_fields.py), in English, Hinglish and Hindi."""

from __future__ import annotations

import pytest

from actions.stated_fields import stated_fields

OPENINGS = [
    (
        "I am Suresh Gupta, my firm Gupta Plastics in Kanpur, Uttar Pradesh, mobile 9415012345. "
        "UP Jal Nigam has not paid our bill of 3.2 lakh for pipes supplied 8 months ago.",
        {"name": "Suresh Gupta", "enterprise_name": "Gupta Plastics", "mobile": "+919415012345",
         "state": "Uttar Pradesh", "district": "Kanpur Nagar",
         "description": "UP Jal Nigam has not paid our bill of 3.2 lakh for pipes supplied 8 "
                        "months ago."},
    ),
    (
        "Mera naam Ramesh Yadav hai, meri firm Yadav Steel Works Lucknow mein hai, mobile "
        "9876543210. Buyer ne 3 lakh ka payment 6 mahine se nahi diya.",
        {"name": "Ramesh Yadav", "enterprise_name": "Yadav Steel Works", "mobile": "+919876543210",
         "state": "Uttar Pradesh", "district": "Lucknow",
         "description": "Buyer ne 3 lakh ka payment 6 mahine se nahi diya."},
    ),
    (
        "मेरा नाम सुनीता देवी है। मेरी फर्म देवी फूड्स पटना, बिहार में है। बैंक ने 6 महीने से मेरा "
        "लोन नहीं दिया।",
        {"name": "सुनीता देवी", "enterprise_name": "देवी फूड्स", "state": "Bihar",
         "district": "Patna", "description": "बैंक ने 6 महीने से मेरा लोन नहीं दिया।"},
    ),
    (
        "Hi, I run Sharma Electricals in Noida. The state electricity board has cut our power "
        "for 10 days without notice.",
        {"enterprise_name": "Sharma Electricals", "district": "Gautam Buddha Nagar",
         "state": "Uttar Pradesh",
         "description": "The state electricity board has cut our power for 10 days without "
                        "notice."},
    ),
    (
        "my udyam no is UDYAM-UP-45-0012345 and mobile 98390 12345",
        {"udyam_number": "UDYAM-UP-45-0012345", "mobile": "+919839012345"},
    ),
    # The buyer's city is not the person's: a story names no district of theirs.
    ("My buyer in Pune has not paid me 4.5 lakh for 5 months",
     {"description": "My buyer in Pune has not paid me 4.5 lakh for 5 months"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), OPENINGS)
def test_every_field_an_opening_states_is_read(text: str, expected: dict[str, str]) -> None:
    assert stated_fields(text) == expected
