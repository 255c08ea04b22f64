"""The pulse gazetteer (pulse/places.py): a state from its name, a district or town, in English
and Hindi; no state from everyday words, lower-case codes or a name two states share."""

from __future__ import annotations

import random

import pytest
import yaml

from pulse.places import DISTRICTS, gazetteer, mentions, state_of
from routing.states import STATE_RECORDS


def _districts() -> list[tuple[str, str, list[str]]]:
    raw = yaml.safe_load(DISTRICTS.read_text(encoding="utf-8"))
    return [
        (item["name"], state, list(item.get("hindi") or ()))
        for state, items in raw["districts"].items()
        for item in items
    ]


def _plain(name: str) -> bool:
    """A name that decides its state alone: one state, no cue needed, not a state's name."""
    entry = gazetteer().names.get(" ".join(name.lower().split()))
    return entry is not None and len(entry.states) == 1 and not entry.needs_cue


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Small knitwear units in Tiruppur say dues are stuck for 120 days", "Tamil Nadu"),
        ("नोएडा की फैक्ट्रियों में बिजली कटौती से उत्पादन ठप", "Uttar Pradesh"),
        ("UP ke MSME ko GST refund nahi mila", "Uttar Pradesh"),
        ("महाराष्ट्र के छोटे उद्योगों को राहत", "Maharashtra"),
        ("Kanpur Dehat ki leather factory band", "Uttar Pradesh"),
        ("Ludhiana's cycle part makers hit by steel prices", "Punjab"),
        ("Salem me sago unit hai, bank ne limit kam kar di", "Tamil Nadu"),
        ("units in district Mandi lost power for a week", "Himachal Pradesh"),
        ("Aurangabad, Bihar: rice mills wait for payment", "Bihar"),
        ("Orissa's cashew units", "Odisha"),
        # Named most often wins; the first named breaks a tie.
        ("Surat traders ship to Mumbai; Surat's looms and Vapi's dye units wait", "Gujarat"),
        ("Pune and Chennai auto parts makers", "Maharashtra"),
    ],
)
def test_a_state_from_a_name_a_district_or_a_town(text: str, state: str) -> None:
    assert state_of(text) == state


@pytest.mark.parametrize(
    "text",
    [
        "",
        "we are up late again, costs are up",  # "up" is a word, "UP" a state
        "onion rates in the mandi fell again",  # an everyday word that is a district
        "payment from Anand Traders is late",  # a person's or firm's name
        "Aurangabad units wait for payment",  # Bihar or Maharashtra: not said
        "UK exports of leather goods slow down",  # a code that is another country
        "The RBI kept the repo rate unchanged",
    ],
)
def test_no_state_where_none_is_named(text: str) -> None:
    assert state_of(text) is None


def test_every_plain_district_names_its_state_in_english_and_hindi() -> None:
    """Generated: every district whose name decides its state, in a sentence of each script."""
    checked = 0
    for name, state, hindi in _districts():
        if _plain(name):
            assert state_of(f"Small units in {name} say their payments are late") == state, name
            checked += 1
        for hindi_name in hindi:
            if _plain(hindi_name):
                assert state_of(f"{hindi_name} की छोटी इकाइयों का भुगतान अटका") == state, hindi_name
                checked += 1
    assert checked > 1000


def test_every_state_by_its_english_and_hindi_names() -> None:
    rng = random.Random(16)
    for record in STATE_RECORDS:
        for name in (record.canonical, *record.hindi):
            template = rng.choice(["MSMEs of {} ask for relief", "{} में लघु उद्योग", "{} ke karigar"])
            assert state_of(template.format(name)) == record.canonical, name


def test_mentions_are_in_order() -> None:
    found = mentions("From Kochi to Surat and then Pune")
    assert [m.state for m in found] == ["Kerala", "Gujarat", "Maharashtra"]
