"""Urgency (issue 15): the keyword guards in three languages, that they only raise the
model's level, and the data files (training examples apart from the held-out set)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from routing.urgency import (
    REASON_TITLES,
    Urgency,
    UrgencyModel,
    combine,
    guard_counts,
    keyword_urgency,
    load_examples,
)

HELDOUT = Path(__file__).parents[2] / "bench" / "data" / "urgency_heldout.yaml"


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


def test_guards_only_raise_the_models_level() -> None:
    guarded = keyword_urgency("I am thinking of suicide")
    assert combine(guarded, "normal") == guarded  # the model cannot lower a guard
    assert combine(Urgency("normal", ()), "high") == Urgency("high", ("model",))
    assert combine(Urgency("high", ("disaster",)), "critical").reasons == ("model", "disaster")


class KeywordEncoder:
    """A stand-in encoder: a fixed vector per word class, so the model can be fitted fast and
    its reading checked without the embedding model."""

    def __call__(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            lowered = text.lower()
            row = np.array(
                [
                    float("better off without" in lowered or "hopeless" in lowered),
                    float("workers" in lowered and "month" in lowered),
                    1.0,
                ],
                dtype=np.float32,
            )
            rows.append(row / np.linalg.norm(row))
        return np.stack(rows)


def test_the_trained_model_raises_what_no_guard_sees() -> None:
    examples = [
        *[(f"my family is better off without me {i}", "critical") for i in range(8)],
        *[(f"hopeless days {i}", "critical") for i in range(8)],
        *[(f"workers idle this month {i}", "high") for i in range(8)],
        *[(f"please update my address {i}", "normal") for i in range(16)],
    ]
    model = UrgencyModel(examples, KeywordEncoder(), lambda text: text)  # type: ignore[arg-type]
    assert model.assess("Everything is hopeless now") == Urgency("critical", ("model",))
    assert model.assess("please change my phone number").level == "normal"
    # A guard still decides when the model reads nothing.
    assert model.assess("gas leak near the boiler").level == "critical"


def test_training_examples_cover_every_level_and_are_not_the_held_out_set() -> None:
    examples = load_examples()
    levels = {level for _, level in examples}
    assert levels == {"critical", "high", "normal"}
    heldout = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["items"]
    assert len(heldout) >= 200
    held_texts = {" ".join(item["text"].split()).lower() for item in heldout}
    assert not held_texts & {" ".join(text.split()).lower() for text, _ in examples}
    assert {item["lang"] for item in heldout} == {"en", "hi", "hinglish"}


def test_guard_counts_name_every_reason_code() -> None:
    assert set(guard_counts("")) | {"model"} == set(REASON_TITLES)


def test_factored_guards_match_what_the_plain_patterns_match() -> None:
    import re

    from routing.urgency import _GUARDS, factor_word_start, fold

    texts = [text for text, _ in load_examples()]
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
