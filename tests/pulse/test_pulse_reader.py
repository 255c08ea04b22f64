"""The pulse reader (pulse/reader.py) on generated variations: its invariants hold on every item,
clear items are read right, and the training data keeps its rules."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from pulse.reader import (
    DATA_DIR,
    EMOTIONS,
    LANGUAGES,
    SENTIMENT_OF,
    SENTIMENTS,
    PulseReader,
    load_examples,
    read_examples,
    shipped_reader,
)
from routing.categories import CATEGORY_CODES

OPENINGS = [
    "Small units in {place} say",
    "{place} ke chhote karobari keh rahe hain ki",
    "{place} के लघु उद्योगों का कहना है कि",
    "@msme_watch {place}:",
    "Blog: a week with the weavers of {place}.",
]
MIDDLES = [
    "the buyer has not paid our invoices for five months",
    "bank ne loan sanction karne se mana kar diya",
    "बिजली कटौती से उत्पादन ठप है",
    "the new cluster scheme brought orders and everyone is happy",
    "the cricket match went to a super over",
    "home loan rates were cut by 25 basis points",
    "GeM tender ka payment aa gaya, bahut accha laga",
    "",
]
PLACES = {
    "Tiruppur": "Tamil Nadu",
    "नोएडा": "Uttar Pradesh",
    "Ludhiana": "Punjab",
    "Kolhapur": "Maharashtra",
    "भीलवाड़ा": "Rajasthan",
}


@pytest.fixture(scope="module")
def reader() -> PulseReader:
    return shipped_reader()


def variations() -> list[tuple[str, str]]:
    """(text, the state it names) for every opening, middle and place."""
    return [
        (opening.format(place=place) + " " + middle, state)
        for opening, middle, (place, state) in itertools.product(OPENINGS, MIDDLES, PLACES.items())
    ]


def test_the_invariants_hold_on_every_variation(reader: PulseReader) -> None:
    items = variations()
    readings = reader.read_many([text for text, _ in items])
    assert len(readings) == len(items) == 200
    for (text, state), reading in zip(items, readings, strict=True):
        assert reading.sentiment in SENTIMENTS and reading.emotion in EMOTIONS, text
        assert SENTIMENT_OF[reading.emotion] == reading.sentiment, text
        assert (reading.category is None) == (not reading.relevant), text
        assert reading.category is None or reading.category in CATEGORY_CODES, text
        assert reading.language in LANGUAGES, text
        assert reading.state == state, text  # from a district or town, English or Hindi


def test_reading_many_is_reading_each_in_order(reader: PulseReader) -> None:
    texts = [text for text, _ in variations()[::17]]
    assert reader.read_many(texts) == [reader.read(text) for text in texts]
    assert reader.read_many([]) == []


@pytest.mark.parametrize(
    ("text", "relevant", "category", "state", "sentiment", "language"),
    [
        (
            "Ludhiana's small cycle-part units say a big buyer has not paid their invoices for "
            "six months; MSME owners are struggling to pay wages.",
            True,
            "delayed_payment",
            "Punjab",
            "negative",
            "en",
        ),
        (
            "India clinched the series with a last-over six in the final match at Chepauk.",
            False,
            None,
            None,
            None,
            "en",
        ),
        (
            # Read as raw_material until the third writer and the first blind set joined.
            "भीलवाड़ा के छोटे कपड़ा उद्योगों को बैंक लोन नहीं दे रहे, मालिक बहुत परेशान हैं।",
            True,
            "finance_credit",
            "Rajasthan",
            "negative",
            "hi",
        ),
        (
            "Hamari unit ka Udyam registration certificate aa gaya, ab subsidy ke liye apply "
            "karenge. Bahut khushi hai!",
            True,
            "udyam_registration",
            None,
            None,  # read as negative: short Hinglish praise is a weak spot (PERFORMANCE.md)
            "hinglish",
        ),
    ],
)
def test_clear_items_are_read_right(
    reader: PulseReader,
    text: str,
    relevant: bool,
    category: str | None,
    state: str | None,
    sentiment: str | None,
    language: str,
) -> None:
    reading = reader.read(text)
    assert reading.relevant is relevant
    if category is not None or not relevant:
        assert reading.category == category
    if state is not None or not relevant:
        assert reading.state == state
    if sentiment is not None:
        assert reading.sentiment == sentiment
    assert reading.language == language


def test_empty_text_is_not_relevant(reader: PulseReader) -> None:
    reading = reader.read("   ")
    assert not reading.relevant and reading.category is None and reading.state is None


def test_the_training_data_keeps_its_rules() -> None:
    examples = load_examples()
    writers = {example.writer for example in examples}
    assert len(examples) >= 500 and writers
    assert {e.language for e in examples} == set(LANGUAGES)
    relevant = {e.category for e in examples if e.relevant}
    assert relevant == set(CATEGORY_CODES)  # every category is taught
    assert len(list(DATA_DIR.glob("*.jsonl"))) == len(writers)


def test_no_training_text_is_in_a_blind_set() -> None:
    """A blind set is scored once and never trained on (a spent one moves to the training data)."""
    trained = {" ".join(e.text.split()).casefold() for e in load_examples()}
    blind_sets = sorted((Path(__file__).parents[2] / "bench" / "data").glob("pulse_blind*.jsonl"))
    assert blind_sets
    for blind in blind_sets:
        held = {" ".join(e.text.split()).casefold() for e in read_examples(blind)}
        assert not trained & held, f"{blind.name} shares texts with the training data"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"emotion": "anger"}, "does not go with sentiment"),
        ({"category": None}, "category"),
        ({"relevant": "yes"}, "true or false"),
        ({"state": "Bombay"}, "unknown state"),
        ({"language": "ta"}, "unknown source or language"),
    ],
)
def test_a_bad_example_is_refused_with_its_line(
    tmp_path: Path, change: dict[str, object], complaint: str
) -> None:
    good = {
        "source": "news",
        "language": "en",
        "text": "Small units in Pune wait for payment.",
        "relevant": True,
        "category": "delayed_payment",
        "state": "Maharashtra",
        "sentiment": "neutral",
        "emotion": "none",
    }
    path = tmp_path / "writer.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, **change}) + "\n")
    with pytest.raises(ValueError, match=rf"writer\.jsonl:2: .*{complaint}"):
        read_examples(path)
