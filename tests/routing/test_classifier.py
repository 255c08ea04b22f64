from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from routing.categories import CATEGORY_CODES
from routing.classifier import (
    DIGEST_CHARS,
    Classifier,
    load_examples,
    load_lexicon,
)
from routing.rules import route

TESTSET = Path(__file__).parents[2] / "bench" / "data" / "routing_testset.yaml"


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    """Fitted on the encoder the service routes with (int8, backend.embeddings)."""
    from backend.embeddings import get_route_encoder

    return Classifier.from_data(get_route_encoder().encode)


def _unit_rows(texts: list[str]) -> np.ndarray:
    """A stand-in encoder: a fixed random direction per distinct text (no model needed)."""
    rows = []
    for text in texts:
        seed = sum(map(ord, text)) % (2**32)
        row = np.random.default_rng(seed).normal(size=8)
        rows.append(row / np.linalg.norm(row))
    return np.array(rows, dtype=np.float32)


def test_training_examples_cover_every_category_in_three_scripts_of_writing() -> None:
    examples = load_examples()
    by_category: dict[str, list[str]] = {}
    for text, category in examples:
        by_category.setdefault(category, []).append(text)
    assert set(by_category) == set(CATEGORY_CODES)
    for category, texts in by_category.items():
        assert len(texts) >= 25, category
        assert any("\u0900" <= ch <= "\u097f" for t in texts for ch in t), category


def test_training_and_test_texts_do_not_overlap() -> None:
    training = {" ".join(text.lower().split()) for text, _ in load_examples()}
    items = yaml.safe_load(TESTSET.read_text(encoding="utf-8"))["items"]
    assert len(items) >= 100
    assert not training & {" ".join(item["text"].lower().split()) for item in items}


def test_hindi_and_hinglish_reach_the_encoder_in_english_words(classifier: Classifier) -> None:
    digest = classifier.digest("खरीदार ने भुगतान नहीं किया, बकाया 5 लाख")
    assert "payment" in digest and "buyer" in digest
    assert not any("\u0900" <= ch <= "\u097f" for ch in digest)
    assert "bribe" in classifier.digest("adhikari ne rishwat maangi")
    assert "ne" in classifier.digest("खरीदार ने")  # the rest in Latin letters


def test_long_grievances_are_cut_to_their_telling_sentences(classifier: Classifier) -> None:
    filler = "We have been in business for many years and employ people from nearby villages. "
    text = "Dear Sir. " + filler * 20 + "The buyer has not paid our invoices for 8 months."
    digest = classifier.digest(text)
    assert len(digest) <= DIGEST_CHARS
    assert "invoices" in digest  # the keyword-rich sentence survives the cut


def test_keyword_counts_match_word_starts_and_devanagari_inside_words() -> None:
    lexicon = load_lexicon()
    counts = lexicon.keyword_counts("Bribes were paid; रिश्वतखोरी जारी", ["corruption_vigilance"])
    assert counts.tolist() == [2.0]
    assert lexicon.keyword_counts("GEMINI", ["marketing_procurement"]).tolist() == [0.0]


def test_predicts_in_english_hinglish_and_hindi(classifier: Classifier) -> None:
    cases = {
        "The purchaser has kept our money for 7 months after accepting the goods": (
            "delayed_payment"
        ),
        "bank manager loan sanction nahi kar raha, collateral maang raha hai": "finance_credit",
        "कॉयर इकाई के लिए नारियल की भूसी नहीं मिल रही": "coir",
        "पीएमईजीपी की मार्जिन मनी अब तक समायोजित नहीं हुई": "pmegp_khadi",
        "My Udyam certificate shows the wrong district": "udyam_registration",
    }
    predictions = classifier.predict_many(list(cases))
    assert [category for category, _ in predictions] == list(cases.values())
    assert all(0.0 < confidence <= 1.0 for _, confidence in predictions)


def test_empty_text_is_other_with_no_confidence(classifier: Classifier) -> None:
    assert classifier.predict("   ") == ("other", 0.0)
    assert classifier.predict_many([]) == []


def test_route_uses_the_classifier_for_free_text(classifier: Classifier) -> None:
    decision = route(
        None, "Kerala", "Coir Board subsidy for our spinning unit is pending", classifier
    )
    assert (decision.category, decision.department_code) == ("coir", "COIR")
    assert decision.confidence < 1.0


def test_fitting_needs_two_known_categories() -> None:
    with pytest.raises(ValueError, match="at least two"):
        Classifier([("a", "coir"), ("b", "coir")], _unit_rows)
    with pytest.raises(ValueError, match="unknown categories"):
        Classifier([("a", "coir"), ("b", "bogus")], _unit_rows)
    two = Classifier([("coir mat", "coir"), ("bank loan", "finance_credit")] * 3, _unit_rows)
    category, confidence = two.predict("coir mat")
    assert category == "coir" and confidence > 0.5


def test_accuracy_on_the_labelled_test_set_stays_at_least_90_percent(
    classifier: Classifier,
) -> None:
    items = yaml.safe_load(TESTSET.read_text(encoding="utf-8"))["items"]
    predictions = classifier.predict_many([item["text"] for item in items])
    hits = sum(p == item["category"] for (p, _), item in zip(predictions, items, strict=True))
    departments = sum(
        route(p, item["state"], item["text"]).department_code
        == route(item["category"], item["state"], item["text"]).department_code
        for (p, _), item in zip(predictions, items, strict=True)
    )
    assert hits / len(items) >= 0.90
    assert departments / len(items) >= 0.90


def test_a_text_gets_the_same_prediction_alone_and_among_others(classifier: Classifier) -> None:
    # The shipped encoder is int8 with dynamic scales; it must not let batch-mates change a
    # prediction (the preview routes one text, filing and benchmarks may route many).
    texts = [
        "The buyer has not paid our invoices for eight months, please help",
        "bank manager loan sanction nahi kar raha",
        "कॉयर इकाई के लिए नारियल की भूसी नहीं मिल रही",
    ]
    together = classifier.predict_many(texts)
    alone = [classifier.predict(text) for text in texts]
    assert [c for c, _ in alone] == [c for c, _ in together]
    # Same vectors; only the matrix product's summation order may differ with the shape.
    assert [p for _, p in alone] == pytest.approx([p for _, p in together], abs=1e-6)


def test_fast_keyword_patterns_count_as_one_pattern_per_word_would() -> None:
    # Reference: the plain longest-first alternation with a word-start test on every word.
    import re

    from routing.glossary import fold_script as fold

    raw = yaml.safe_load(
        (Path(__file__).parents[2] / "routing/data/lexicon.yaml").read_text("utf-8")
    )
    lexicon = load_lexicon()
    items = yaml.safe_load(TESTSET.read_text(encoding="utf-8"))["items"]
    texts = [item["text"] for item in items] + [text for text, _ in load_examples()]
    for category, words in raw["keywords"].items():
        branches = []
        for word in sorted({fold(str(w)) for w in words}, key=len, reverse=True):
            if any("\u0900" <= ch <= "\u097f" for ch in word):
                branches.append(re.escape(word))
            elif len(word) <= 3:
                branches.append(rf"\b{re.escape(word)}\b")
            else:
                branches.append(rf"\b{re.escape(word)}")
        reference = re.compile("|".join(branches))
        counts = [lexicon.keyword_counts(text, [category])[0] for text in texts]
        assert counts == [len(reference.findall(fold(text))) for text in texts], category
        assert sum(counts) > 0, category
