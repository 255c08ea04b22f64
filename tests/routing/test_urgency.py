"""Urgency (issue 15): the keyword guards in three languages, that they only raise the
model's level, and the data files (training examples apart from the held-out set)."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.urgency import (
    REASON_TITLES,
    Urgency,
    assess,
    combine,
    guard_counts,
    keyword_urgency,
    mentions_self_harm,
)
from routing.urgency_model import Example, Reading, UrgencyReader, load_examples, read_examples

# Blind sets: never training data (bench/urgency_accuracy.py --file scores them once).
BLIND_SETS = sorted((Path(__file__).parents[2] / "bench" / "data").glob("urgency_blind*.jsonl"))


@pytest.mark.parametrize(
    ("text", "level", "reason"),
    [
        ("I am thinking of suicide, nothing is left", "critical", "self_harm"),
        ("Payment nahi aaya to main zeher kha lunga", "critical", "self_harm"),
        ("मैं आत्महत्या कर लूँगा, कोई नहीं सुनता", "critical", "self_harm"),
        ("मुझे ज़हर खाना पड़ेगा", "critical", "self_harm"),  # nukta spelling
        ("They threatened to kill my son if I complain", "critical", "violence"),
        ("Buyer ke gunde bole jaan se maar denge", "critical", "violence"),
        ("ठेकेदार ने मज़दूर की पिटाई की", "critical", "violence"),
        ("Gas leak in the factory, two workers fainted", "critical", "safety"),
        ("फैक्ट्री में गैस रिसाव हो रहा है", "critical", "safety"),
        ("We could not pay our workers' wages for three months", "high", "wages_unpaid"),
        ("Karigaron ki majdoori 2 mahine se nahi di", "high", "wages_unpaid"),
        ("कर्मचारियों का वेतन तीन महीने से बकाया है", "high", "wages_unpaid"),
        ("We will have to shut the unit next month", "high", "closure"),
        ("Factory band karni padegi agle hafte", "high", "closure"),
        ("इकाई बंद होने की कगार पर है", "high", "closure"),
        ("The corporation will seal our shed on Monday", "high", "sealing_seizure"),
        ("बैंक मशीनों की नीलामी करेगा", "high", "sealing_seizure"),
        ("The flood destroyed our stock", "high", "disaster"),
        ("बाढ़ में गोदाम बह गया", "high", "disaster"),
        ("Inspector wants a bribe of 20,000 by Friday", "high", "bribe_deadline"),
        ("Kal tak 10 hazar do warna licence cancel", "high", "bribe_deadline"),
        # An official's demand of money is a bribe without the word (routing/bribes.py).
        (
            "GST wala officer bol raha 50k de do is hafte warna registration cancel",
            "high",
            "bribe_deadline",
        ),
        (
            "babu 15% maang raha, bolta h 30 tareek tak nahi diya to file band",
            "high",
            "bribe_deadline",
        ),
    ],
)
def test_guards_read_three_languages(text: str, level: str, reason: str) -> None:
    urgency = keyword_urgency(text)
    assert urgency.level == level
    assert reason in urgency.reasons
    assert reason in REASON_TITLES


@pytest.mark.parametrize(
    "text",
    [
        "The buyer has not paid our invoice for 120 days.",
        "Udyam certificate me address galat hai",
        "उद्यम पंजीकरण में श्रेणी गलत है",
        "The officer asked for a bribe last year; we refused.",  # no deadline
        "The buyer threatens to blacklist us if we go to the council.",
    ],
)
def test_ordinary_grievances_stay_normal(text: str) -> None:
    assert keyword_urgency(text) == Urgency("normal", ())


def test_the_most_serious_reason_comes_first() -> None:
    urgency = keyword_urgency("Wages unpaid for months and now I want to die")
    assert urgency.level == "critical"
    assert urgency.reasons[0] == "self_harm" and "wages_unpaid" in urgency.reasons


def test_guards_only_raise_the_readers_level() -> None:
    guarded = keyword_urgency("I am thinking of suicide")
    assert combine(guarded, Reading("normal", False)) == guarded  # the reader cannot lower it
    assert combine(Urgency("normal", ()), Reading("high", False)) == Urgency("high", ("model",))
    raised = combine(Urgency("high", ("disaster",)), Reading("critical", False))
    assert raised.reasons == ("model", "disaster")
    # A self-harm reading names itself rather than "model".
    quiet = combine(Urgency("normal", ()), Reading("critical", True))
    assert quiet == Urgency("critical", ("self_harm",))


def _example(text: str, level: str, kind: str | None) -> Example:
    return Example(text, level, kind, "en", "test")  # type: ignore[arg-type]


def test_the_trained_reader_raises_what_no_guard_sees() -> None:
    examples = [
        *[
            _example(f"my family is better off with the insurance {i}", "critical", "self_harm")
            for i in range(8)
        ],
        *[_example(f"they came at night with rods {i}", "critical", "violence") for i in range(8)],
        *[_example(f"workers idle this month no money {i}", "high", None) for i in range(8)],
        *[_example(f"please update my address {i}", "normal", "normal") for i in range(16)],
    ]
    reader = UrgencyReader(examples)
    quiet = assess("the family is better off with the insurance money", reader)
    assert quiet == Urgency("critical", ("self_harm",))
    assert mentions_self_harm("the family is better off with the insurance money", reader)
    assert assess("please change my phone number", reader).level == "normal"
    # A guard still decides when the reader reads nothing.
    assert assess("gas leak near the boiler", reader).level == "critical"


def test_every_writers_file_is_well_formed_and_no_text_is_in_a_blind_set() -> None:
    examples = load_examples()
    assert {e.target for e in examples} == {"critical", "self_harm", "high", "normal"}
    assert len({e.writer for e in examples}) >= 3
    for blind in BLIND_SETS:
        held = {" ".join(e.text.split()).casefold() for e in read_examples(blind)}
        assert len(held) >= 200
        assert not held & {" ".join(e.text.split()).casefold() for e in examples}


def test_a_bad_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "w.jsonl"
    bad.write_text('{"level": "critical", "kind": "wages_unpaid", "lang": "en", "text": "x"}\n')
    with pytest.raises(ValueError, match=r"w\.jsonl:1"):
        read_examples(bad)


def test_guard_counts_name_every_reason_code() -> None:
    assert set(guard_counts("")) | {"model"} == set(REASON_TITLES)


def test_factored_guards_match_what_the_plain_patterns_match() -> None:
    import re

    from routing.urgency import _GUARDS, factor_word_start, fold

    texts = [example.text for example in load_examples()]
    for _, _, pattern in _GUARDS:
        plain, factored = re.compile(pattern), re.compile(factor_word_start(pattern))
        for text in texts:
            assert plain.findall(fold(text)) == factored.findall(fold(text))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Gaps found by the held-out set's single scoring (phrased anew here, see PERFORMANCE).
        ("Some nights I think about ending it all.", "self_harm"),
        ("Our staff have not received their salary since June.", "wages_unpaid"),
        ("बाबू ने कहा अगर कल तक 20 हजार नहीं दिए तो फाइल लौटा देंगे", "bribe_deadline"),
    ],
)
def test_guards_fixed_after_the_held_out_scoring(text: str, reason: str) -> None:
    assert reason in keyword_urgency(text).reasons


def test_a_rise_in_prices_is_not_a_flood() -> None:
    assert keyword_urgency("Kachche maal ka daam bahut badh gaya").level == "normal"
    assert "disaster" in keyword_urgency("Baadh me godown doob gaya").reasons
