from __future__ import annotations

import pytest

from routing.states import (
    STATE_CODES,
    STATES,
    UNION_TERRITORIES,
    canonical_state,
    find_state_in_text,
)


def test_thirty_six_states_and_union_territories_with_unique_codes() -> None:
    assert len(STATES) == 36
    assert len(set(STATES)) == 36
    assert len(UNION_TERRITORIES) == 8
    assert set(STATE_CODES) == set(STATES)
    assert len(set(STATE_CODES.values())) == 36
    assert STATE_CODES["Maharashtra"] == "MH"
    assert STATE_CODES["Dadra and Nagar Haveli and Daman and Diu"] == "DH"


@pytest.mark.parametrize("state", STATES)
def test_every_canonical_name_and_code_maps_to_itself(state: str) -> None:
    assert canonical_state(state) == state
    assert canonical_state(state.upper()) == state
    assert canonical_state(f"  {state.lower()}  ") == state
    assert canonical_state(STATE_CODES[state]) == state


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("UP", "Uttar Pradesh"),
        ("up", "Uttar Pradesh"),
        ("mp", "Madhya Pradesh"),
        ("TN", "Tamil Nadu"),
        ("Orissa", "Odisha"),
        ("Pondicherry", "Puducherry"),
        ("maharastra", "Maharashtra"),
        ("Maharashta", "Maharashtra"),
        ("Gujrat", "Gujarat"),
        ("Chattisgarh", "Chhattisgarh"),
        ("tamilnadu", "Tamil Nadu"),
        ("Telengana", "Telangana"),
        ("Uttaranchal", "Uttarakhand"),
        ("J&K", "Jammu and Kashmir"),
        ("jammu & kashmir", "Jammu and Kashmir"),
        ("Daman", "Dadra and Nagar Haveli and Daman and Diu"),
        ("Dadra & Nagar Haveli", "Dadra and Nagar Haveli and Daman and Diu"),
        ("new delhi", "Delhi"),
        ("NCT of Delhi", "Delhi"),
        ("The State of Gujarat", "Gujarat"),
        ("Pune, Maharashtra", "Maharashtra"),
        ("महाराष्ट्र", "Maharashtra"),
        ("उत्तर प्रदेश", "Uttar Pradesh"),
        ("पश्चिम बंगाल", "West Bengal"),
        ("ओड़िशा", "Odisha"),
        ("उड़ीसा", "Odisha"),
        ("तमिलनाडु", "Tamil Nadu"),
        ("दिल्ली", "Delhi"),
        ("pashchim bangal", "West Bengal"),
        ("OR", "Odisha"),
        ("AS", "Assam"),
    ],
)
def test_aliases_misspellings_and_hindi(typed: str, expected: str) -> None:
    assert canonical_state(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "   ", "Bombay", "Kolkata", "India", "or", "as", "xyz", "an"]
)
def test_cities_words_and_noise_are_not_states(typed: str) -> None:
    assert canonical_state(typed) is None


def test_state_in_free_text_only_when_exactly_one_is_named() -> None:
    assert find_state_in_text("मेरी इकाई उत्तर प्रदेश के कानपुर में है") == "Uttar Pradesh"
    assert find_state_in_text("factory ludhiana punjab mein hai, up se maal aata") == "Punjab"
    assert find_state_in_text("unit in Pune, Maharashtra; buyer in Gujarat") is None
    assert find_state_in_text("as I said, or else") is None


def test_the_first_state_named_is_where_the_writer_is() -> None:
    from routing.states import first_state_in_text

    assert first_state_in_text("unit in Moradabad, Uttar Pradesh; exporter in Delhi") == (
        "Uttar Pradesh"
    )
    assert first_state_in_text("हम गुजरात से हैं, खरीदार महाराष्ट्र का है") == "Gujarat"
    assert first_state_in_text("no place at all") is None
