"""A scheme-search query for BM25 and the English model (the glossary and romaniser themselves:
tests/routing/test_glossary.py)."""

from __future__ import annotations

from backend.schemes.query import AliasTable, lexical_tokens, normalise_query


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


def test_acronyms_in_devanagari_meet_their_latin_spelling_in_bm25() -> None:
    assert "cgtmse" in lexical_tokens("सीजीटीएमएसई क्या है")
    assert "cgtmse" in lexical_tokens("CGTMSE cover")


def test_hindi_names_reach_the_model_as_the_scheme_english_name() -> None:
    aliases = AliasTable([("क्लस्टर विकास कार्यक्रम", "MSE-CDP"), ("मुद्रा", "MUDRA")])
    query = normalise_query("क्लस्टर विकास कार्यक्रम क्या है", aliases)
    assert query.dense_text == "MSE-CDP what"
    # The longest phrase wins, and a name is found in the middle of a sentence too.
    assert normalise_query("मुझे मुद्रा लोन चाहिए", aliases).dense_text == "MUDRA loan need"
    # English questions reach the model as typed, aliases or not.
    assert normalise_query("what is mudra", aliases).dense_text == "what is mudra"


def test_unknown_hinglish_words_keep_their_spelling_for_the_model() -> None:
    # Folding is for matching only: the model should read "tool", not "tol".
    query = normalise_query("darzi hu, sarkar se tool ke paise milenge kya")
    assert "tool" in query.dense_text.split()
    assert "tailor" in query.dense_text.split()


def test_new_and_barber_are_told_apart_in_devanagari() -> None:
    assert "new" in normalise_query("सूक्ष्म उद्यम की नई सीमा").dense_text.split()
    assert "barber" in normalise_query("मैं नाई हूं").dense_text.split()
