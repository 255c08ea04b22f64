from __future__ import annotations

import pytest

from actions.states import canonical_state, find_state_in_text, hindi_name, state_records
from tests.actions.conftest import ROOT


def test_the_table_is_a_verbatim_copy_of_the_routing_table() -> None:
    """actions/ may not import routing/, so it carries a copy; it must not drift."""
    source = ROOT / "routing" / "data" / "states.yaml"
    copy = ROOT / "actions" / "data" / "states.yaml"
    assert copy.read_bytes() == source.read_bytes()


def test_all_36_states_and_union_territories() -> None:
    records = state_records()
    assert len(records) == 36
    assert sum(r.kind == "union_territory" for r in records) == 8


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Maharashtra", "Maharashtra"),
        ("maharastra", "Maharashtra"),
        ("UP", "Uttar Pradesh"),
        ("उत्तर प्रदेश", "Uttar Pradesh"),
        ("Orissa", "Odisha"),
        ("Pune, Maharashtra", "Maharashtra"),
        ("i am from gujrat", "Gujarat"),
        ("दिल्ली", "Delhi"),
        ("tamilnadu", "Tamil Nadu"),
        ("Bihar se", "Bihar"),
        ("पश्चिम बंगाल", "West Bengal"),
        ("J&K", "Jammu and Kashmir"),
        ("pondicherry", "Puducherry"),
        ("banana", None),
        ("", None),
    ],
)
def test_canonical_state(typed: str, expected: str | None) -> None:
    assert canonical_state(typed) == expected


def test_a_state_named_in_a_sentence() -> None:
    assert find_state_in_text("change the state to Gujarat please") == "Gujarat"
    assert find_state_in_text("from Gujarat to Maharashtra") is None


def test_hindi_names_for_replies() -> None:
    assert hindi_name("Gujarat") == "गुजरात"
