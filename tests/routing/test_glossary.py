"""The one Hindi/Hinglish -> English glossary and romaniser (routing/glossary.py), used by the
route classifier's digest and the scheme search."""

from __future__ import annotations

import re

import pytest
import yaml

from routing.glossary import (
    GLOSSARY_FILE,
    Glossary,
    alias_keys,
    decode_letter_acronym,
    fold_spelling,
    glossary,
    latin_form,
    romanise_devanagari,
)

_DEVANAGARI = re.compile(r"[\u0900-\u097F]")


@pytest.mark.parametrize(
    ("word", "latin"),
    [
        ("मुद्रा", "mudra"),
        ("लोन", "lon"),
        ("कितना", "kitna"),
        ("उद्यम", "udyam"),
        ("भुगतान", "bhugtan"),
        ("विश्वकर्मा", "vishvakarma"),
        ("क़र्ज़", "karz"),
        ("कमल", "kamal"),
    ],
)
def test_devanagari_is_romanised_as_hinglish_is_typed(word: str, latin: str) -> None:
    assert romanise_devanagari(word) == latin


def test_spelling_variants_fold_together() -> None:
    assert fold_spelling("vishwakarma") == fold_spelling("vishvakarma")
    assert fold_spelling("shikayat") == fold_spelling("sikayat")
    assert fold_spelling("kaarkhana") == fold_spelling("karkhana")


@pytest.mark.parametrize(
    ("word", "letters"),
    [
        ("सीजीटीएमएसई", "cgtmse"),
        ("पीएमईजीपी", "pmegp"),
        ("एनएसआईसी", "nsic"),
        ("ईसीएलजीएस", "eclgs"),
        ("एमएसएमई", "msme"),
        ("जीएसटी", "gst"),
    ],
)
def test_devanagari_acronyms_are_read_as_letters(word: str, letters: str) -> None:
    assert decode_letter_acronym(word) == letters
    assert latin_form(word) == letters


@pytest.mark.parametrize("word", ["के", "एक", "है", "मुद्रा", "जेड"])
def test_ordinary_words_and_single_letters_are_not_acronyms(word: str) -> None:
    assert decode_letter_acronym(word) is None
    assert latin_form(word) == romanise_devanagari(word)


def test_every_entry_is_written_once() -> None:
    # A Latin entry stands for every spelling that folds like it, so two entries that fold
    # alike would be one concept written twice (and one of them silently unused).
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    keys: dict[tuple[str, ...], str] = {}
    for phrase in raw:
        if _DEVANAGARI.search(phrase):
            continue
        key = tuple(alias_keys(phrase))
        assert key not in keys, f"{phrase!r} folds like {keys[key]!r}"
        keys[key] = phrase
    assert len(glossary()) == len(keys) and len(keys) > 250


def test_latin_entries_serve_every_spelling_and_the_devanagari_word() -> None:
    words = glossary()
    assert words.gloss("rishwat") == words.gloss("rishvat") == words.gloss("रिश्वत") == "bribe"
    assert words.gloss("bhugtan") == words.gloss("भुगतान") == "payment"
    assert words.gloss("mazdoor") == words.gloss("majdoor")
    assert words.gloss("tractor") is None


def test_words_that_romanise_alike_are_told_apart_in_devanagari() -> None:
    words = glossary()
    assert words.gloss("नई") == "new"
    assert words.gloss("नाई") == "barber"
    assert "barber" not in words.to_english("बुनाई का काम")  # not inside a word


def test_devanagari_entries_meet_inflected_words_at_their_start() -> None:
    text = glossary().to_english("भुगतानों की रिश्वतखोरी")
    assert "payment" in text.split()
    assert "bribe" in text.split()


def test_english_put_in_is_not_read_again() -> None:
    # उद्यम is "udyam enterprise"; the English words must not be glossed a second time.
    english = Glossary.from_pairs([("उद्यम", "udyam enterprise"), ("udyam", "udyam portal")])
    assert english.to_english("उद्यम").split() == ["udyam", "enterprise"]
    assert english.to_english("udyam").split() == ["udyam", "portal"]


def test_longest_entry_wins_and_phrases_span_words() -> None:
    english = Glossary.from_pairs([("nahi", "not"), ("nahi mila", "not received")])
    assert english.to_english("Paisa nahi mila, nahi.") == "paisa not received, not."


@pytest.mark.parametrize(
    "text",
    [
        "भुगतान नहीं मिला।",
        "Our buyer has not paid the invoice for 8 months.",
        "PMEGP ka loan bank wale nahi de rahe",
        "सीजीटीएमएसई लोन, 5 लाख",
    ],
)
def test_to_english_leaves_no_devanagari_and_keeps_the_words_it_does_not_know(text: str) -> None:
    words = glossary()
    english = words.to_english(text)
    assert not _DEVANAGARI.search(english)
    unknown = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if words.gloss(w) is None]
    assert set(unknown) <= set(re.findall(r"[a-z0-9]+", english))
