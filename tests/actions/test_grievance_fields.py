from __future__ import annotations

import pytest

from actions.grievance_fields import (
    CATEGORIES,
    category_from_text,
    clean_description,
    clean_district,
    clean_enterprise_name,
    clean_person_name,
    normalize_mobile,
    normalize_udyam,
    says_no_udyam,
)


@pytest.mark.parametrize(
    "typed",
    [
        "9876543210",
        "98765 43210",
        "98765-43210",
        "+91 98765 43210",
        "+91-98765-43210",
        "+919876543210",
        "09876543210",
        "091 9876543210",
        "0091 98765 43210",
        "(+91) 987 654 3210",
        "my number is 98765 43210",
        "९८७६५४३२१०",
    ],
)
def test_mobiles_in_any_common_writing_become_e164(typed: str) -> None:
    assert normalize_mobile(typed) == "+919876543210"


@pytest.mark.parametrize(
    "typed", ["12345", "5876543210", "98765", "+1 415 555 0100", "abc", "", "98765432101234"]
)
def test_not_indian_mobiles_are_refused(typed: str) -> None:
    assert normalize_mobile(typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("UDYAM-MH-12-0001234", "UDYAM-MH-12-0001234"),
        ("udyam-mh-12-0001234", "UDYAM-MH-12-0001234"),
        ("UDYAM MH 12 0001234", "UDYAM-MH-12-0001234"),
        ("my udyam is UDYAMDL050012345", "UDYAM-DL-05-0012345"),
        ("UDYAM-MH-1-0001234", None),
        ("UDYAM-MH-12-000123", None),
        ("MH-12-0001234", None),
    ],
)
def test_udyam_numbers(typed: str, expected: str | None) -> None:
    assert normalize_udyam(typed) == expected


@pytest.mark.parametrize(
    "typed", ["I don't have one", "no", "nahi hai", "नहीं है", "skip", "not registered"]
)
def test_saying_there_is_no_udyam_number(typed: str) -> None:
    assert says_no_udyam(typed)


def test_a_udyam_number_is_not_a_no() -> None:
    assert not says_no_udyam("UDYAM-MH-12-0001234")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ramesh kumar", "Ramesh Kumar"),
        ("my name is Sunita Sharma", "Sunita Sharma"),
        ("Mera naam Sunita Devi hai", "Sunita Devi"),
        ("मेरा नाम रमेश है", "रमेश"),
        ("R. K. Sharma", "R. K. Sharma"),
        ("12345", None),
        ("a", None),
        ("the bank has not paid me since three months and nobody answers", None),
    ],
)
def test_person_names(typed: str, expected: str | None) -> None:
    assert clean_person_name(typed) == expected


def test_enterprise_names_keep_their_spelling() -> None:
    assert clean_enterprise_name("my company is ABC Industries") == "ABC Industries"
    assert clean_enterprise_name("shree ganesh textiles") == "Shree Ganesh Textiles"
    assert clean_enterprise_name("9") is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Pune", "Pune"), ("pune district", "Pune"), ("jila Varanasi", "Varanasi"),
     ("जिला पटना", "पटना"), ("411001", None), ("x", None)],
)  # fmt: skip
def test_districts(typed: str, expected: str | None) -> None:
    assert clean_district(typed) == expected


def test_descriptions_need_twenty_characters() -> None:
    assert clean_description("not paid") is None
    assert clean_description("1234567890123456789012345") is None  # no words
    text = "The buyer has not paid my invoice since March"
    assert clean_description(f"  {text}  ") == text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("delayed_payment", "delayed_payment"),
        ("1", CATEGORIES[0]),
        ("16", "other"),
        ("payment nahi mila", "delayed_payment"),
        ("bank loan", "finance_credit"),
        ("बिजली", "infrastructure_power"),
        ("17", None),
        ("something unrelated", None),
    ],
)
def test_categories_from_text(typed: str, expected: str | None) -> None:
    assert category_from_text(typed) == expected
