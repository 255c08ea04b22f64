"""Hindi and Hinglish query help: romanisation, folding and glosses."""

from __future__ import annotations

import pytest

from backend.schemes.language import (
    fold_spelling,
    lexical_tokens,
    normalise_query,
    romanise_devanagari,
)


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


def test_hinglish_query_gets_english_for_the_model() -> None:
    query = normalise_query("mudra loan kitna milta hai")
    assert query.is_hindi_or_hinglish
    assert query.dense_text == "mudra loan how much get"
    assert {"mudra", "loan"} <= set(query.lexical_tokens)
    assert "hai" not in query.lexical_tokens


def test_hindi_query_keeps_devanagari_and_adds_latin_and_english() -> None:
    query = normalise_query("मुद्रा लोन")
    assert query.is_hindi_or_hinglish
    assert query.dense_text == "mudra loan"
    assert {"मुद्रा", "लोन", "mudra", "loan"} <= set(query.lexical_tokens)


def test_english_query_is_left_alone_for_the_model() -> None:
    query = normalise_query("Is there a fee for Udyam registration?")
    assert not query.is_hindi_or_hinglish
    assert query.dense_text == "Is there a fee for Udyam registration?"
    assert "is" not in query.lexical_tokens
    assert "udyam" in query.lexical_tokens


def test_knowledge_base_text_and_queries_share_tokens() -> None:
    # A Devanagari alias in the knowledge base meets a Hinglish query on the same token.
    assert set(lexical_tokens("उद्यम पंजीकरण")) & set(lexical_tokens("udyam panjikaran kaise"))
