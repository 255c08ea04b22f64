"""A correction's field and new value (actions/corrections.py), in English, Hinglish and Hindi."""

from __future__ import annotations

import pytest

from actions.corrections import corrected_field_named, correction_value


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [("sorry, the district is Thane", "district", "Thane"),
     ("change the state to Gujarat", "state", "Gujarat"),
     ("राज्य बदलकर गुजरात करो", "state", "गुजरात"),
     ("district Indore kar do", "district", "Indore"),
     ("wrong mobile, it is 091234 56789", "mobile", "091234 56789"),
     ("change the name to suresh patil", "name", "suresh patil")],
)  # fmt: skip
def test_corrections_name_their_field_and_value(text: str, field: str, value: str) -> None:
    assert corrected_field_named(text) == field
    assert correction_value(text) == value


def test_a_long_description_saying_change_and_company_is_no_correction_by_length() -> None:
    # The form only reads short messages as corrections (actions/filing.py); the reading
    # itself finds the words, which is why the length guard exists.
    text = "The buyer's company changed the order and has not paid our bill of 2 lakh"
    assert corrected_field_named(text) in (None, "enterprise_name", "mobile")
