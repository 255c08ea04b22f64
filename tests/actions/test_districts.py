"""The district gazetteer (actions/data/districts.yaml, actions/districts.py)."""

from __future__ import annotations

import pytest

from actions.districts import (
    canonical_district,
    district_in_state,
    district_records,
    find_district_in_text,
    states_of_district,
)
from actions.states import state_records


def test_every_state_and_ut_has_its_districts() -> None:
    per_state: dict[str, int] = {}
    for record in district_records():
        per_state[record.state] = per_state.get(record.state, 0) + 1
    assert set(per_state) == {record.canonical for record in state_records()}
    assert per_state["Uttar Pradesh"] == 75 and per_state["Maharashtra"] == 36
    assert per_state["Bihar"] == 38 and per_state["Tamil Nadu"] == 38
    assert per_state["Goa"] == 2 and per_state["Chandigarh"] == 1


def test_every_district_is_found_by_its_own_name_in_its_state() -> None:
    for record in district_records():
        assert canonical_district(record.district, record.state) == record, record


@pytest.mark.parametrize(
    ("typed", "district", "state"),
    [("Kanpur", "Kanpur Nagar", "Uttar Pradesh"), ("bangalore", "Bengaluru Urban", "Karnataka"),
     ("noida", "Gautam Buddha Nagar", "Uttar Pradesh"), ("Gurgaon", "Gurugram", "Haryana"),
     ("Baroda", "Vadodara", "Gujarat"), ("Allahabad", "Prayagraj", "Uttar Pradesh"),
     ("करनाल", "Karnal", "Haryana"), ("पटना", "Patna", "Bihar"), ("Mysore", "Mysuru", "Karnataka"),
     ("Thane district", "Thane", "Maharashtra"), ("jila Indore", "Indore", "Madhya Pradesh"),
     ("Nashkik", "Nashik", "Maharashtra")],
)  # fmt: skip
def test_towns_old_names_hindi_and_typos(typed: str, district: str, state: str) -> None:
    match = canonical_district(typed)
    assert match is not None and (match.district, match.state) == (district, state)


@pytest.mark.parametrize("name", ["Aurangabad", "Bilaspur", "Hamirpur", "Pratapgarh", "Balrampur"])
def test_a_name_two_states_share_is_not_guessed(name: str) -> None:
    assert len(states_of_district(name)) == 2
    assert canonical_district(name) is None
    state = states_of_district(name)[0]
    assert canonical_district(name, state) is not None and district_in_state(name, state)


@pytest.mark.parametrize(
    "sentence",
    ["the buyer has not paid for 5 months", "Status Garments", "Helpline Printers",
     "Jai Mata Di Enterprises", "payment pending since March, please help",
     "mandi rates are low and the bank refused the loan", "una baaton ka kya", "Narnia"],
)  # fmt: skip
def test_ordinary_sentences_name_no_district(sentence: str) -> None:
    assert find_district_in_text(sentence) is None


def test_a_district_in_a_sentence() -> None:
    found = find_district_in_text("my firm Gupta Plastics in Kanpur, Uttar Pradesh")
    assert found is not None and found.district == "Kanpur Nagar"
    assert find_district_in_text("unit in Mandi, Himachal") is not None
